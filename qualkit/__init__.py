"""qualkit: local-first qualitative analysis for evaluation studies."""

import os

# Models come from installed packages only: never let a library reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

__version__ = "0.1.0"

__all__ = ["Project", "__version__"]


def __getattr__(name: str) -> object:
    """`qualkit.Project`, the pandas API (qualkit/frame.py), imported on first use so that
    `import qualkit` stays light for the command line."""
    if name == "Project":
        from qualkit.frame import Project

        return Project
    raise AttributeError(f"module 'qualkit' has no attribute {name!r}")
