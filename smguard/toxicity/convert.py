"""Converting a loaded detoxify model to ONNX: the tokenizer, the graph, int8 quantisation.

torch, transformers, tokenizers, onnx and onnxruntime are imported inside the functions that
use them (``smguard[onnx-export]``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.errors import ModelStoreError

__all__ = ["export_tokenizer", "quantize", "tokenizer_mismatches", "torch_to_onnx"]


def export_tokenizer(tokenizer: Any, dest: Path) -> dict[str, Any]:
    """Write ``tokenizer.json`` (the ``tokenizers`` form of the model's tokenizer); its facts."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:  # a slow (Python) tokenizer: convert it as transformers would
        from transformers.convert_slow_tokenizer import convert_slow_tokenizer

        backend = convert_slow_tokenizer(tokenizer)
    from tokenizers import Tokenizer

    fresh = Tokenizer.from_str(backend.to_str())
    fresh.no_padding()
    fresh.no_truncation()
    fresh.save(str(dest / onnxengine.TOKENIZER_FILE))
    limit = getattr(tokenizer, "model_max_length", None)
    max_length = int(limit) if isinstance(limit, int) and 0 < limit <= 100_000 else 512
    sample = tokenizer(["a", "b c"], truncation=True, padding=True)
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    return {
        "max_length": max_length,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_type_id": int(getattr(tokenizer, "pad_token_type_id", 0) or 0),
        "input_names": names,
    }


def tokenizer_mismatches(tokenizer: Any, folder: Path, texts: Sequence[str]) -> int:
    """How many texts the exported tokenizer splits differently from transformers' own."""
    from tokenizers import Tokenizer

    info = onnxengine.read_export(folder)
    fast = Tokenizer.from_file(str(folder / onnxengine.TOKENIZER_FILE))
    fast.enable_truncation(max_length=info.max_length)
    ours = [e.ids for e in fast.encode_batch(list(texts))]
    theirs = tokenizer(list(texts), truncation=True)["input_ids"]
    return sum(1 for a, b in zip(ours, theirs, strict=True) if list(a) != list(b))


def torch_to_onnx(
    model: Any, example: Mapping[str, Any], names: Sequence[str], dest: Path, opset: int
) -> str:
    """Export the classifier's logits with dynamic batch and sequence axes; the exporter used."""
    import io
    import logging
    import warnings

    import torch

    class Logits(torch.nn.Module):  # type: ignore[misc,unused-ignore]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, **extra)[0]

    # Plain attention traces to plain ONNX ops (SDPA's masking code does not trace as cleanly).
    with contextlib.suppress(Exception):
        model.set_attn_implementation("eager")
    wrapper = Logits(model).eval()
    args = tuple(example[n] for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    common: dict[str, Any] = {
        "input_names": list(names),
        "output_names": ["logits"],
        "opset_version": opset,
    }
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            try:
                torch.onnx.export(
                    wrapper,
                    args,
                    str(dest),
                    dynamic_axes={**axes, "logits": {0: "batch"}},
                    do_constant_folding=True,
                    dynamo=False,
                    **common,
                )
            except TypeError as exc:  # torch before 2.5: no dynamo argument, TorchScript only
                if "dynamo" not in str(exc):
                    raise
                torch.onnx.export(
                    wrapper,
                    args,
                    str(dest),
                    dynamic_axes={**axes, "logits": {0: "batch"}},
                    **common,
                )
            return "torchscript"
        except Exception as first:
            # Newer torch may drop the TorchScript exporter: try torch.export's (onnxscript).
            try:
                from torch.export import Dim

                batch, seq = Dim("batch"), Dim("sequence")
                torch_onnx_log = logging.getLogger("torch.onnx")
                level = torch_onnx_log.level
                torch_onnx_log.setLevel(logging.ERROR)  # "torchvision is not installed", …
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        torch.onnx.export(
                            wrapper,
                            args,
                            str(dest),
                            dynamic_shapes=tuple({0: batch, 1: seq} for _ in names),
                            dynamo=True,
                            external_data=False,
                            **{**common, "opset_version": max(opset, 18)},
                        )
                finally:
                    torch_onnx_log.setLevel(level)
                return "dynamo"
            except Exception as second:
                raise ModelStoreError(
                    f"torch cannot export this model to ONNX: {_first_line(first)}; "
                    f"the dynamo exporter: {_first_line(second)}"
                ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


def quantize(src: Path, dest: Path) -> None:
    """int8 weights, activations quantised on the fly (onnxruntime's dynamic quantisation)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # It logs a "consider pre-processing" hint on the root logger: not for smguard's users.
    # (A handler of our own also keeps logging.warning() from configuring the root logger.)
    root_logger = logging.getLogger()
    level = root_logger.level
    quiet = logging.NullHandler()
    root_logger.addHandler(quiet)
    root_logger.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(src),
            str(dest),
            weight_type=QuantType.QInt8,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root_logger.setLevel(level)
        root_logger.removeHandler(quiet)
