"""Loading a checkpoint into detoxify's own ``Detoxify`` class: the torch engine.

torch, transformers and detoxify are imported at the first load, never at module level:
``smguard --help`` and rules-only checks must stay fast.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from smguard.errors import ModelUnavailable
from smguard.toxicity.checkpoint import inspect_checkpoint, read_checkpoint
from smguard.toxicity.errors import ModelInvalid

__all__ = ["LABEL_ALIASES", "DetoxifyModel", "load_detoxify", "quiet_transformers"]


class DetoxifyModel(Protocol):
    """What the toxicity rule needs from a loaded model: ``detoxify.Detoxify.predict``."""

    class_names: list[str]

    def predict(self, text: str | list[str]) -> dict[str, Any]: ...


#: detoxify's own renames (``detoxify.detoxify.load_checkpoint``) plus other spellings seen in
#: checkpoints, so that every model reports the same label names.
LABEL_ALIASES: Mapping[str, str] = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
    "sexually_explicit": "sexual_explicit",
    "sexual": "sexual_explicit",
    "obscenity": "obscene",
    "insults": "insult",
    "threats": "threat",
}


_load_lock = threading.Lock()


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load report and progress bars while smguard loads a model."""
    hf_logging: Any = importlib.import_module("transformers.utils.logging")
    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def load_detoxify(
    checkpoint: Path,
    config_dir: Path | None = None,
    *,
    device: str = "cpu",
    trusted: bool = False,
    where: str | None = None,
) -> DetoxifyModel:
    """Load a checkpoint into a real ``detoxify.Detoxify`` (its ``predict`` is used unchanged).

    Why not ``Detoxify(checkpoint=..., huggingface_config_path=...)`` directly: detoxify 0.5
    still asks the Hugging Face Hub for ``model_type``'s config even when given a local config
    folder, so it fails offline on a machine whose HF cache lacks it, and it unpickles with
    ``weights_only=False``. This does the same steps from local files only, and refuses weights
    that do not fit the architecture instead of silently initialising them at random.
    """
    import detoxify
    import transformers

    where = where or str(checkpoint)
    loaded = read_checkpoint(checkpoint, trusted=trusted, where=where)
    info = inspect_checkpoint(loaded, where)
    source = str(config_dir) if config_dir is not None else info.model_type
    model_class = getattr(transformers, info.model_name, None)
    tokenizer_class = getattr(transformers, info.tokenizer_name, None)
    if model_class is None or tokenizer_class is None:
        missing = info.model_name if model_class is None else info.tokenizer_name
        raise ModelInvalid(f"{where}: this transformers version has no {missing}")
    with _load_lock, quiet_transformers():
        try:
            # Never download while checking posts: local folders and the HF cache only.
            hf_config = model_class.config_class.from_pretrained(
                source, num_labels=info.num_classes, local_files_only=True
            )
            tokenizer = tokenizer_class.from_pretrained(source, local_files_only=True)
        except OSError:
            raise ModelUnavailable(
                f"{where}: the tokenizer and config for {info.model_type} are not on this "
                f"machine{f' (looked in {config_dir})' if config_dir else ''}",
                fix="set [plugins.toxicity] config_path to the model's tokenizer/config folder, "
                "or install it with 'smguard models import PATH --config-path FOLDER'",
            ) from None
        try:
            model, report = model_class.from_pretrained(
                None,
                config=hf_config,
                state_dict=loaded["state_dict"],
                output_loading_info=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelInvalid(
                f"{where}: the weights do not fit {info.model_name}: {str(exc)[:200]}"
            ) from None
    # Buffers (position ids and the like) differ between transformers versions; parameters
    # missing from the checkpoint would be random, which is not a model.
    parameters = {name for name, _ in model.named_parameters()}
    absent = sorted(k for k in report.get("missing_keys") or () if k in parameters)
    if absent:
        raise ModelInvalid(
            f"{where}: the weights do not fit {info.model_name} "
            f"({len(absent)} missing, e.g. {absent[0]})"
        )
    obj: Any = detoxify.Detoxify.__new__(detoxify.Detoxify)
    obj.model = model.to(device)
    obj.model.eval()
    obj.tokenizer = tokenizer
    obj.class_names = [LABEL_ALIASES.get(c, c) for c in info.classes]
    obj.device = device
    return obj  # type: ignore[no-any-return]
