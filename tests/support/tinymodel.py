"""A tiny random BERT saved as a real detoxify checkpoint, for tests and benchmarks.

No internet is needed: the vocabulary, tokenizer, Hugging Face config and weights are all made
here (about 200 KB, well under a second). The checkpoint has detoxify's layout
(``config.arch.args``, ``config.dataset.args.classes``, ``state_dict``) and its ``model_type``
points at the local tokenizer/config folder, so ``detoxify`` and smguard load it offline.

A random model scores everything near 0.5. ``biases`` makes outputs deterministic: the classifier
weights are zeroed, so label ``i`` scores ``sigmoid(bias_i)`` on every text (``+10`` -> 0.99995,
``-10`` -> 0.00005); labels not named get ``-10``. Pass ``biases=None`` for the raw random model.

``build_tiny_roberta`` makes the same with RoBERTa's layout (``unbiased``, and XLM-R's
``multilingual``): no ``token_type_ids``, padding id 1, position ids counted past the padding.

Used by ``tests/plugins/test_toxicity.py``, ``tests/toxicity/test_onnx.py`` and the benchmarks
(which put the repository on ``sys.path``). Needs torch and transformers (the ``smguard[detoxify]``
extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

#: Label names as the ``original`` detoxify checkpoint spells them (detoxify renames them).
ORIGINAL_CLASSES: tuple[str, ...] = (
    "toxic",
    "severe_toxic",
    "obscene",
    "threat",
    "insult",
    "identity_hate",
)
#: Label names as the ``unbiased`` and ``multilingual`` checkpoints spell them (first 7 + ids).
UNBIASED_CLASSES: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "identity_attack",
    "insult",
    "threat",
    "sexual_explicit",
    "male",
    "female",
    "muslim",
)

#: The shape of BERT-base (detoxify's ``original``): ``build_tiny_model(folder, **BERT_BASE)``.
BERT_BASE: Mapping[str, int] = {
    "hidden": 768,
    "layers": 12,
    "heads": 12,
    "intermediate": 3072,
    "vocab_size": 30522,
}

_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
#: Whole words the tokenizer knows (anything else is spelled out letter by letter).
_WORDS = (
    "the a an and or of to in on for with is are was be this that it you we they i my your our "
    "thank thanks please hello hi good bad great help service update team news office post "
    "terima kasih kak selamat pagi siang malam mohon maaf info layanan kami anda dan yang di ke "
    "idiot stupid hate kill bodoh goblok anjing"
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def build_tiny_model(
    folder: Path,
    *,
    classes: Sequence[str] = ORIGINAL_CLASSES,
    biases: Mapping[str, float] | None = None,
    name: str = "tiny",
    seed: int = 0,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    intermediate: int | None = None,
    vocab_size: int | None = None,
) -> Path:
    """Write ``<folder>/<name>.ckpt`` and ``<folder>/<name>-hf/``; return the checkpoint path.

    ``hidden``, ``layers``, ``heads``, ``intermediate`` (default ``2 * hidden``) and
    ``vocab_size`` (the word list padded with ``[unused…]`` entries) set the shape: BERT-base is
    ``hidden=768, layers=12, heads=12, intermediate=3072, vocab_size=30522``
    (:data:`BERT_BASE`), as detoxify's ``original`` model.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    hf = folder / f"{name}-hf"
    hf.mkdir(exist_ok=True)
    vocab = _SPECIAL + _WORDS.split() + list(_LETTERS) + [f"##{c}" for c in _LETTERS]
    if vocab_size is not None:
        if vocab_size < len(vocab):
            raise ValueError(f"vocab_size must be at least {len(vocab)}")
        vocab += [f"[unused{i}]" for i in range(vocab_size - len(vocab))]
    (hf / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # BertTokenizer(vocab_file=...) ignores the file on transformers 5: load from the folder.
    tokenizer = BertTokenizer.from_pretrained(str(hf), model_max_length=512)
    tokenizer.save_pretrained(str(hf))
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate or hidden * 2,
        max_position_embeddings=512,
        num_labels=len(classes),
    )
    config.save_pretrained(str(hf))
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    state = model.state_dict()
    if biases is not None:
        unknown = set(biases) - set(classes)
        if unknown:
            raise ValueError(f"biases for labels not in classes: {sorted(unknown)}")
        with torch.no_grad():
            state["classifier.weight"].zero_()
            for i, label in enumerate(classes):
                state["classifier.bias"][i] = float(biases.get(label, -10.0))
    checkpoint = folder / f"{name}.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(hf),
                        "model_name": "BertForSequenceClassification",
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": len(classes),
                    }
                },
                "dataset": {"args": {"classes": list(classes)}},
            },
            "state_dict": state,
        },
        checkpoint,
    )
    return checkpoint


def _byte_symbols() -> list[str]:
    """The 256 characters byte-level BPE (GPT-2, RoBERTa) writes bytes as."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            codes.append(256 + extra)
            extra += 1
    return [chr(c) for c in codes]


def build_tiny_roberta(
    folder: Path,
    *,
    classes: Sequence[str] = UNBIASED_CLASSES,
    biases: Mapping[str, float] | None = None,
    name: str = "tiny-roberta",
    seed: int = 0,
    max_length: int = 128,
) -> Path:
    """Like :func:`build_tiny_model`, with RoBERTa's layout (as ``unbiased`` and, XLM-R,
    ``multilingual``): byte-level tokens, no ``token_type_ids``, padding id 1, position ids
    counted from the padding. Write ``<folder>/<name>.ckpt`` and ``<folder>/<name>-hf/``."""
    import json

    import torch
    from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    hf = folder / f"{name}-hf"
    hf.mkdir(exist_ok=True)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for symbol in _byte_symbols():
        vocab.setdefault(symbol, len(vocab))
    vocab["<mask>"] = len(vocab)
    (hf / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (hf / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")  # bytes only
    tokenizer = RobertaTokenizer.from_pretrained(str(hf), model_max_length=max_length)
    tokenizer.save_pretrained(str(hf))
    config = RobertaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_length + 2,
        num_labels=len(classes),
        pad_token_id=1,
    )
    config.save_pretrained(str(hf))
    torch.manual_seed(seed)
    model = RobertaForSequenceClassification(config)
    state = model.state_dict()
    if biases is not None:
        with torch.no_grad():
            state["classifier.out_proj.weight"].zero_()
            for i, label in enumerate(classes):
                state["classifier.out_proj.bias"][i] = float(biases.get(label, -10.0))
    checkpoint = folder / f"{name}.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(hf),
                        "model_name": "RobertaForSequenceClassification",
                        "tokenizer_name": "RobertaTokenizer",
                        "num_classes": len(classes),
                    }
                },
                "dataset": {"args": {"classes": list(classes)}},
            },
            "state_dict": state,
        },
        checkpoint,
    )
    return checkpoint
