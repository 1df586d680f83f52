"""Toxicity with detoxify: a machine-learning second opinion next to the word lists.

One batched rule, ``SMG-TOX-001``, scores every post with a detoxify model and reports each
label over its threshold as a finding in smguard's own categories:

    toxicity, severe_toxicity -> toxicity      insult, threat -> harassment
    identity_attack           -> hate          obscene        -> profanity
    sexual_explicit           -> sexual

Nothing heavy is imported here: torch, transformers and detoxify load at the first check, so
``smguard --help`` and rules-only checks stay fast. Settings live in ``[plugins.toxicity]``
(see ``docs/toxicity.md``); weights come from the model store (:mod:`smguard.toxicity.store`).

The model runs on one of two engines, chosen by ``engine``: ``torch`` (detoxify itself) or
``onnx`` / ``onnx-int8`` (an export made by ``smguard models export``, on onnxruntime and
``tokenizers`` only: see :mod:`smguard.toxicity.onnx`). ``auto`` (the default) takes an installed
int8 export, else an fp32 one, else torch. The engine is only a backend: labels, thresholds,
categories, windows and batching are this module's, whichever engine scores. Each post's
engine and model ("onnx-int8 multilingual") go into ``ctx.cache[DETAIL_KEY]`` for the verdict's
engine status, and into each finding's evidence.

When detoxify or the weights are missing the rule raises
:class:`~smguard.errors.ModelUnavailable` carrying the command that fixes it; the engine reports
the engine as ``skipped`` — and, with ``enabled = true``, adds an integrity finding so the post
goes to review. It never passes a post silently.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from smguard import hookimpl
from smguard.errors import ConfigError, ModelUnavailable
from smguard.guard.rule import Rule
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity import store as modelstore
from smguard.types import Finding, Post, Severity

if TYPE_CHECKING:
    from smguard.config import Config
    from smguard.guard.rule import CheckContext

__all__ = [
    "DETAIL_KEY",
    "ENGINES",
    "LABELS",
    "ToxicityRule",
    "ToxicitySettings",
    "parse_settings",
    "register_rules",
]

PLUGIN = "toxicity"
RULE_ID = "SMG-TOX-001"
ENGINE = "toxicity"
INSTALL_FIX = "pip install 'smguard[detoxify]'"
#: Where each post's engine and model are left for the verdict's engine status (``detail``).
DETAIL_KEY = f"engine_detail:{ENGINE}"
#: Values of ``engine``: a backend to score with, or ``auto`` (int8 export, fp32 export, torch).
ENGINES = ("auto", "torch", "onnx", "onnx-int8")
#: Key of ``models`` used for posts of other languages, or whose language is unsure.
DEFAULT_KEY = "default"


@dataclass(frozen=True)
class LabelSpec:
    """How one detoxify label becomes a finding."""

    category: str
    severity: Severity
    threshold: float
    #: What the model says about the text, e.g. "insulting" / "menghina".
    says: Mapping[str, str]
    suggestion: Mapping[str, str]


_CALM = {
    "en": "Rewrite it in a calm, polite tone before publishing; when answering a follower, "
    "address their concern instead of attacking them.",
    "id": "Tulis ulang dengan nada tenang dan sopan sebelum diterbitkan; saat membalas "
    "pengikut, tanggapi keluhannya tanpa menyerang.",
}

LABELS: Mapping[str, LabelSpec] = {
    "toxicity": LabelSpec(
        "toxicity",
        Severity.MEDIUM,
        0.7,
        {"en": "rude, disrespectful or toxic", "id": "kasar atau tidak sopan"},
        _CALM,
    ),
    "severe_toxicity": LabelSpec(
        "toxicity",
        Severity.HIGH,
        0.5,
        {"en": "very hostile or hateful", "id": "sangat kasar dan penuh kebencian"},
        _CALM,
    ),
    "identity_attack": LabelSpec(
        "hate",
        Severity.MEDIUM,
        0.5,
        {
            "en": "attacking people for who they are (ethnicity, religion, race or group)",
            "id": "menyerang orang karena identitasnya (suku, agama, ras, atau golongan)",
        },
        {
            "en": "Remove anything that targets people for their ethnicity, religion, race or "
            "group.",
            "id": "Hapus bagian yang menyasar orang karena suku, agama, ras, atau golongannya.",
        },
    ),
    "insult": LabelSpec(
        "harassment",
        Severity.MEDIUM,
        0.7,
        {"en": "insulting", "id": "menghina"},
        {
            "en": "Remove the insult: an official account criticises ideas, not people.",
            "id": "Hapus hinaannya: akun resmi mengkritik gagasan, bukan orang.",
        },
    ),
    "threat": LabelSpec(
        "harassment",
        Severity.HIGH,
        0.5,
        {"en": "threatening", "id": "mengancam"},
        {
            "en": "Remove anything that can be read as a threat, even as a joke.",
            "id": "Hapus kalimat yang bisa dibaca sebagai ancaman, walau hanya bercanda.",
        },
    ),
    "obscene": LabelSpec(
        "profanity",
        Severity.MEDIUM,
        0.7,
        {"en": "obscene or vulgar", "id": "cabul atau vulgar"},
        {
            "en": "Replace the vulgar words with neutral ones.",
            "id": "Ganti kata-kata kasar atau vulgar dengan kata yang netral.",
        },
    ),
    "sexual_explicit": LabelSpec(
        "sexual",
        Severity.MEDIUM,
        0.6,
        {"en": "sexually explicit", "id": "bermuatan seksual eksplisit"},
        {
            "en": "Remove the sexual content: it does not belong on an organisation's account.",
            "id": "Hapus konten seksualnya: konten seperti ini tidak pantas di akun organisasi.",
        },
    ),
}

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
    #: ``auto`` | ``torch`` | ``onnx`` | ``onnx-int8`` (see the module docstring).
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
        name = modelstore.LABEL_ALIASES.get(str(label), str(label))
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


@dataclass(frozen=True)
class _Target:
    """A resolved model reference: the files to load and how."""

    ref: str
    checkpoint: Path | None
    config_dir: Path | None
    trusted: bool
    #: ``torch``, ``onnx`` or ``onnx-int8``.
    engine: str = "torch"
    #: The export folder (onnx engines).
    onnx_dir: Path | None = None

    @property
    def detail(self) -> str:
        """What the verdict's engine status says scored the post, e.g. "onnx-int8 original"."""
        return f"{self.engine} {self.ref}"


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.startswith("~") or ref.endswith((".ckpt", ".pt"))


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """Overlapping ``(start, end)`` windows of at most ``size`` characters covering ``text``.

    Windows end at a space where one is near and overlap by a tenth of ``size``, so a phrase
    up to that long that one window cuts off is read whole by the next.
    """
    n = len(text)
    if n <= size:
        return [(0, n)]
    overlap = max(1, size // 10)
    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(n, start + size)
        if end < n:
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        out.append((start, end))
        if end >= n:
            return out
        start = max(end - overlap, start + 1)


def _severity(base: Severity, score: float, high_at: float) -> Severity:
    if score >= high_at:
        return Severity(min(int(base) + 1, int(Severity.CRITICAL)))
    return base


@dataclass(eq=False)
class ToxicityRule(Rule):
    """Scores posts with detoxify, in batches; see the module docstring."""

    settings: ToxicitySettings = field(default_factory=ToxicitySettings)
    #: Where installed models live (see :func:`smguard.toxicity.store.model_root`).
    root: Path = field(default_factory=lambda: modelstore.model_root())
    batch: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self._lock = threading.Lock()
        self._models: dict[_Target, modelstore.DetoxifyModel] = {}
        self._device: str | None = None

    @classmethod
    def create(
        cls, settings: ToxicitySettings, root: str | os.PathLike[str] | None = None
    ) -> ToxicityRule:
        return cls(
            id=RULE_ID,
            name="toxicity-model",
            category="toxicity",
            severity=Severity.MEDIUM,
            engine=ENGINE,
            message={
                "en": "The toxicity model flagged this text.",
                "id": "Model toksisitas menandai teks ini.",
            },
            why={
                "en": "Detoxify, a machine-learning model trained on millions of online "
                "comments, estimates how likely a text is to be read as toxic, insulting, "
                "threatening, obscene, sexual or attacking a group. It catches abuse that word "
                "lists miss, but it can misread sarcasm, quotations and reclaimed words, so "
                "most of its findings go to a person for review.",
                "id": "Detoxify, model pembelajaran mesin yang dilatih dengan jutaan komentar "
                "daring, memperkirakan seberapa mungkin sebuah teks dibaca sebagai kasar, "
                "menghina, mengancam, cabul, seksual, atau menyerang suatu golongan. Model ini "
                "menangkap ujaran kasar yang lolos dari daftar kata, tetapi bisa salah membaca "
                "sarkasme, kutipan, atau kata yang dipakai ulang, sehingga sebagian besar "
                "temuannya diperiksa oleh orang.",
            },
            suggestion=_CALM,
            false_positives=(
                "quoting abuse in order to condemn it",
                "sarcasm and friendly banter",
                "names of places or people that resemble rude words",
            ),
            source="smguard.plugins.toxicity",
            settings=settings,
            root=Path(root) if root is not None else modelstore.model_root(settings.model_dir),
            required=settings.required,
        )

    # ------------------------------------------------------------------ model choice

    @property
    def loaded(self) -> Mapping[str, modelstore.DetoxifyModel]:
        """The models loaded so far, by reference (name or path)."""
        return {t.ref: m for t, m in self._models.items()}

    def candidates(self, post: Post, languages: frozenset[str]) -> list[str]:
        """Model references to try for a post, best first: its language's, then the default."""
        langs = {post.language} if post.language else set(languages)
        refs: list[str] = []
        if len(langs) == 1:
            lang = next(iter(langs))
            if lang in self.settings.models:
                refs.append(self.settings.models[lang])
        default = self.settings.models.get(DEFAULT_KEY)
        if default and default not in refs:
            refs.append(default)
        return refs

    def resolve(self, ref: str, lang_key: str | None = None) -> _Target:
        """Find the files of a model reference, or raise ``ModelUnavailable`` saying how to fix.

        The engine comes from ``engine``; ``auto`` takes the model's int8 export, else its fp32
        export (when onnxruntime is installed), else its checkpoint on torch — torch first when
        ``device`` names a GPU, which the onnx engines do not use.
        """
        engine = self.settings.engine
        if engine == "torch":
            return self._resolve_torch(ref, lang_key)
        if engine != "auto":
            return self._resolve_onnx(ref, engine)
        if self.settings.device not in ("auto", "cpu") and _detoxify_installed():
            return self._resolve_torch(ref, lang_key)
        onnx_error: ModelUnavailable | None = None
        if onnxengine.available():
            try:
                return self._resolve_onnx(ref, None)
            except ModelUnavailable as exc:
                onnx_error = exc
        if _detoxify_installed():
            return self._resolve_torch(ref, lang_key)
        if onnx_error is None:  # neither engine is installed (check_batch says so earlier)
            raise ModelUnavailable(
                "the toxicity check needs the detoxify extra, which is not installed",
                fix=INSTALL_FIX,
            )
        raise ModelUnavailable(
            f"{onnx_error.reason}, and detoxify (torch) is not installed to run its checkpoint",
            fix=onnx_error.fix,
        )

    def _export_dir(self, ref: str) -> Path | None:
        """Where ``ref``'s ONNX export is (a store name's ``onnx/``, or a folder path), if any."""
        if _looks_like_path(ref):
            folder = Path(ref).expanduser()
            candidates = [folder, folder / onnxengine.ONNX_FOLDER]
        elif modelstore.valid_name(ref):
            candidates = [self.root / ref / onnxengine.ONNX_FOLDER]
        else:
            return None
        for folder in candidates:
            if (folder / onnxengine.EXPORT_INFO).is_file():
                return folder
        return None

    def _resolve_onnx(self, ref: str, engine: str | None) -> _Target:
        """The export of ``ref`` for ``engine`` (``None``: the fastest one there)."""
        export = self._export_dir(ref)
        if export is None:
            if _looks_like_path(ref):
                raise ModelUnavailable(
                    f"{ref} is not an ONNX export folder (no {onnxengine.EXPORT_INFO})",
                    fix=f"smguard models export {ref} --name NAME, then set "
                    f"[plugins.{PLUGIN}] models to NAME",
                )
            raise ModelUnavailable(
                f"the '{ref}' toxicity model has no ONNX export "
                f"(looked in {self.root / ref / onnxengine.ONNX_FOLDER})",
                fix=f"smguard models export {ref}",
            )
        info = onnxengine.read_export(export)
        chosen = engine or info.engines[0]
        if not info.has(chosen):
            raise ModelUnavailable(
                f"the ONNX export of '{ref}' has no {onnxengine.VARIANTS[chosen]}",
                fix=f"smguard models export {ref}" + (" --int8" if chosen == "onnx-int8" else ""),
            )
        if not _looks_like_path(ref) and info.checkpoint_sha256:
            installed = modelstore.get_model(self.root, ref)
            if (
                installed is not None
                and installed.ok
                and installed.sha256
                and installed.sha256 != info.checkpoint_sha256
            ):
                raise ModelUnavailable(
                    f"the ONNX export of '{ref}' was made from another checkpoint than the one "
                    "installed",
                    fix=f"smguard models export {ref}",
                )
        return _Target(ref, None, None, False, engine=chosen, onnx_dir=export)

    def _resolve_torch(self, ref: str, lang_key: str | None) -> _Target:
        """The checkpoint of ``ref`` for detoxify on torch."""
        if _looks_like_path(ref):
            checkpoint = Path(ref).expanduser()
            if not checkpoint.is_file():
                raise ModelUnavailable(
                    f"the toxicity model file {checkpoint} does not exist",
                    fix=f"smguard models import PATH --name NAME, then set "
                    f"[plugins.{PLUGIN}] models to that name",
                )
            cfg = self._config_path_for(ref, lang_key)
            return _Target(ref, checkpoint, cfg, trusted=False)
        installed = modelstore.get_model(self.root, ref)
        if installed is None:
            fix = (
                f"smguard models pull {ref}"
                if ref in modelstore.KNOWN_MODELS
                else f"smguard models import PATH --name {ref}"
            )
            raise ModelUnavailable(
                f"the '{ref}' toxicity model is not installed (looked in {self.root})", fix=fix
            )
        if installed.onnx_only:
            raise ModelUnavailable(
                f"only the ONNX export of the '{ref}' toxicity model is installed, which the "
                "torch engine cannot run",
                fix=onnxengine.INSTALL_FIX
                if not onnxengine.available()
                else f'set [plugins.{PLUGIN}] engine = "auto"',
            )
        if not installed.ok:
            raise ModelUnavailable(
                f"the '{ref}' toxicity model in {installed.folder} is incomplete: "
                f"{installed.problem}",
                fix=f"smguard models pull {ref}"
                if ref in modelstore.KNOWN_MODELS
                else f"smguard models import PATH --name {ref}",
            )
        return _Target(ref, installed.checkpoint, installed.config_dir, installed.trusted)

    def _config_path_for(self, ref: str, lang_key: str | None) -> Path | None:
        paths = self.settings.config_paths
        for key in (lang_key, DEFAULT_KEY):
            if key and key in paths:
                return Path(paths[key]).expanduser()
        return None

    def _model(self, target: _Target) -> modelstore.DetoxifyModel:
        model = self._models.get(target)
        if model is not None:
            return model
        with self._lock:
            model = self._models.get(target)
            if model is None:
                if target.onnx_dir is not None:
                    model = onnxengine.load(
                        target.onnx_dir, target.engine, threads=self.settings.threads
                    )
                else:
                    assert target.checkpoint is not None
                    model = modelstore.load_detoxify(
                        target.checkpoint,
                        target.config_dir,
                        device=self._resolve_device(),
                        trusted=target.trusted,
                    )
                self._models[target] = model
        return model

    def _resolve_device(self) -> str:
        if self._device is None:
            device = self.settings.device
            if device == "auto":
                import torch

                device = "cuda" if torch.cuda.is_available() else "cpu"
            self._device = device
        return self._device

    # ------------------------------------------------------------------ checking

    def check(self, post: Post, ctx: CheckContext) -> list[Finding]:
        result = self.check_batch([(post, ctx)])[0]
        if isinstance(result, ModelUnavailable):
            raise result
        return result

    def check_batch(
        self, items: Sequence[tuple[Post, CheckContext]]
    ) -> list[list[Finding] | ModelUnavailable]:
        self._require_engine()
        # Find the files before importing torch, so that a missing model is reported fast.
        # A post whose language has no model is reported on its own; the others are scored.
        targets = self._assign(items)
        # Group every window of every post by model; one predict call per batch_size windows.
        groups: dict[_Target, list[tuple[int, int, int]]] = {}
        for index, (post, _ctx) in enumerate(items):
            target = targets[index]
            if isinstance(target, ModelUnavailable):
                continue
            for start, end in windows(post.text, self.settings.chunk_chars):
                groups.setdefault(target, []).append((index, start, end))
        best: list[dict[str, tuple[float, tuple[int, int], str]]] = [{} for _ in items]
        for target, pieces in groups.items():
            source = target.ref if target.engine == "torch" else f"{target.ref}, {target.engine}"
            model = self._model(target)
            # Similar lengths together: less padding, same scores.
            pieces.sort(key=lambda p: p[2] - p[1])
            size = self.settings.batch_size
            for offset in range(0, len(pieces), size):
                chunk = pieces[offset : offset + size]
                texts = [items[i][0].text[s:e] for i, s, e in chunk]
                scores = _as_lists(model.predict(texts), len(texts))
                for label, values in scores.items():
                    name = modelstore.LABEL_ALIASES.get(label, label)
                    if name not in LABELS:
                        continue  # detoxify's identity columns (male, muslim, ...) say nothing bad
                    for (i, s, e), value in zip(chunk, values, strict=True):
                        if name not in best[i] or value > best[i][name][0]:
                            best[i][name] = (value, (s, e), source)
        for (_post, ctx), target in zip(items, targets, strict=True):
            if isinstance(target, _Target):
                ctx.cache[DETAIL_KEY] = target.detail
        return [
            target if isinstance(target, ModelUnavailable) else self._findings(post, best[i])
            for i, ((post, _ctx), target) in enumerate(zip(items, targets, strict=True))
        ]

    def _require_engine(self) -> None:
        """Stop the whole batch when the chosen engine's packages are not installed."""
        engine = self.settings.engine
        torch_ok = _detoxify_installed()
        if engine == "torch" and not torch_ok:
            raise ModelUnavailable(
                "the toxicity check needs the detoxify extra, which is not installed",
                fix=INSTALL_FIX,
            )
        if engine in ("onnx", "onnx-int8") and not onnxengine.available():
            raise ModelUnavailable(
                f"the toxicity check's {engine} engine needs onnxruntime and tokenizers, "
                "which are not installed",
                fix=onnxengine.INSTALL_FIX,
            )
        if engine == "auto" and not torch_ok:
            # Without torch only an export can run: one of the configured models must have one.
            if not any(self._export_dir(ref) for ref in set(self.settings.models.values())):
                raise ModelUnavailable(
                    "the toxicity check needs the detoxify extra, which is not installed",
                    fix=INSTALL_FIX,
                )
            if not onnxengine.available():
                raise ModelUnavailable(
                    "the toxicity model is exported to ONNX, but onnxruntime and tokenizers "
                    "are not installed",
                    fix=onnxengine.INSTALL_FIX,
                )

    def _assign(
        self, items: Sequence[tuple[Post, CheckContext]]
    ) -> list[_Target | ModelUnavailable]:
        """The model for each post, or why that post has no usable model."""
        resolved: dict[tuple[str, str | None], _Target | ModelUnavailable] = {}
        out: list[_Target | ModelUnavailable] = []
        for post, ctx in items:
            lang = post.language or (next(iter(ctx.languages)) if len(ctx.languages) == 1 else None)
            first_error: ModelUnavailable | None = None
            chosen: _Target | None = None
            for ref in self.candidates(post, ctx.languages):
                key = (ref, lang)
                if key not in resolved:
                    try:
                        resolved[key] = self.resolve(ref, lang)
                    except ModelUnavailable as exc:
                        resolved[key] = exc
                found = resolved[key]
                if isinstance(found, _Target):
                    chosen = found
                    break
                first_error = first_error or found
            if chosen is None:
                out.append(
                    first_error
                    or ModelUnavailable(
                        "no toxicity model is configured for this language",
                        fix=f'set [plugins.{PLUGIN}] models = {{default = "multilingual"}}',
                    )
                )
            else:
                out.append(chosen)
        return out

    def _findings(
        self, post: Post, best: Mapping[str, tuple[float, tuple[int, int], str]]
    ) -> list[Finding]:
        out: list[Finding] = []
        whole = len(post.text)
        for name, spec in LABELS.items():
            threshold = self.settings.thresholds.get(name)
            if threshold is None or name not in best:
                continue
            score, span, ref = best[name]
            if score < threshold:
                continue
            pct = round(score * 100)
            out.append(
                self.finding(
                    category=spec.category,
                    severity=_severity(spec.severity, score, self.settings.high_at),
                    score=score,
                    span=None if span == (0, whole) else span,
                    evidence=f"{name} {score:.2f} (model {ref})",
                    message={
                        "en": f"The toxicity model rates this text as {spec.says['en']} "
                        f"({pct}% sure).",
                        "id": f"Model toksisitas menilai teks ini {spec.says['id']} "
                        f"(yakin {pct}%).",
                    },
                    suggestion=spec.suggestion,
                )
            )
        return out


def _detoxify_installed() -> bool:
    """Whether ``import detoxify`` can work, without paying for the import (torch) yet."""
    if "detoxify" in sys.modules:
        return sys.modules["detoxify"] is not None
    try:
        return importlib.util.find_spec("detoxify") is not None
    except (ImportError, ValueError):
        return False


def _as_lists(scores: Mapping[str, Any], n: int) -> dict[str, list[float]]:
    """Detoxify returns a bare float per label for a single text; make every value a list."""
    out: dict[str, list[float]] = {}
    for label, values in scores.items():
        as_list = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
        if len(as_list) != n:
            raise RuntimeError(f"the model returned {len(as_list)} scores for {n} texts")
        out[label] = as_list
    return out


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = parse_settings(config.plugin(PLUGIN))
    if settings.mode == "off":
        return
    register(ToxicityRule.create(settings))
