"""Safe extraction of uploaded zip archives (zipped shapefiles, KMZ).

Guards against the three classic archive attacks before a byte is written: members whose path
leaves the extraction folder (zip-slip: ``../x.shp``, absolute paths, drive letters), archives
whose declared uncompressed size is above a limit or whose compression ratio is absurd (zip
bombs), and archives that lie about their sizes (extraction stops at the declared size).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import NotAZipError, UnsafeArchiveError, ZipBombError

__all__ = ["ArchiveLimits", "extract_zip"]

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits for an uploaded archive: total uncompressed bytes and compression ratio."""

    max_uncompressed_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0
    max_members: int = 10_000


def extract_zip(path: Path, target: Path, *, limits: ArchiveLimits | None = None) -> list[Path]:
    """Extract the zip at ``path`` into the folder ``target`` after checking it is safe.

    Parameters
    ----------
    path : Path
        The archive.
    target : Path
        An existing, empty folder.
    limits : ArchiveLimits, optional
        Size and ratio limits (defaults: 2 GiB uncompressed, ratio 200).

    Returns
    -------
    list of Path
        The extracted files (directories excluded).

    Raises
    ------
    NotAZipError, UnsafeArchiveError, ZipBombError
    """
    limits = limits or ArchiveLimits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAZipError(
            f"{path.name} is not a zip archive (or is damaged). Send the shapefile's .shp, .shx, "
            ".dbf and .prj zipped together, or a GeoPackage, GeoJSON or KML file.",
        ) from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        _check_members(members, path.name, limits)
        return [_extract_member(archive, info, target) for info in members]


def _check_members(members: list[zipfile.ZipInfo], name: str, limits: ArchiveLimits) -> None:
    if len(members) > limits.max_members:
        raise ZipBombError(
            f"{name} holds {len(members)} files; at most {limits.max_members} are accepted.",
            details={"members": len(members)},
        )
    for info in members:
        _safe_relative(info.filename, name)
    declared = sum(info.file_size for info in members)
    compressed = sum(info.compress_size for info in members) or 1
    limit_mb = limits.max_uncompressed_bytes / 1024**2
    if declared > limits.max_uncompressed_bytes:
        raise ZipBombError(
            f"{name} would unpack to {declared / 1024**2:,.0f} MB, above the {limit_mb:,.0f} MB "
            "limit. Split the data into smaller archives.",
            details={"declared_bytes": declared},
        )
    ratio = declared / compressed
    if declared > _CHUNK_BYTES and ratio > limits.max_ratio:
        raise ZipBombError(
            f"{name} claims a compression ratio of {ratio:,.0f}:1 (limit {limits.max_ratio:g}:1): "
            "it looks like a zip bomb and was not unpacked.",
            details={"ratio": ratio},
        )


def _safe_relative(member: str, name: str) -> PurePosixPath:
    relative = PurePosixPath(member.replace("\\", "/"))
    is_drive = bool(relative.parts) and relative.parts[0].endswith(":")
    if relative.is_absolute() or ".." in relative.parts or is_drive:
        raise UnsafeArchiveError(
            f"{name} contains the path {member!r}, which points outside the archive's folder. "
            "Re-create the zip from the folder holding the files (no '..' or absolute paths).",
            details={"member": member},
        )
    return relative


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> Path:
    out = target.joinpath(*_safe_relative(info.filename, "archive").parts)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as src, out.open("wb") as dst:
        while chunk := src.read(_CHUNK_BYTES):
            written += len(chunk)
            if written > info.file_size:  # the archive lied about its size
                raise ZipBombError(
                    f"{info.filename} unpacks to more than its declared {info.file_size} bytes; "
                    "the archive is damaged or malicious.",
                )
            dst.write(chunk)
    return out
