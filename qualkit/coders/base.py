"""The coder contract shared by every automatic coder (see ARCHITECTURE.md).

Coders never see the store: they get units (id + text + context), a codebook and the human
decisions so far, and return one scored `Suggestion` per (unit, code). scikit-learn conventions:
`__init__` only stores parameters, learned state ends in `_`, `fit` returns self.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, Self

from qualkit.errors import NotFoundError, QualkitError
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


# The built-in coders and the module that registers each one, imported when a coder is first asked for:
# the registry knows every name without importing scikit-learn, torch or spaCy, and no coder module
# depends on this one importing it. Plug-ins and test doubles register with @register alone.
BUILT_IN = {
    "rules.v1": "qualkit.coders.rules",
    "semantic.v1": "qualkit.coders.semantic",
    "supervised.v1": "qualkit.coders.supervised",
    "ensemble.v1": "qualkit.coders.ensemble",
    "ensemble.v2": "qualkit.coders.ensemble_v2",
    "ensemble.v3": "qualkit.coders.ensemble_v2",
}
# The version a bare family name means, where it is not the latest: a new version becomes the
# default only when the development sets in bench/coding.py confirm it: ensemble.v3 beats v1 on 7 of 8
# sets zero-shot and with decisions, learns from decisions on every set, and never trails plain cosine.
DEFAULT_VERSIONS = {"ensemble": "ensemble.v3"}
# What a caller's setting provides (the project's embedder, its spaCy pipeline): offered to every
# coder and taken by those whose __init__ declares it. Anything else passed is a parameter and must
# be one the coder declares.
RESOURCES = frozenset({"embedder", "spacy_model"})


class CoderParameterError(QualkitError):
    """A parameter given to a coder that the coder does not declare (a typo would otherwise be
    dropped silently and the run would use the default)."""

    def __init__(self, coder: str, parameter: str, accepted: Sequence[str]) -> None:
        self.coder = coder
        self.parameter = parameter
        self.accepted = tuple(accepted)
        super().__init__(f"coder '{coder}' has no parameter '{parameter}'.",
                         f"Its parameters are: {', '.join(accepted) or 'none'}.")


class _Registry(Mapping[str, Callable[..., Coder]]):
    """Coder classes by versioned name: the built-ins load from their modules on first use."""

    def __init__(self) -> None:
        self._classes: dict[str, Callable[..., Coder]] = {}

    def add(self, name: str, cls: Callable[..., Coder]) -> None:
        self._classes[name] = cls

    def __getitem__(self, name: str) -> Callable[..., Coder]:
        if name not in self._classes and name in BUILT_IN:
            importlib.import_module(BUILT_IN[name])  # its @register adds it
        return self._classes[name]

    def __contains__(self, name: object) -> bool:
        return name in self._classes or name in BUILT_IN

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*BUILT_IN, *self._classes]))

    def __len__(self) -> int:
        return len({*BUILT_IN, *self._classes})


CODERS = _Registry()


def register(name: str) -> Callable[[type], type]:
    """Register a coder class under a versioned name ("x.v1" stays registered when "x.v2" arrives)."""
    def decorate(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        CODERS.add(name, cls)
        return cls
    return decorate


def coder_names() -> list[str]:
    return sorted(CODERS)


def resolve_coder(name: str) -> str:
    """The versioned registry name `name` stands for: itself, or for a bare family name ("semantic")
    its default version (DEFAULT_VERSIONS), or else its latest."""
    if name in CODERS:
        return name
    names = coder_names()
    family = sorted(n for n in names if n.split(".")[0] == name)
    if not family:
        raise NotFoundError(f"no coder named '{name}'.", f"Choose one of: {', '.join(names)}.")
    return DEFAULT_VERSIONS.get(name, family[-1])


def coder_parameters(name: str) -> dict[str, object]:
    """The parameters a user may set on coder `name` (its `__init__`'s, less the RESOURCES a caller
    provides), with their defaults."""
    signature = inspect.signature(CODERS[resolve_coder(name)])
    return {key: p.default for key, p in signature.parameters.items() if key not in RESOURCES}


def make_coder(name: str, **given: object) -> Coder:
    """A fresh coder by registry name (see `resolve_coder`).

    Callers offer the RESOURCES they have (an `embedder`, a `spacy_model`); each coder takes those
    its `__init__` declares. Every other keyword is a parameter of this coder: one it does not
    declare raises CoderParameterError rather than being dropped.
    """
    name = resolve_coder(name)
    factory = CODERS[name]
    declared = inspect.signature(factory).parameters
    for key in given:
        if key not in RESOURCES and key not in declared:
            raise CoderParameterError(name, key, list(coder_parameters(name)))
    return factory(**{k: v for k, v in given.items() if k in declared})
