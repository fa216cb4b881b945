"""qualkit: local-first qualitative analysis for evaluation studies."""

import os

# Models come from installed packages only: never let a library reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

__version__ = "0.1.0"
