"""``smguard models export``: an installed model (or a checkpoint file) to ONNX, checked first.

The export is built in a staging folder for the torch-free engine of
:mod:`smguard.toxicity.onnx`, scored against torch (:mod:`.agreement`), and installed as
``<root>/<name>/onnx/`` only when its scores agree; otherwise it is refused and the store is
left as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smguard._version import __version__
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.agreement import (
    DEFAULT_TOLERANCE,
    VERIFY_TEXTS,
    Agreement,
    compare,
    torch_scores,
)
from smguard.toxicity.checkpoint import checkpoint_in_folder
from smguard.toxicity.convert import (
    FUSED_MODEL_TYPES,
    export_tokenizer,
    first_line,
    fuse_transformer,
    quantize,
    tokenizer_mismatches,
    torch_to_onnx,
)
from smguard.toxicity.cpu import cpu_info
from smguard.toxicity.errors import ExportRefused, ModelStoreError
from smguard.toxicity.extras import require_export_extra
from smguard.toxicity.files import make_staging, replace_dir, sha256_file
from smguard.toxicity.install import default_name
from smguard.toxicity.loading import load_detoxify
from smguard.toxicity.manifest import get_model
from smguard.toxicity.paths import HF_FOLDER, MANIFEST, check_name, valid_name
from smguard.toxicity.releases import KNOWN_MODELS

__all__ = ["DEFAULT_OPSET", "ExportResult", "export_onnx"]

DEFAULT_OPSET = 17


@dataclass(frozen=True)
class ExportResult:
    """An installed export: where, which engines, and its agreement with torch."""

    name: str
    folder: Path
    engines: tuple[str, ...]
    agreement: Agreement
    exporter: str
    sizes: Mapping[str, int]
    seconds: float


@dataclass(frozen=True)
class _Source:
    checkpoint: Path
    config_dir: Path | None
    trusted: bool
    name: str
    sha256: str
    #: How messages name it; and where the checkpoint came from (``export.json``'s ``source``).
    where: str
    origin: str


def _export_source(
    root: Path,
    source: str | os.PathLike[str],
    name: str | None,
    config_path: str | os.PathLike[str] | None,
    trust: bool,
) -> _Source:
    """Which checkpoint to export, from a store name or a file/folder path."""
    ref = str(source)
    installed = get_model(root, ref) if valid_name(ref) else None
    if installed is not None and installed.checkpoint.is_file():
        if not installed.ok:
            raise ModelStoreError(f"the '{ref}' model in {installed.folder}: {installed.problem}")
        return _Source(
            installed.checkpoint,
            installed.config_dir,
            installed.trusted,
            check_name(name or ref),
            installed.sha256,
            ref,
            installed.source or ref,
        )
    path = Path(source).expanduser()
    if not path.exists():
        if valid_name(ref):
            how = (
                f"smguard models pull {ref}"
                if ref in KNOWN_MODELS
                else f"smguard models import PATH --name {ref}"
            )
            raise ModelStoreError(f"the '{ref}' model is not installed in {root}: {how} first")
        raise ModelStoreError(f"{path}: no such file or folder")
    manifest: dict[str, Any] = {}
    config_dir = Path(config_path).expanduser() if config_path else None
    if path.is_dir():
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if config_dir is None and (path / HF_FOLDER / "config.json").is_file():
            config_dir = path / HF_FOLDER
        trust = trust or bool(manifest.get("trusted", False))
        path = checkpoint_in_folder(path)
    if config_dir is not None and not config_dir.is_dir():
        raise ModelStoreError(f"{config_dir}: the --config-path folder does not exist")
    sha256 = sha256_file(path)
    final = check_name(name or default_name(path, sha256, manifest))
    where = str(path.resolve())
    return _Source(path, config_dir, trust, final, sha256, where, where)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"smguard": __version__}
    for package in ("torch", "transformers", "onnxruntime", "onnx", "tokenizers"):
        with contextlib.suppress(PackageNotFoundError):
            out[package] = version(package)
    return out


def export_onnx(
    root: Path,
    source: str | os.PathLike[str],
    *,
    name: str | None = None,
    config_path: str | os.PathLike[str] | None = None,
    trust: bool = False,
    int8: bool = True,
    fuse: bool = True,
    per_channel: bool = True,
    reduce_range: bool = True,
    opset: int = DEFAULT_OPSET,
    tolerance: float = DEFAULT_TOLERANCE,
    texts: Sequence[str] | None = None,
    threads: int | None = None,
    log: Callable[[str], None] | None = None,
) -> ExportResult:
    """Export a detoxify model to ONNX (and int8), check it against torch, install it.

    ``source`` is a model name in the store or a checkpoint file/folder (then ``name``,
    default from the file, says where in the store it goes, and ``config_path`` where its
    tokenizer/config are). The export is built in a staging folder, scored against torch on
    ``texts`` (default :data:`VERIFY_TEXTS`), and moved to ``<root>/<name>/onnx/`` only when no
    score differs by more than ``tolerance``; otherwise :class:`ExportRefused` is raised and the
    store is left as it was.

    ``fuse`` (default) rewrites the graph into ONNX Runtime's fused transformer ops before int8
    quantisation (:func:`.convert.fuse_transformer`); ``per_channel`` and ``reduce_range`` are
    :func:`.convert.quantize`'s. ``export.json``'s ``optimizations`` records what was applied.
    """
    started = time.perf_counter()
    say = log or (lambda _msg: None)
    require_export_extra(int8)
    if not 0 <= tolerance <= 1:
        raise ModelStoreError(f"the tolerance must be from 0 to 1, not {tolerance}")
    src = _export_source(root, source, name, config_path, trust)
    texts = list(VERIFY_TEXTS if texts is None else texts)
    if not texts:
        raise ModelStoreError("the agreement check needs at least one text")
    target = root / src.name
    existing = get_model(root, src.name)
    if (
        existing is not None
        and existing.checkpoint.is_file()
        and existing.sha256
        and src.sha256
        and existing.sha256 != src.sha256
    ):
        raise ModelStoreError(
            f"another checkpoint is installed as '{src.name}' in {root}; export under another "
            "--name"
        )
    say(f"Loading {src.where} with torch")
    model: Any = load_detoxify(src.checkpoint, src.config_dir, trusted=src.trusted, where=src.where)
    labels = list(model.class_names)
    say(f"Scoring {len(texts)} texts with torch")
    reference = torch_scores(model, texts)
    root.mkdir(parents=True, exist_ok=True)
    staging = make_staging(root, f"{src.name}-onnx")
    try:
        facts = export_tokenizer(model.tokenizer, staging)
        (staging / onnxengine.LABELS_FILE).write_text(
            json.dumps(labels, indent=2) + "\n", encoding="utf-8"
        )
        info: dict[str, Any] = {
            "name": src.name,
            "labels": labels,
            **facts,
            "checkpoint_sha256": src.sha256,
            "source": src.origin,
            "opset": opset,
        }
        _write_json(staging / onnxengine.EXPORT_INFO, info)
        example = model.tokenizer(
            ["smguard exports this example text", "short"],
            return_tensors="pt",
            truncation=True,
            padding=True,
        )
        say(f"Exporting to ONNX (opset {opset})")
        fp32 = staging / onnxengine.MODEL_FP32
        unfused = staging / "model.unfused.onnx"
        exporter = torch_to_onnx(model.model, example, facts["input_names"], unfused, opset)
        optimizations: dict[str, Any] = {
            "fusion": _fuse(model.model, unfused, fp32, say) if fuse else {"applied": False},
            "exported_on": cpu_info().summary(),
        }
        if not fp32.is_file():
            unfused.rename(fp32)
        unfused.unlink(missing_ok=True)
        engines = ["onnx"]
        if int8:
            say("Quantising to int8")
            optimizations["int8"] = quantize(
                fp32,
                staging / onnxengine.MODEL_INT8,
                per_channel=per_channel,
                reduce_range=reduce_range,
            )
            engines.insert(0, "onnx-int8")
        info["optimizations"] = optimizations
        say(f"Comparing with torch on {len(texts)} texts")
        onnx_models = {e: onnxengine.OnnxModel(staging, e, threads=threads) for e in engines}
        agreement = compare(reference, labels, onnx_models, texts, tolerance)
        del onnx_models
        mismatches = tokenizer_mismatches(model.tokenizer, staging, texts)
        sizes = {e: (staging / onnxengine.VARIANTS[e]).stat().st_size for e in engines}
        info.update(
            {
                "engines": engines,
                "exporter": exporter,
                "tolerance": tolerance,
                "texts": len(texts),
                "max_diff": {e: dict(d) for e, d in agreement.max_diff.items()},
                "tokenizer_mismatches": mismatches,
                "sizes": sizes,
                "versions": _versions(),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        _write_json(staging / onnxengine.EXPORT_INFO, info)
        if not agreement.ok:
            worst = max(agreement.failed, key=lambda e: agreement.largest(e)[1])
            label, diff = agreement.largest(worst)
            hint = " (try --no-int8)" if worst == "onnx-int8" else ""
            if optimizations["fusion"]["applied"]:
                hint += " (or export_onnx(..., fuse=False))"
            raise ExportRefused(
                f"export of '{src.name}' refused: {worst} scores differ from torch by up to "
                f"{diff:.4f} ({label}), over the tolerance {tolerance:g}{hint}; nothing was "
                "installed",
                agreement,
            )
        target.mkdir(parents=True, exist_ok=True)
        folder = replace_dir(target / onnxengine.ONNX_FOLDER, staging, trash_dir=root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(
        src.name,
        folder,
        tuple(engines),
        agreement,
        exporter,
        sizes,
        time.perf_counter() - started,
    )


def _fuse(model: Any, src: Path, dest: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Fuse the transformer graph of ``src`` into ``dest`` when the optimizer knows the model;
    what happened, for ``export.json`` (``dest`` is not written when it was not applied)."""
    config = getattr(model, "config", None)
    kind = str(getattr(config, "model_type", ""))
    heads = int(getattr(config, "num_attention_heads", 0) or 0)
    hidden = int(getattr(config, "hidden_size", 0) or 0)
    if kind not in FUSED_MODEL_TYPES or not heads or not hidden:
        return {"applied": False, "reason": f"no fusion for model type {kind or 'unknown'!r}"}
    say("Fusing attention, layer norms and GELU")
    try:
        ops = fuse_transformer(src, dest, num_heads=heads, hidden=hidden)
    except Exception as exc:  # the optimizer's own errors are many and undocumented
        dest.unlink(missing_ok=True)
        return {"applied": False, "reason": first_line(exc)}
    return {"applied": True, "optimizer": "onnxruntime.transformers (bert)", "ops": ops}


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
