"""The layers ARCHITECTURE.md draws, checked on the code: the import-linter contracts in pyproject.toml,
the lazy `qualkit.services` package, and a coder registry that needs no import side effects."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from qualkit import services
from qualkit.coders import base

from paths import REPO

PYPROJECT = REPO / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
HEAVY = ("torch", "spacy", "sklearn", "sentence_transformers", "bertopic")


def by_id(contract_id: str) -> dict:
    return next(c for c in CONTRACTS if c["id"] == contract_id)


def top_level_modules() -> set[str]:
    """Every module and package directly under qualkit/ (a folder counts when it holds Python)."""
    package = REPO / "qualkit"
    names = {f"qualkit.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    names |= {f"qualkit.{p.name}" for p in package.iterdir()
              if p.is_dir() and p.name != "__pycache__" and any(p.rglob("*.py"))}
    return names


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after `code` (this one has imported everything)."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


# --- layer contracts ---------------------------------------------------------------------------------

def lint_imports(folder: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts over the package found from `folder`."""
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
               "--no-cache", "--no-logo", str(PYPROJECT)]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)


def test_layer_contracts_hold() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_contracts_name_every_module_of_the_package() -> None:
    """A new top-level module falls under the contracts only if they name it: this says when to add it."""
    everything = top_level_modules()
    assert set(by_id("model-is-pure")["forbidden_modules"]) == everything - {"qualkit.model",
                                                                              "qualkit.__main__"}
    assert set(by_id("sql-in-store")["source_modules"]) == everything - {"qualkit.store"}


def test_a_forbidden_import_breaks_its_contracts(tmp_path: Path) -> None:
    """The contracts can fail: the same configuration over a copy of the package with one bad import."""
    shutil.copytree(REPO / "qualkit", tmp_path / "qualkit", ignore=shutil.ignore_patterns("__pycache__"))
    for module, line in (("model/coding.py", "from qualkit.store import schema"),  # a layer skipped
                         ("ingest/readers/text.py", "from qualkit.ingest import registry")):  # a cycle
        target = tmp_path / "qualkit" / module
        target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(tmp_path, {"PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0
    assert "qualkit.model.coding -> qualkit.store.schema" in result.stdout
    assert "No cycles are allowed in qualkit.ingest" in result.stdout


# --- the lazy services package -----------------------------------------------------------------------

def test_services_type_checking_imports_are_the_lazy_exports() -> None:
    tree = ast.parse((REPO / "qualkit" / "services" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    imported = {alias.name: node.module.rsplit(".", 1)[1]  # type: ignore[union-attr]
                for node in guarded.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert imported == services.HOME
    assert len(services.HOME) == sum(map(len, services.EXPORTS.values()))  # no name from two modules
    assert services.__all__ == sorted(imported)


def test_every_service_export_is_its_module_own() -> None:
    for name, module in services.HOME.items():
        assert getattr(services, name) is vars(importlib.import_module(f"qualkit.services.{module}"))[name]
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        services.nothing_here  # noqa: B018


def test_importing_services_loads_no_use_case() -> None:
    loaded = loaded_after("from qualkit import services")
    assert not [name for name in loaded if name.startswith("qualkit.services.")]
    assert not [name for name in HEAVY if name in loaded]


def test_services_agreement_stays_the_function_when_its_module_is_imported_first() -> None:
    loaded_after("import qualkit.services.agreement\nfrom qualkit import services\n"
                 "assert callable(services.agreement) and services.agreement.__name__ == 'agreement'\n"
                 "import qualkit.services.reports\nassert callable(services.agreement)")


# --- coder registry ----------------------------------------------------------------------------------

def test_the_coder_registry_knows_every_name_without_importing_a_coder() -> None:
    loaded = loaded_after("from qualkit.coders.base import coder_names, coder_parameters\n"
                          "assert 'ensemble.v1' in coder_names()")
    assert not [name for name in base.BUILT_IN.values() if name in loaded]
    assert not [name for name in HEAVY if name in loaded]


def test_every_built_in_coder_registers_under_its_table_name() -> None:
    for name, module in base.BUILT_IN.items():
        cls = base.CODERS[name]
        assert cls.__module__ == module and cls.name == name  # type: ignore[attr-defined]


def test_every_coder_the_package_registers_is_in_the_table() -> None:
    """A coder added with @register but not to BUILT_IN would exist only once its module happened to load."""
    for module in pkgutil.iter_modules([str(REPO / "qualkit" / "coders")]):
        importlib.import_module(f"qualkit.coders.{module.name}")
    registered = {name for name in base.CODERS if base.CODERS[name].__module__.startswith("qualkit.")}
    assert registered == set(base.BUILT_IN)
