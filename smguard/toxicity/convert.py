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

__all__ = [
    "FUSED_MODEL_TYPES",
    "export_tokenizer",
    "first_line",
    "fuse_transformer",
    "quantize",
    "tokenizer_mismatches",
    "torch_to_onnx",
]

#: Hugging Face model types whose graphs ONNX Runtime's BERT optimizer knows how to fuse.
FUSED_MODEL_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "camembert", "distilbert"})


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
                    f"torch cannot export this model to ONNX: {first_line(first)}; "
                    f"the dynamo exporter: {first_line(second)}"
                ) from None


def first_line(exc: BaseException) -> str:
    """An exception's type and the first line of its message, for one-line errors."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


def fuse_transformer(src: Path, dest: Path, *, num_heads: int, hidden: int) -> dict[str, int]:
    """Fuse a BERT-like graph into ONNX Runtime's transformer ops; how many of each were made.

    One ``Attention`` node per layer replaces some twenty MatMul/Reshape/Transpose/Softmax
    nodes, ``SkipLayerNormalization`` the residual add and LayerNorm, ``BiasGelu``/``FastGelu``
    the feed-forward activation, ``EmbedLayerNormalization`` the three embeddings and their
    LayerNorm. The fused ops are portable (ONNX Runtime's CPU kernels, chosen at load time for
    the CPU at hand), so an export fused on one machine runs on any. Raises whatever the
    optimizer raises; the caller keeps the unfused graph then.
    """
    import io
    import logging

    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_gelu_approximation = False  # tanh-approximated GELU moves scores; keep erf
    quiet = logging.getLogger("onnxruntime.transformers")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints notes on embedding sizes
            fused = optimize_model(
                str(src),
                model_type="bert",
                num_heads=num_heads,
                hidden_size=hidden,
                optimization_options=options,
                opt_level=0,  # the fusions only: no ONNX Runtime pass that bakes in this CPU
                use_gpu=False,
            )
        counts = {k: int(v) for k, v in fused.get_fused_operator_statistics().items() if v}
        fused.save_model_to_file(str(dest))
    finally:
        quiet.setLevel(level)
    return counts


def quantize(
    src: Path, dest: Path, *, per_channel: bool = True, reduce_range: bool = True
) -> dict[str, Any]:
    """int8 weights, activations quantised on the fly (onnxruntime's dynamic quantisation).

    Activations are uint8 and weights int8 (the only pairing dynamic quantisation offers on
    x86, "U8S8"). ``per_channel`` gives each output column of a weight its own scale, which
    keeps the scores closer to fp32's. ``reduce_range`` keeps weights to 7 bits: on CPUs with
    AVX2 but no VNNI, ONNX Runtime multiplies u8 by s8 with ``vpmaddubsw``, whose 16-bit sums of
    two products saturate when both use the full range — the model would then score differently
    on such a CPU than on the one that checked the export. On a fused graph, ``Attention``
    becomes ``QAttention`` and each ``MatMul`` a ``MatMulInteger`` that ONNX Runtime fuses with
    its scaling into ``DynamicQuantizeMatMul`` / ``MatMulIntegerToFloat`` at load time.
    Returns the options, for ``export.json``.
    """
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
            per_channel=per_channel,
            reduce_range=reduce_range,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root_logger.setLevel(level)
        root_logger.removeHandler(quiet)
    return {
        "method": "dynamic",
        "activations": "uint8",
        "weights": "int8",
        "per_channel": per_channel,
        "reduce_range": reduce_range,
    }
