"""``smguard models import``: install a model carried to this machine (air-gapped installs).

A checkpoint file, a model folder made by ``pull`` (with its tokenizer and config, and its ONNX
export when it has one), or an ONNX export alone: the last needs no torch, which is how a
machine with only ``smguard[onnx]`` gets a model.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from smguard.errors import ModelUnavailable
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.checkpoint import checkpoint_in_folder
from smguard.toxicity.errors import ModelInvalid, ModelStoreError
from smguard.toxicity.extras import extra_installed, require_extra
from smguard.toxicity.files import ProgressCallback, copy_hashing, make_staging, replace_dir
from smguard.toxicity.install import default_name, finish_install
from smguard.toxicity.manifest import InstalledModel, get_model, read_manifest
from smguard.toxicity.paths import CHECKPOINT, HF_FOLDER, MANIFEST, check_name

__all__ = ["import_model", "import_onnx"]


def import_model(
    root: Path,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    config_path: str | os.PathLike[str] | None = None,
    trust: bool = False,
    progress: ProgressCallback | None = None,
) -> InstalledModel:
    """Install a checkpoint file, or a model folder made by ``pull``, into the store.

    The checkpoint is copied, validated (detoxify layout, loads, predicts) and only then moved
    into place; a corrupt file raises :class:`ModelInvalid` and leaves the store unchanged.
    """
    src = Path(path).expanduser()
    if not src.exists():
        raise ModelStoreError(f"{src}: no such file or folder")
    export = _export_in(src)
    if export is not None and (not _has_checkpoint(src) or not extra_installed()):
        # An ONNX export alone (e.g. copied to a machine without torch): no checkpoint to load.
        return import_onnx(root, export, name=name)
    require_extra()
    manifest: dict[str, Any] = {}
    config_source: str | None = str(Path(config_path).expanduser()) if config_path else None
    if src.is_dir():
        if (src / MANIFEST).is_file():
            with contextlib.suppress(OSError, ValueError):
                manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        if config_source is None and (src / HF_FOLDER / "config.json").is_file():
            config_source = str(src / HF_FOLDER)
        src = checkpoint_in_folder(src)
    if config_source is not None and not Path(config_source).is_dir():
        raise ModelStoreError(f"{config_source}: the --config-path folder does not exist")
    staging = make_staging(root, "import")
    try:
        sha256 = copy_hashing(src, staging / CHECKPOINT, progress)
        final = check_name(name or default_name(src, sha256, manifest))
        if export is not None:
            _stage_export(export, staging / onnxengine.ONNX_FOLDER, sha256)
        return finish_install(
            root,
            final,
            staging,
            config_source=config_source,
            download=False,
            sha256=sha256,
            source=str(Path(path).expanduser().resolve()),
            trusted=trust,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export_in(src: Path) -> Path | None:
    """The ONNX export folder in ``src`` (``src`` itself or ``src/onnx``), if there is one."""
    if not src.is_dir():
        return None
    for folder in (src, src / onnxengine.ONNX_FOLDER):
        if (folder / onnxengine.EXPORT_INFO).is_file():
            return folder
    return None


def _has_checkpoint(src: Path) -> bool:
    if src.is_file():
        return True
    return any(p.suffix in (".ckpt", ".pt", ".pth") for p in src.iterdir() if p.is_file())


def _stage_export(export: Path, dest: Path, sha256: str | None) -> onnxengine.ExportInfo:
    """Copy an export folder to ``dest`` after checking it (it loads and scores, when it can)."""
    info = onnxengine.read_export(export)
    if sha256 and info.checkpoint_sha256 and info.checkpoint_sha256 != sha256:
        raise ModelStoreError(
            f"{export}: this ONNX export was made from another checkpoint than the one being "
            "installed; export it again"
        )
    shutil.copytree(export, dest)
    if onnxengine.available():
        for engine in onnxengine.read_export(dest).engines:
            try:
                onnxengine.OnnxModel(dest, engine, threads=1).predict(["smguard self-test"])
            except ModelUnavailable as exc:
                raise ModelInvalid(f"{export}: {exc.reason}") from None
    return info


def import_onnx(
    root: Path, path: str | os.PathLike[str], *, name: str | None = None
) -> InstalledModel:
    """Install an ONNX export folder (made by ``export_onnx``) as ``<root>/<name>/onnx/``.

    Needs no torch: this is how an air-gapped machine with ``smguard[onnx]`` gets a model. The
    files are checked (and, with onnxruntime installed, loaded and run) before anything is
    replaced; a model already installed under ``name`` keeps its checkpoint.
    """
    src = Path(path).expanduser()
    export = _export_in(src)
    if export is None:
        raise ModelStoreError(f"{src}: no ONNX export here ({onnxengine.EXPORT_INFO} is missing)")
    try:
        info = onnxengine.read_export(export)
    except ModelUnavailable as exc:
        raise ModelInvalid(exc.reason) from None
    final = check_name(name or info.name)
    existing = get_model(root, final)
    sha256 = existing.sha256 if existing is not None and existing.checkpoint.is_file() else None
    staging = make_staging(root, f"{final}-onnx")
    try:
        shutil.rmtree(staging)
        _stage_export(export, staging, sha256)
        (root / final).mkdir(parents=True, exist_ok=True)
        replace_dir(root / final / onnxengine.ONNX_FOLDER, staging, trash_dir=root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_manifest(root / final)
