"""detoxify's models on ONNX Runtime: the toxicity check without torch or transformers.

``smguard models export NAME`` (which needs torch, once, on any machine) writes an export folder
next to the model's checkpoint::

    <root>/<name>/onnx/model.onnx          the model, fused transformer ops, dynamic axes (fp32)
    <root>/<name>/onnx/model.int8.onnx     the same, weights quantised to int8 (dynamic)
    <root>/<name>/onnx/tokenizer.json      the tokenizer, for the ``tokenizers`` library
    <root>/<name>/onnx/labels.json         the label of each output column
    <root>/<name>/onnx/export.json         how it was made and how far it is from torch

:class:`OnnxModel` loads such a folder with ``onnxruntime`` and ``tokenizers`` only (the
``smguard[onnx]`` extra) and predicts like ``detoxify.Detoxify.predict``: the same tokenisation
(truncation at the model's maximum length), the same sigmoid over every logit, the same labels
and return shapes. It does less wasted work on batches: texts are sorted by token count and cut
into buckets that are each padded to their own longest text, one reused session per model file,
intra-op threads from the configuration, worker threads that sleep rather than spin when idle
(a guard shares its machine), and a warm-up run at load time.

This module never imports torch or transformers; it imports numpy, onnxruntime and tokenizers
only when a model is loaded, so importing it costs nothing.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smguard.errors import ModelUnavailable
from smguard.toxicity.extras import installed

__all__ = [
    "ENV_SPINNING",
    "EXPORT_INFO",
    "INSTALL_FIX",
    "LABELS_FILE",
    "MODEL_FP32",
    "MODEL_INT8",
    "ONNX_FOLDER",
    "TOKENIZER_FILE",
    "VARIANTS",
    "ExportInfo",
    "OnnxModel",
    "available",
    "buckets",
    "default_threads",
    "load",
    "read_export",
]

ONNX_FOLDER = "onnx"
MODEL_FP32 = "model.onnx"
MODEL_INT8 = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
LABELS_FILE = "labels.json"
EXPORT_INFO = "export.json"
INSTALL_FIX = "pip install 'smguard[onnx]'"
#: Engine name -> model file in an export folder.
VARIANTS: Mapping[str, str] = {"onnx": MODEL_FP32, "onnx-int8": MODEL_INT8}

#: ``1`` lets ONNX Runtime's idle threads spin (see :class:`OnnxModel`); anything else: off.
ENV_SPINNING = "SMGUARD_ONNX_SPINNING"

#: Padded tokens per forward pass at most: a batch of 64 long windows (512 tokens each) would
#: hold 64 x 12 heads x 512 x 512 attention scores (800 MB) at once; 8192 keeps it under 100 MB.
MAX_TOKENS = 8192
#: What one more forward pass costs, in padded tokens: the bucketing trades padding for passes.
PASS_COST = 24


def available() -> bool:
    """Whether onnxruntime and tokenizers can be imported, without importing them."""
    return all(map(installed, ("onnxruntime", "tokenizers", "numpy")))


def default_threads() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ExportInfo:
    """``export.json``: what an export folder holds and how it was checked."""

    folder: Path
    name: str
    labels: tuple[str, ...]
    input_names: tuple[str, ...]
    max_length: int
    pad_id: int
    pad_type_id: int = 0
    #: SHA-256 of the checkpoint it was exported from (``""`` when unknown).
    checkpoint_sha256: str = ""
    tolerance: float = 0.02
    #: Engine -> label -> largest score difference from torch found at export.
    max_diff: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def optimizations(self) -> Mapping[str, Any]:
        """What the export applied (fusion, int8 options); ``{}`` for exports made before
        smguard recorded it, which are unfused and load as they are (re-export to speed up)."""
        found = self.raw.get("optimizations", {})
        return found if isinstance(found, Mapping) else {}

    @property
    def fused(self) -> bool:
        fusion = self.optimizations.get("fusion", {})
        return bool(isinstance(fusion, Mapping) and fusion.get("applied"))

    def file(self, engine: str) -> Path:
        return self.folder / VARIANTS[engine]

    def has(self, engine: str) -> bool:
        return self.file(engine).is_file()

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines this folder can run, fastest first."""
        return tuple(e for e in ("onnx-int8", "onnx") if self.has(e))


def read_export(folder: Path) -> ExportInfo:
    """Read an export folder's ``export.json``; raise ``ModelUnavailable`` naming what is wrong."""
    where = folder / EXPORT_INFO
    fix = f"smguard models export {folder.parent.name}"
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        labels = tuple(str(x) for x in data["labels"])
        info = ExportInfo(
            folder=folder,
            name=str(data.get("name", folder.parent.name)),
            labels=labels,
            input_names=tuple(str(x) for x in data["input_names"]),
            max_length=int(data["max_length"]),
            pad_id=int(data["pad_id"]),
            pad_type_id=int(data.get("pad_type_id", 0)),
            checkpoint_sha256=str(data.get("checkpoint_sha256", "")),
            tolerance=float(data.get("tolerance", 0.02)),
            max_diff={
                str(k): {str(label): float(d) for label, d in v.items()}
                for k, v in dict(data.get("max_diff", {})).items()
            },
            raw=data,
        )
    except FileNotFoundError:
        raise ModelUnavailable(
            f"{folder} holds no ONNX export ({EXPORT_INFO} is missing)", fix=fix
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelUnavailable(f"{where} is unreadable ({exc})", fix=fix) from None
    if not labels or not info.input_names or "input_ids" not in info.input_names:
        raise ModelUnavailable(f"{where} names no labels or inputs", fix=fix)
    if not (folder / TOKENIZER_FILE).is_file():
        raise ModelUnavailable(f"{folder}: {TOKENIZER_FILE} is missing", fix=fix)
    if not info.engines:
        raise ModelUnavailable(f"{folder}: neither {MODEL_INT8} nor {MODEL_FP32} is there", fix=fix)
    return info


def buckets(
    lengths: Sequence[int], max_tokens: int = MAX_TOKENS, pass_cost: int = PASS_COST
) -> list[tuple[int, int]]:
    """Cut ascending ``lengths`` into ``(start, end)`` runs that waste the least work.

    A run is padded to its last (longest) length and costs ``n * longest + pass_cost``; runs
    hold at most ``max_tokens`` padded tokens (a single longer text runs alone). The cheapest
    cut is found exactly (dynamic programming over at most a batch of texts: microseconds).
    """
    n = len(lengths)
    best = [0] + [sys.maxsize] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        longest = lengths[end - 1]
        for start in range(end - 1, -1, -1):
            size = end - start
            if size > 1 and size * longest > max_tokens:
                break
            cost = best[start] + size * longest + pass_cost
            if cost < best[end]:
                best[end] = cost
                cut[end] = start
    out: list[tuple[int, int]] = []
    end = n
    while end > 0:
        out.append((cut[end], end))
        end = cut[end]
    return out[::-1]


class OnnxModel:
    """An exported detoxify model on ONNX Runtime, with ``Detoxify.predict``'s interface."""

    def __init__(
        self,
        folder: Path,
        engine: str = "onnx-int8",
        *,
        threads: int | None = None,
        max_tokens: int = MAX_TOKENS,
        spinning: bool = False,
    ) -> None:
        if engine not in VARIANTS:
            raise ValueError(f"engine must be one of {', '.join(VARIANTS)}, not {engine!r}")
        self.info = read_export(folder)
        path = self.info.file(engine)
        if not path.is_file():
            raise ModelUnavailable(
                f"{folder}: {path.name} is missing",
                fix=f"smguard models export {self.info.name}"
                + (" --int8" if engine == "onnx-int8" else ""),
            )
        try:
            import numpy as np
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise ModelUnavailable(
                "the onnx engine needs onnxruntime and tokenizers, which are not installed",
                fix=INSTALL_FIX,
            ) from None
        self._np: Any = np
        self.engine = engine
        self.path = path
        self.threads = threads or default_threads()
        self.spinning = spinning
        self.max_tokens = max_tokens
        self.class_names: list[str] = list(self.info.labels)
        tokenizer: Any = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.info.max_length)
        self.tokenizer = tokenizer
        options: Any = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads spin for a while before sleeping. That wins a little on an idle
        # machine and loses much when the cores are shared (bench_onnx.py --busy): off by default.
        options.add_session_config_entry("session.intra_op.allow_spinning", str(int(spinning)))
        options.add_session_config_entry("session.inter_op.allow_spinning", str(int(spinning)))
        try:
            self.session: Any = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelUnavailable(
                f"{path} cannot be loaded by onnxruntime ({str(exc).splitlines()[0][:200]})",
                fix=f"smguard models export {self.info.name}",
            ) from None
        self.inputs = tuple(i.name for i in self.session.get_inputs())
        unknown = set(self.inputs) - {"input_ids", "attention_mask", "token_type_ids"}
        if unknown:
            raise ModelUnavailable(
                f"{path} wants inputs smguard does not make: {', '.join(sorted(unknown))}",
                fix=f"smguard models export {self.info.name}",
            )
        self.passes = 0
        self.predict(["smguard warm-up"])  # first run allocates and picks kernels
        self.passes = 0

    def __repr__(self) -> str:
        return f"OnnxModel({str(self.path)!r}, threads={self.threads}, spinning={self.spinning})"

    def logits(self, texts: Sequence[str]) -> Any:
        """The raw model outputs, one row per text in the given order (``numpy`` float32)."""
        np = self._np
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        out: Any = None
        for start, end in buckets([lengths[i] for i in order], self.max_tokens):
            rows = order[start:end]
            width = lengths[rows[-1]]
            ids = np.full((len(rows), width), self.info.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.full((len(rows), width), self.info.pad_type_id, dtype=np.int64)
            for r, i in enumerate(rows):
                enc = encodings[i]
                k = lengths[i]
                ids[r, :k] = enc.ids
                mask[r, :k] = 1
                types[r, :k] = enc.type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            result = self.session.run(None, {name: feed[name] for name in self.inputs})[0]
            self.passes += 1
            if out is None:
                out = np.empty((len(texts), result.shape[1]), dtype=result.dtype)
            out[rows] = result
        if out is None:
            out = np.empty((0, len(self.class_names)), dtype=np.float32)
        return out

    def scores(self, texts: Sequence[str]) -> Any:
        """Sigmoid of every logit (``numpy`` float64, texts x outputs), as detoxify computes."""
        np = self._np
        x = self.logits(texts).astype(np.float64)
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-x))

    def predict(self, text: str | Sequence[str]) -> dict[str, Any]:
        """``Detoxify.predict``: label -> score list (a bare float for a single text)."""
        texts = [text] if isinstance(text, str) else list(text)
        scores = self.scores(texts)
        return {name: scores[:, i].squeeze().tolist() for i, name in enumerate(self.class_names)}


_cache: dict[tuple[Path, int, int, bool], OnnxModel] = {}
_cache_lock = threading.Lock()


def load(
    folder: Path,
    engine: str = "onnx-int8",
    *,
    threads: int | None = None,
    spinning: bool | None = None,
) -> OnnxModel:
    """One :class:`OnnxModel` (one session, warmed up) per export folder, engine, threads and
    spinning (default: :data:`ENV_SPINNING` when set to ``1``, else off)."""
    path = folder.resolve() / VARIANTS.get(engine, MODEL_INT8)
    try:
        stamp = path.stat().st_mtime_ns  # a new export in the same place is a new model
    except OSError:
        stamp = 0
    if spinning is None:
        spinning = os.environ.get(ENV_SPINNING, "").strip() == "1"
    key = (path, stamp, threads or default_threads(), spinning)
    model = _cache.get(key)
    if model is None:
        with _cache_lock:
            model = _cache.get(key)
            if model is None:
                model = OnnxModel(folder, engine, threads=key[2], spinning=spinning)
                _cache[key] = model
    return model
