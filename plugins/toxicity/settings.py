"""``[plugins.toxicity]``: the plugin's settings, read and validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smguard.errors import ConfigError
from smguard.toxicity.loading import LABEL_ALIASES

from .labels import LABELS

__all__ = ["DEFAULT_KEY", "ENGINES", "PLUGIN", "ToxicitySettings", "parse_settings"]

PLUGIN = "toxicity"
#: Values of ``engine``: a backend to score with, or ``auto`` (int8 export, fp32 export, torch).
ENGINES = ("auto", "torch", "onnx", "onnx-int8")
#: Key of ``models`` used for posts of other languages, or whose language is unsure.
DEFAULT_KEY = "default"

DEFAULT_MODELS: Mapping[str, str] = {"en": "original", DEFAULT_KEY: "multilingual"}

_OPTIONS = {
    "enabled", "models", "config_path", "thresholds", "high_at", "batch_size", "device",
    "model_dir", "chunk_chars", "engine", "threads",
}  # fmt: skip


@dataclass(frozen=True)
class ToxicitySettings:
    """``[plugins.toxicity]``, validated."""

    #: ``auto``: run when installed, else report the engine skipped; ``required``: a missing
    #: model is an integrity finding (review); ``off``: the rule is not registered.
    mode: str = "auto"
    #: Language code (or ``default``) -> a model name in the store, or a checkpoint file path.
    models: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MODELS))
    #: Hugging Face config/tokenizer folder for checkpoint paths: ``*`` or per language key.
    config_paths: Mapping[str, str] = field(default_factory=dict)
    #: Label -> threshold (``None``: label ignored).
    thresholds: Mapping[str, float | None] = field(
        default_factory=lambda: {k: v.threshold for k, v in LABELS.items()}
    )
    #: From this score on a finding is one severity level higher.
    high_at: float = 0.9
    #: Texts per forward pass; the engine hands over 64 posts at a time.
    batch_size: int = 64
    device: str = "auto"
    model_dir: str | None = None
    #: Longer texts are scored in overlapping windows of this many characters (models read
    #: at most 512 tokens; without windows the end of a long post would go unread).
    chunk_chars: int = 1500
    #: ``auto`` | ``torch`` | ``onnx`` | ``onnx-int8`` (see :mod:`.rule`).
    engine: str = "auto"
    #: Intra-op threads of the onnx engines (``None``: the cores this process may use).
    threads: int | None = None

    @property
    def required(self) -> bool:
        return self.mode == "required"


def _fail(key: str, problem: str) -> ConfigError:
    return ConfigError(f"plugins.{PLUGIN}.{key}: {problem}")


def _number(value: Any, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _fail(key, f"must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _positive_int(value: Any, key: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise _fail(key, f"must be a whole number from 1 to {high}, not {value!r}")
    return value


def _mode(value: Any) -> str:
    if value == "auto":
        return "auto"
    if value is True or value in ("true", "required", "yes", "on"):
        return "required"
    if value is False or value in ("false", "off", "no"):
        return "off"
    raise _fail("enabled", f'must be "auto", true or false, not {value!r}')


def _str_table(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _fail(key, 'must be a table, e.g. {en = "original", id = "multilingual"}')
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(v, str) or not v.strip():
            raise _fail(f"{key}.{k}", "must be a model name or a checkpoint file path")
        name = str(k).lower()
        out[DEFAULT_KEY if name == "*" else name] = v.strip()
    return out


def parse_settings(options: Mapping[str, Any]) -> ToxicitySettings:
    """Validate ``[plugins.toxicity]``; a bad value raises ``ConfigError`` naming the key."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise _fail(unknown[0], f"unknown setting (known: {', '.join(sorted(_OPTIONS))})")
    defaults = ToxicitySettings()
    models = dict(DEFAULT_MODELS)
    if "models" in options:
        models.update(_str_table(options["models"], "models"))
    config_paths: dict[str, str] = {}
    raw_cfg = options.get("config_path")
    if isinstance(raw_cfg, str):
        config_paths[DEFAULT_KEY] = raw_cfg
    elif raw_cfg is not None:
        config_paths = _str_table(raw_cfg, "config_path")
    thresholds = dict(defaults.thresholds)
    raw_thr = options.get("thresholds", {})
    if not isinstance(raw_thr, Mapping):
        raise _fail("thresholds", "must be a table, e.g. {insult = 0.8, threat = 0.5}")
    for label, value in raw_thr.items():
        name = LABEL_ALIASES.get(str(label), str(label))
        if name not in LABELS:
            raise _fail(f"thresholds.{label}", f"unknown label (known: {', '.join(LABELS)})")
        thresholds[name] = (
            None if value is False else _number(value, f"thresholds.{label}", 0.01, 1.0)
        )
    device = options.get("device", defaults.device)
    if not isinstance(device, str) or not (
        device in ("auto", "cpu", "cuda", "mps") or device.startswith("cuda:")
    ):
        raise _fail("device", f'must be "auto", "cpu", "cuda" or "cuda:N", not {device!r}')
    model_dir = options.get("model_dir")
    if model_dir is not None and (not isinstance(model_dir, str) or not model_dir):
        raise _fail("model_dir", "must be a folder path")
    engine = options.get("engine", defaults.engine)
    if engine not in ENGINES:
        raise _fail("engine", f"must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    threads = options.get("threads")
    if threads is not None:
        threads = _positive_int(threads, "threads", 1024)
    return ToxicitySettings(
        mode=_mode(options.get("enabled", "auto")),
        models=models,
        config_paths=config_paths,
        thresholds=thresholds,
        high_at=_number(options.get("high_at", defaults.high_at), "high_at", 0.01, 1.0),
        batch_size=_positive_int(
            options.get("batch_size", defaults.batch_size), "batch_size", 4096
        ),
        device=device,
        model_dir=model_dir,
        chunk_chars=_positive_int(
            options.get("chunk_chars", defaults.chunk_chars), "chunk_chars", 100_000
        ),
        engine=engine,
        threads=threads,
    )
