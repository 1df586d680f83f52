"""The model store's file plumbing: copies that hash as they go (no torch needed)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from smguard.toxicity.files import CHUNK, copy_hashing, sha256_file, stream_hashing


def test_stream_hashing_copies_hashes_and_reports_progress() -> None:
    data = bytes(range(256)) * (CHUNK // 128) + b"tail!"
    seen: list[tuple[int, int | None]] = []
    out = io.BytesIO()
    sha256, size = stream_hashing(io.BytesIO(data), out, None, lambda d, t: seen.append((d, t)))
    assert out.getvalue() == data and size == len(data) == 2 * CHUNK + 5
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert seen == [(CHUNK, None), (2 * CHUNK, None), (len(data), None)]


def test_copy_hashing_gives_the_hash_of_the_copy(tmp_path: Path) -> None:
    src, dest = tmp_path / "model.ckpt", tmp_path / "copy.ckpt"
    src.write_bytes(b"weights" * 1000)
    seen: list[tuple[int, int | None]] = []
    sha256 = copy_hashing(src, dest, lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == src.read_bytes()
    assert sha256 == sha256_file(dest) == hashlib.sha256(src.read_bytes()).hexdigest()
    assert seen == [(7000, 7000)]
