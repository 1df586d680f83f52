"""Reading detoxify checkpoints safely, and checking that they are what they claim to be.

Checkpoints are unpickled with ``weights_only=True``; a file that also holds Python objects
(which can run code when loaded) is refused unless it was pulled over HTTPS from detoxify's own
release site with the published hash, or the person installing it says they trust it
(``--trust``). torch is imported only when a file is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smguard.toxicity.errors import ModelInvalid, ModelStoreError
from smguard.toxicity.paths import CHECKPOINT

__all__ = ["CheckpointInfo", "checkpoint_in_folder", "inspect_checkpoint", "read_checkpoint"]


@dataclass(frozen=True)
class CheckpointInfo:
    """What a detoxify checkpoint says about itself (``config.arch.args``, ``dataset.args``)."""

    model_type: str
    model_name: str
    tokenizer_name: str
    num_classes: int
    classes: tuple[str, ...]


def read_checkpoint(
    path: Path, *, trusted: bool = False, where: str | None = None
) -> dict[str, Any]:
    """Unpickle a checkpoint safely; raise :class:`ModelInvalid` with one clear line.

    ``where`` names the file in messages (the user's file rather than a staging copy).
    """
    where = where or str(path)
    try:
        import torch
    except ImportError:
        raise ModelStoreError(
            "reading model files needs the detoxify extra: pip install 'smguard[detoxify]'"
        ) from None
    if not path.is_file():
        raise ModelStoreError(f"{path}: no such file")
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        if "Unsupported global" not in str(exc):
            raise ModelInvalid(f"{where}: {_corrupt_reason(exc)}") from None
        if not trusted:
            raise ModelInvalid(
                f"{where}: besides weights, the file holds Python objects that could run code "
                "when loaded; if you trust where it came from, import it with --trust"
            ) from None
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as exc2:
            raise ModelInvalid(f"{where}: {_corrupt_reason(exc2)}") from None
    if not isinstance(loaded, dict):
        raise ModelInvalid(f"{where}: not a detoxify checkpoint (no config and weights inside)")
    return loaded


def _corrupt_reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, EOFError) or "central directory" in text or "zip archive" in text:
        return "the file is truncated or damaged (copy it again)"
    return "not a PyTorch checkpoint, or it is damaged (copy it again)"


def inspect_checkpoint(loaded: Mapping[str, Any], where: str) -> CheckpointInfo:
    """Check that ``loaded`` has detoxify's layout; raise :class:`ModelInvalid` naming the gap."""

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise ModelInvalid(f"{where}: not a detoxify checkpoint ({what})")

    config = loaded.get("config")
    need(isinstance(config, Mapping), "no 'config' inside")
    assert isinstance(config, Mapping)
    need(
        isinstance(loaded.get("state_dict"), Mapping) and bool(loaded["state_dict"]),
        "no weights ('state_dict') inside",
    )
    arch = config.get("arch")
    args = arch.get("args") if isinstance(arch, Mapping) else None
    need(isinstance(args, Mapping), "no 'config.arch.args'")
    assert isinstance(args, Mapping)
    for key in ("model_type", "model_name", "tokenizer_name"):
        need(
            isinstance(args.get(key), str) and bool(args[key]),
            f"'config.arch.args.{key}' is missing",
        )
    num = args.get("num_classes")
    need(
        isinstance(num, int) and not isinstance(num, bool) and num > 0,
        "'config.arch.args.num_classes' is missing",
    )
    dataset = config.get("dataset")
    dargs = dataset.get("args") if isinstance(dataset, Mapping) else None
    classes = dargs.get("classes") if isinstance(dargs, Mapping) else None
    need(
        isinstance(classes, list) and bool(classes) and all(isinstance(c, str) for c in classes),
        "no 'config.dataset.args.classes'",
    )
    assert isinstance(classes, list) and isinstance(num, int)
    need(len(classes) <= num, f"{len(classes)} classes but only {num} outputs")
    return CheckpointInfo(
        model_type=str(args["model_type"]),
        model_name=str(args["model_name"]),
        tokenizer_name=str(args["tokenizer_name"]),
        num_classes=num,
        classes=tuple(classes),
    )


def checkpoint_in_folder(folder: Path) -> Path:
    if (folder / CHECKPOINT).is_file():
        return folder / CHECKPOINT
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in (".ckpt", ".pt", ".pth")
    )
    if len(found) != 1:
        what = "no" if not found else "several"
        raise ModelStoreError(f"{folder}: {what} checkpoint files (.ckpt) in this folder")
    return found[0]
