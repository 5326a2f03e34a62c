"""Where report files live, how they are written, and when a file on disk is trusted.

Files are written to a temporary name and renamed into place, so a reader never sees half
a document. Each export document's size and SHA-256 are recorded once its file is there,
and a file is trusted only if its content is the one recorded: a file left by a killed
run, or changed on disk since, is not.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from reports.models import ExportPart, ReportJob


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def parts_dir(job: ReportJob) -> Path:
    """The folder an export's documents are rendered into before the ZIP is made."""
    return reports_root() / f"{job.public_id}.parts"


def item_stem(part: ExportPart, i: int) -> str:
    """The file name (without .pdf) of document `i` of an export part."""
    return f"{part.index:05d}-{i:04d}"


def media_relative(path: Path) -> str:
    """The path as stored on the job: relative to MEDIA_ROOT."""
    return str(path.relative_to(Path(settings.MEDIA_ROOT)))


def write_atomic(target: Path, chunks: Iterator[bytes] | bytes) -> tuple[int, str]:
    """Write to a temporary file in the same folder, fsync, rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                fh.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def matches_record(path: Path, recorded: dict | None) -> bool:
    """The file is there with exactly the content recorded when it was written."""
    if not recorded or "sha256" not in recorded:
        return False  # a file nobody recorded (a killed run's) is not trusted
    try:
        size, sha = file_digest(path)
    except FileNotFoundError:
        return False
    return size == recorded.get("size") and sha == recorded["sha256"]


def verified_bytes(path: Path, recorded: dict | None) -> bytes | None:
    """The file's content if it is exactly what was recorded, else None. Read once: the
    bytes that are checked are the bytes that go into the ZIP."""
    if not recorded or "sha256" not in recorded:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) != recorded.get("size") or hashlib.sha256(data).hexdigest() != recorded["sha256"]:
        return None
    return data
