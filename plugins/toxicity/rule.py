"""``SMG-TOX-001``: scores posts in batches with a detoxify model and reports each label over
its threshold.

The model runs on one of two engines, chosen by ``engine``: ``torch`` (detoxify itself) or
``onnx`` / ``onnx-int8`` (an export made by ``smguard models export``, on onnxruntime and
``tokenizers`` only: see :mod:`smguard.toxicity.onnx`). ``auto`` (the default) takes an installed
int8 export, else an fp32 one, else torch. The engine is only a backend: labels, thresholds,
categories, windows and batching are this plugin's, whichever engine scores. Each post's
engine and model ("onnx-int8 multilingual") go into ``ctx.cache[DETAIL_KEY]`` for the verdict's
engine status, and into each finding's evidence.

When detoxify or the weights are missing the rule raises
:class:`~smguard.errors.ModelUnavailable` carrying the command that fixes it; the engine reports
the engine as ``skipped`` — and, with ``enabled = true``, adds an integrity finding so the post
goes to review. It never passes a post silently.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from smguard.errors import ModelUnavailable
from smguard.guard.rule import Rule
from smguard.toxicity import loading
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.extras import installed
from smguard.toxicity.loading import LABEL_ALIASES
from smguard.toxicity.manifest import get_model
from smguard.toxicity.paths import model_root, valid_name
from smguard.toxicity.releases import KNOWN_MODELS
from smguard.types import Finding, Post, Severity

from .labels import CALM, LABELS, severity
from .scoring import as_lists, windows
from .settings import DEFAULT_KEY, PLUGIN, ToxicitySettings

if TYPE_CHECKING:
    from smguard.guard.rule import CheckContext

__all__ = ["DETAIL_KEY", "ToxicityRule"]

RULE_ID = "SMG-TOX-001"
ENGINE = "toxicity"
INSTALL_FIX = "pip install 'smguard[detoxify]'"
#: Where each post's engine and model are left for the verdict's engine status (``detail``).
DETAIL_KEY = f"engine_detail:{ENGINE}"


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


@dataclass(eq=False)
class ToxicityRule(Rule):
    """Scores posts with detoxify, in batches; see the module docstring."""

    settings: ToxicitySettings = field(default_factory=ToxicitySettings)
    #: Where installed models live (see :func:`smguard.toxicity.paths.model_root`).
    root: Path = field(default_factory=lambda: model_root())
    batch: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self._lock = threading.Lock()
        self._models: dict[_Target, loading.DetoxifyModel] = {}
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
            suggestion=CALM,
            false_positives=(
                "quoting abuse in order to condemn it",
                "sarcasm and friendly banter",
                "names of places or people that resemble rude words",
            ),
            source="smguard.plugins.toxicity",
            settings=settings,
            root=Path(root) if root is not None else model_root(settings.model_dir),
            required=settings.required,
        )

    # ------------------------------------------------------------------ model choice

    @property
    def loaded(self) -> Mapping[str, loading.DetoxifyModel]:
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
        elif valid_name(ref):
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
            installed = get_model(self.root, ref)
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
        installed = get_model(self.root, ref)
        if installed is None:
            fix = (
                f"smguard models pull {ref}"
                if ref in KNOWN_MODELS
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
                if ref in KNOWN_MODELS
                else f"smguard models import PATH --name {ref}",
            )
        return _Target(ref, installed.checkpoint, installed.config_dir, installed.trusted)

    def _config_path_for(self, ref: str, lang_key: str | None) -> Path | None:
        paths = self.settings.config_paths
        for key in (lang_key, DEFAULT_KEY):
            if key and key in paths:
                return Path(paths[key]).expanduser()
        return None

    def _model(self, target: _Target) -> loading.DetoxifyModel:
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
                    model = loading.load_detoxify(
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
                scores = as_lists(model.predict(texts), len(texts))
                for label, values in scores.items():
                    name = LABEL_ALIASES.get(label, label)
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
                    severity=severity(spec.severity, score, self.settings.high_at),
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
    return installed("detoxify")
