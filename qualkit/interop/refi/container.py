"""The .qdpx container: a zip holding one `project.qde` and a flat `sources/` folder (REFI §8).

Writing follows the spec exactly (lower-case `project.qde` and `sources/`, which ATLAS.ti
requires). Reading matches names case-insensitively, because NVivo writes `Sources/` and the
spec's own annex shows `Project.qde`, and refuses zip bombs before reading any member. Source
files are found by name anywhere in the archive (those in `sources/` win), since not every
program keeps the folder flat.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualkit.errors import CorruptFileError
from qualkit.ingest.safety import Limits, check_zip

PROJECT_MEMBER = "project.qde"
SOURCES_FOLDER = "sources"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # so that exporting the same project twice gives the same bytes


@dataclass(frozen=True)
class Archive:
    """What a .qdpx holds: the project XML and the files under sources/, by lower-case name."""

    project_xml: bytes
    project_member: str
    sources: dict[str, bytes]

    def source(self, name: str) -> bytes | None:
        return self.sources.get(name.lower())


def write_qdpx(path: Path, project_xml: bytes, sources: dict[str, bytes]) -> None:
    """Write the archive to `path` atomically (a half-written file never replaces a good one)."""
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        _add(archive, PROJECT_MEMBER, project_xml)
        for name in sorted(sources):
            _add(archive, f"{SOURCES_FOLDER}/{name}", sources[name])
    os.replace(partial, path)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def read_qdpx(path: Path, data: bytes, limits: Limits) -> Archive:
    """The project XML and source files of a .qdpx's bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise CorruptFileError(path, f"is not a readable zip archive ({error}).",
                               "Export the project again from the program that made it.") from error
    check_zip(path, data, limits)
    projects = [info for info in archive.infolist() if info.filename.lower().endswith(".qde")]
    if len(projects) != 1:
        found = ", ".join(info.filename for info in projects) or "none"
        raise CorruptFileError(path, f"must hold exactly one project.qde (found: {found}).",
                               "Export the project again as REFI-QDA (.qdpx) from the program that made it.")
    try:
        sources: dict[str, bytes] = {}
        # sources/ first, then files anywhere else in the archive (some programs nest them)
        for info in sorted((i for i in archive.infolist() if _is_file(i, projects[0])), key=_not_in_sources):
            sources.setdefault(PurePosixPath(info.filename).name.lower(), archive.read(info))
        project_xml = archive.read(projects[0])
    except (zipfile.BadZipFile, OSError) as error:
        raise CorruptFileError(path, f"has a damaged member ({error}).",
                               "Export the project again from the program that made it.") from error
    return Archive(project_xml, projects[0].filename, sources)


def _is_file(info: zipfile.ZipInfo, project: zipfile.ZipInfo) -> bool:
    return not info.is_dir() and info.filename != project.filename


def _not_in_sources(info: zipfile.ZipInfo) -> tuple[bool, str]:
    parts = PurePosixPath(info.filename).parts
    return not (len(parts) == 2 and parts[0].lower() == SOURCES_FOLDER), info.filename
