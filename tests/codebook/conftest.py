"""Codebooks the codebook tests share: the shipped starter codebook and a small tree to edit."""

from __future__ import annotations

import pytest

from qualkit.interop.codebook_yaml import load_codebook
from qualkit.model import Code, Codebook

from paths import REPO


@pytest.fixture(scope="session")
def family() -> Codebook:
    return load_codebook(REPO / "codebooks" / "family_support.yaml")


@pytest.fixture
def small() -> Codebook:
    """trust, distrust > fear, help > (housing > repairs, money)."""
    return Codebook(name="Small", codes=[
        Code(id="trust", name="Trust", description="Belief the worker is on their side.",
             include=["Says they trust the worker"], exclude=["Worker techniques (use help)"],
             keywords=["trust", "confide"], examples=["I trust her."], color="#1F77B4"),
        Code(id="distrust", name="Distrust", description="Doubt about the worker.",
             include=["says they trust the worker ", "Doubts the worker"], exclude=["Fear of services"],
             keywords=["TRUST", "suspicious"], examples=["I never trusted them."], color="#FF7F0E",
             children=[Code(id="fear", name="Fear", keywords=["scared"])]),
        Code(id="help", name="Help", children=[
            Code(id="housing", name="Housing", children=[Code(id="repairs", name="Repairs")]),
            Code(id="money", name="Money"),
        ]),
    ])
