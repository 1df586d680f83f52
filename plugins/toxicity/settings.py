"""``[plugins.toxicity]``: the table (:class:`ToxicityTable`, checked when the configuration is
loaded) and the settings the rule reads (:class:`ToxicitySettings`, :func:`toxicity_settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from smguard.config.schema import NON_EMPTY, Table, choice, convert, invalid
from smguard.toxicity.loading import LABEL_ALIASES

from .labels import LABELS

__all__ = [
    "DEFAULT_KEY",
    "ENGINES",
    "PLUGIN",
    "ToxicitySettings",
    "ToxicityTable",
    "parse_settings",
    "toxicity_settings",
]

PLUGIN = "toxicity"
#: Values of ``engine``: a backend to score with, or ``auto`` (int8 export, fp32 export, torch).
ENGINES = ("auto", "torch", "onnx", "onnx-int8")
#: Key of ``models`` used for posts of other languages, or whose language is unsure.
DEFAULT_KEY = "default"

DEFAULT_MODELS: Mapping[str, str] = {"en": "original", DEFAULT_KEY: "multilingual"}
#: Values of ``enabled`` (TOML ``true``/``false`` too) and the mode each means.
_MODES = {"auto": "auto", "true": "required", "required": "required", "yes": "required",
          "on": "required", "false": "off", "off": "off", "no": "off"}  # fmt: skip
_MODELS = 'must be a table, e.g. {en = "original", id = "multilingual"}'


class ToxicityTable(Table, frozen=True):
    """``[plugins.toxicity]``: whether the model runs, which models, and the thresholds."""

    enabled: Annotated[
        bool | Annotated[str, choice("a mode", tuple(_MODES))],
        Meta(
            extra={"noun": '"auto", true or false'},
            description='"auto": when installed; true: required (missing model: review); false.',
        ),
    ] = "auto"
    models: Annotated[
        dict[str, str],
        Meta(description='Language (or "default") → a model name or a checkpoint file path.'),
    ] = msgspec.field(default_factory=dict)
    config_path: (
        Annotated[
            str | dict[str, str],
            Meta(
                description="Hugging Face config folder for checkpoint paths: one, or per language."
            ),
        ]
        | None
    ) = None
    thresholds: Annotated[
        dict[str, float | bool],
        Meta(description="Label → the score from which it is a finding (false: ignore the label)."),
    ] = msgspec.field(default_factory=dict)
    high_at: Annotated[
        float, Meta(ge=0.01, le=1, description="From this score a finding is one level higher.")
    ] = 0.9
    batch_size: Annotated[
        int, Meta(ge=1, le=4096, description="Texts per forward pass of the model.")
    ] = 64
    device: Annotated[str, Meta(description='"auto", "cpu", "cuda", "cuda:N" or "mps".')] = "auto"
    model_dir: (
        Annotated[
            NON_EMPTY, Meta(description="Where the model store is (default: the user data folder).")
        ]
        | None
    ) = None
    chunk_chars: Annotated[
        int, Meta(ge=1, le=100_000, description="Longer texts are scored in windows of this size.")
    ] = 1500
    engine: Annotated[
        str, choice("an engine", ENGINES), Meta(description="The backend that scores posts.")
    ] = "auto"
    threads: (
        Annotated[
            int,
            Meta(ge=1, le=1024, description="Threads of the onnx engines (default: the cores)."),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        if isinstance(self.config_path, dict):
            _model_table(self.config_path, "config_path")
        _model_table(self.models, "models")
        for label, value in self.thresholds.items():
            if LABEL_ALIASES.get(label, label) not in LABELS:
                invalid(f"thresholds.{label}", f"unknown label (known: {', '.join(LABELS)})")
            if value is True or (value is not False and not 0.01 <= value <= 1):
                invalid(f"thresholds.{label}", f"must be a number from 0.01 to 1, not {value!r}")
        device = self.device
        if not (device in ("auto", "cpu", "cuda", "mps") or device.startswith("cuda:")):
            invalid("device", f'must be "auto", "cpu", "cuda" or "cuda:N", not {device!r}')


def _model_table(table: Mapping[str, str], key: str) -> None:
    for name, value in table.items():
        if not value.strip():
            invalid(f"{key}.{name}", "must be a model name or a checkpoint file path")


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


def toxicity_settings(table: ToxicityTable) -> ToxicitySettings:
    """What the rule reads from a checked ``[plugins.toxicity]``, with the defaults."""
    enabled = str(table.enabled).lower()  # TOML's true and false read as "True" and "False"
    config_paths = (
        {DEFAULT_KEY: table.config_path}
        if isinstance(table.config_path, str)
        else _by_language(table.config_path or {})
    )
    thresholds = dict(ToxicitySettings().thresholds)
    for label, value in table.thresholds.items():
        thresholds[LABEL_ALIASES.get(label, label)] = None if value is False else float(value)
    return ToxicitySettings(
        mode=_MODES[enabled],
        models={**DEFAULT_MODELS, **_by_language(table.models)},
        config_paths=config_paths,
        thresholds=thresholds,
        high_at=table.high_at,
        batch_size=table.batch_size,
        device=table.device,
        model_dir=table.model_dir,
        chunk_chars=table.chunk_chars,
        engine=table.engine.lower(),
        threads=table.threads,
    )


def parse_settings(options: Mapping[str, Any]) -> ToxicitySettings:
    """``[plugins.toxicity]`` as written, checked: a mistake raises ``ConfigError`` naming the
    key."""
    return toxicity_settings(convert(options, ToxicityTable, f"plugins.{PLUGIN}"))


def _by_language(table: Mapping[str, str]) -> dict[str, str]:
    """Language keys lower-cased, ``*`` for the default, values stripped."""
    out: dict[str, str] = {}
    for key, value in table.items():
        name = key.lower()
        out[DEFAULT_KEY if name == "*" else name] = value.strip()
    return out
