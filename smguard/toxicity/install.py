"""Installing a checkpoint into the store: the steps ``pull`` and ``import`` share.

The checkpoint is staged, checked (detoxify layout, loads, predicts), given its tokenizer and
config and a manifest, and only then moved into place: a bad file leaves the store unchanged.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smguard._version import __version__
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.checkpoint import CheckpointInfo, inspect_checkpoint, read_checkpoint
from smguard.toxicity.errors import DownloadError, ModelInvalid, ModelStoreError
from smguard.toxicity.files import replace_dir
from smguard.toxicity.loading import load_detoxify, quiet_transformers
from smguard.toxicity.manifest import InstalledModel, read_manifest
from smguard.toxicity.paths import CHECKPOINT, HF_FOLDER, MANIFEST
from smguard.toxicity.releases import KNOWN_MODELS, official_match

__all__ = ["default_name", "finish_install"]


def _install(root: Path, name: str, staging: Path) -> Path:
    """Move a finished staging folder into place, replacing an older install atomically."""
    return replace_dir(root / name, staging, trash_dir=root)


def _build_hf_folder(info: CheckpointInfo, source: str, dest: Path, *, download: bool) -> None:
    """Save the tokenizer and config (with the right number of labels) into ``dest``.

    ``download``: may fetch ``source`` from the Hugging Face Hub (``pull``); otherwise only a
    local folder or the HF cache will do (``import`` is for machines without internet).
    """
    try:
        import transformers
    except ImportError:
        raise ModelStoreError(
            "installing models needs the detoxify extra: pip install 'smguard[detoxify]'"
        ) from None
    model_class = getattr(transformers, info.model_name, None)
    tokenizer_class = getattr(transformers, info.tokenizer_name, None)
    if model_class is None or tokenizer_class is None:
        missing = info.model_name if model_class is None else info.tokenizer_name
        raise ModelInvalid(f"the checkpoint needs {missing}, which transformers does not have")
    local = not download
    with quiet_transformers():
        try:
            config = model_class.config_class.from_pretrained(
                source, num_labels=info.num_classes, local_files_only=local
            )
            tokenizer = tokenizer_class.from_pretrained(source, local_files_only=local)
        except OSError:
            if download:
                raise DownloadError(
                    f"cannot download the tokenizer and config of {info.model_type} from the "
                    "Hugging Face Hub; check the internet connection"
                ) from None
            raise ModelStoreError(
                f"the tokenizer and config for {info.model_type} are not on this machine: give "
                "their folder with --config-path (the 'hf' folder of a model pulled elsewhere)"
            ) from None
        config.save_pretrained(dest)
        tokenizer.save_pretrained(dest)


def finish_install(
    root: Path,
    name: str,
    staging: Path,
    *,
    config_source: str | None,
    download: bool,
    sha256: str,
    source: str,
    trusted: bool,
) -> InstalledModel:
    checkpoint = staging / CHECKPOINT
    loaded = read_checkpoint(checkpoint, trusted=trusted, where=source)
    info = inspect_checkpoint(loaded, source)
    del loaded
    hf = staging / HF_FOLDER
    hf.mkdir()
    _build_hf_folder(info, config_source or info.model_type, hf, download=download)
    # Prove it loads and predicts from the staged files alone before it replaces anything.
    model = load_detoxify(checkpoint, hf, trusted=trusted, where=source)
    scores = model.predict(["smguard self-test"])
    if not scores:
        raise ModelInvalid(f"{source}: the model loads but predicts nothing")
    manifest = {
        "name": name,
        "classes": list(info.classes),
        "model_type": info.model_type,
        "model_name": info.model_name,
        "tokenizer_name": info.tokenizer_name,
        "num_classes": info.num_classes,
        "sha256": sha256,
        "size": checkpoint.stat().st_size,
        "source": source,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trusted": trusted,
        "smguard": __version__,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _keep_export(root / name, staging, sha256)
    folder = _install(root, name, staging)
    return read_manifest(folder)


def _keep_export(old: Path, staging: Path, sha256: str) -> None:
    """Carry an ONNX export over to a reinstall of the very same checkpoint (same SHA-256)."""
    export = old / onnxengine.ONNX_FOLDER
    try:
        data = json.loads((export / onnxengine.EXPORT_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    target = staging / onnxengine.ONNX_FOLDER
    if isinstance(data, dict) and data.get("checkpoint_sha256") == sha256 and not target.exists():
        with contextlib.suppress(OSError):
            shutil.copytree(export, target)


def default_name(src: Path, sha256: str, manifest: Mapping[str, Any]) -> str:
    if isinstance(manifest.get("name"), str):
        return str(manifest["name"])
    for known in KNOWN_MODELS.values():
        if src.name == Path(known.file).name:
            return known.name
    known_by_hash = official_match(sha256)
    if known_by_hash:
        return known_by_hash.name
    stem = re.sub(r"[^a-z0-9._-]+", "-", src.stem.lower()).strip("-._")
    return stem or "model"
