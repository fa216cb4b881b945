"""The coder contract shared by every automatic coder (see ARCHITECTURE.md).

Coders never see the store: they get units (id + text + context), a codebook and the human
decisions so far, and return one scored `Suggestion` per (unit, code). scikit-learn conventions:
`__init__` only stores parameters, learned state ends in `_`, `fit` returns self.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, Self

from qualkit.errors import NotFoundError
from qualkit.model import Codebook


@dataclass(frozen=True)
class Unit:
    """What a coder sees of a segment."""

    id: str
    text: str
    group: str | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Label:
    """A human decision: code `code_id` applies to unit `unit_id` (accepted) or not (rejected)."""

    unit_id: str
    code_id: str
    accepted: bool
    text: str = ""  # the unit's text, so a coder can learn from units outside the batch


@dataclass(frozen=True)
class Suggestion:
    """A coder's verdict on one (unit, code): calibrated score in [0, 1], its own yes/no decision,
    and a rationale a person can check (matched words, nearest example, similar accepted quotes)."""

    unit_id: str
    code_id: str
    score: float
    suggested: bool
    rationale: str
    span: tuple[int, int] | None = None  # offsets into the unit text, when the evidence is local


class Coder(Protocol):
    name: ClassVar[str]          # versioned registry key, e.g. "semantic.v1"
    model_id: ClassVar[str | None]

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self: ...

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]: ...


CODERS: dict[str, Callable[..., Coder]] = {}
# The version a bare family name means, where it is not the latest: a new version becomes the
# default only when the development sets in bench/coding.py confirm it (ensemble.v2 does not yet).
DEFAULT_VERSIONS = {"ensemble": "ensemble.v1"}


def register(name: str) -> Callable[[type], type]:
    """Register a coder class under a versioned name ("x.v1" stays registered when "x.v2" arrives)."""
    def decorate(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        CODERS[name] = cls
        return cls
    return decorate


def coder_names() -> list[str]:
    from qualkit import coders  # noqa: F401  (registers the built-in coders)

    return sorted(CODERS)


def make_coder(name: str, **available: object) -> Coder:
    """A fresh coder by registry name; a bare family name ("semantic") means its default version
    (DEFAULT_VERSIONS), or else its latest.

    Callers pass everything they can offer (an `embedder`, a `spacy_model`, ...); each coder
    receives only the parameters its `__init__` declares.
    """
    names = coder_names()
    if name not in CODERS:
        family = sorted(n for n in names if n.split(".")[0] == name)
        if not family:
            raise NotFoundError(f"no coder named '{name}'.", f"Choose one of: {', '.join(names)}.")
        name = DEFAULT_VERSIONS.get(name, family[-1])
    factory = CODERS[name]
    accepted = inspect.signature(factory).parameters
    return factory(**{k: v for k, v in available.items() if k in accepted})
