"""File plumbing of the model store: hashing, copying, staging folders, atomic replacement.

A model is built in a hidden staging folder inside the store and moved into place in one
``os.replace``, so that a failed install leaves the model that was there before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

__all__ = [
    "CHUNK",
    "ProgressCallback",
    "copy_hashing",
    "make_staging",
    "replace_dir",
    "sha256_file",
    "stream_hashing",
]

#: Bytes read or downloaded at a time.
CHUNK = 1 << 20

#: Called with the bytes done so far and the total (``None`` when unknown).
ProgressCallback = Callable[[int, int | None], None]


class Readable(Protocol):
    """A file or an HTTP response: anything with ``read(size)``."""

    def read(self, size: int, /) -> bytes: ...


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashing(src: Path, dest: Path, progress: ProgressCallback | None = None) -> str:
    """Copy ``src`` to ``dest``; the SHA-256 of what was copied."""
    with src.open("rb") as fin, dest.open("wb") as fout:
        return stream_hashing(fin, fout, src.stat().st_size, progress)[0]


def stream_hashing(
    source: Readable, out: BinaryIO, total: int | None, progress: ProgressCallback | None = None
) -> tuple[str, int]:
    """Copy ``source`` to ``out`` a chunk at a time; the SHA-256 of what was copied, and its size.

    ``total`` (``None`` when unknown) is only handed to ``progress``.
    """
    import hashlib

    digest = hashlib.sha256()
    done = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    return digest.hexdigest(), done


def make_staging(root: Path, name: str) -> Path:
    """A new hidden folder in the store to build ``name`` in."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".staging-{name}-", dir=root))


def replace_dir(target: Path, staging: Path, *, trash_dir: Path) -> Path:
    """Move ``staging`` to ``target``, replacing what is there; put it back if the move fails."""
    name = target.name
    trash: Path | None = None
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".old-{name}-", dir=trash_dir))
        os.replace(target, trash / name)
    try:
        os.replace(staging, target)
    except OSError:
        if trash is not None:  # put the old model back rather than leave none
            os.replace(trash / name, target)
            shutil.rmtree(trash, ignore_errors=True)
        raise
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    return target
