"""Where smguard keeps model weights, and how they get there: ``pull``, ``import``, ``list``.

The store is a folder with one sub-folder per installed model::

    <root>/original/checkpoint.ckpt        the detoxify checkpoint (config + weights)
    <root>/original/hf/                    its Hugging Face config and tokenizer files
    <root>/original/smguard-model.json     what it is, where it came from, its SHA-256
    <root>/original/onnx/                  its ONNX export, made by ``smguard models export``

``<root>`` is, first match wins: the ``SMGUARD_MODEL_DIR`` environment variable, the
``[plugins.toxicity] model_dir`` setting, ``<user cache dir>/smguard/models`` (platformdirs).

Everything a model needs at run time is inside its folder, so a folder made by ``pull`` on a
machine with internet can be carried to an air-gapped one and installed with ``import``; loading
then works with ``HF_HUB_OFFLINE=1``.

``export_onnx`` turns an installed model (or a checkpoint file) into an ONNX export for the
torch-free engine of :mod:`smguard.toxicity.onnx` and refuses it when its scores stray from torch's;
``verify_onnx`` runs that agreement check again on any text set.

Nothing here imports torch or transformers at module level: ``smguard --help`` must stay fast.
Checkpoints are unpickled with ``weights_only=True``; a file that also holds Python objects
(which can run code when loaded) is refused unless it was pulled over HTTPS from detoxify's own
release site with the published hash, or the person installing it says they trust it
(``--trust``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from smguard._version import __version__
from smguard.errors import ModelUnavailable, SmguardError
from smguard.toxicity import onnx as onnxengine

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOLERANCE",
    "ENV_BASE_URL",
    "ENV_MODEL_DIR",
    "EXPORT_FIX",
    "KNOWN_MODELS",
    "VERIFY_TEXTS",
    "Agreement",
    "CheckpointInfo",
    "DetoxifyModel",
    "DownloadError",
    "ExportRefused",
    "ExportResult",
    "InstalledModel",
    "KnownModel",
    "ModelInvalid",
    "ModelStoreError",
    "export_onnx",
    "get_model",
    "import_model",
    "import_onnx",
    "inspect_checkpoint",
    "list_models",
    "load_detoxify",
    "model_root",
    "pull_model",
    "read_texts",
    "verify_onnx",
]

ENV_MODEL_DIR = "SMGUARD_MODEL_DIR"
ENV_BASE_URL = "SMGUARD_MODEL_BASE_URL"
#: detoxify's own release location (``detoxify.detoxify.DOWNLOAD_URL``).
DEFAULT_BASE_URL = "https://github.com/unitaryai/detoxify/releases/download/"
MANIFEST = "smguard-model.json"
CHECKPOINT = "checkpoint.ckpt"
HF_FOLDER = "hf"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CHUNK = 1 << 20

ProgressCallback = Callable[[int, int | None], None]


class ModelStoreError(SmguardError):
    """A model cannot be found, installed or read."""


class ModelInvalid(ModelStoreError):
    """A file is not a usable detoxify checkpoint (corrupt, truncated, wrong content)."""


class DownloadError(ModelStoreError):
    """A model could not be downloaded."""


@dataclass(frozen=True)
class KnownModel:
    """A model detoxify publishes: where its checkpoint lives and what it is built on."""

    name: str
    #: Path of the checkpoint below the base URL (same as ``detoxify.detoxify.MODEL_URLS``).
    file: str
    #: The Hugging Face model its tokenizer and config come from.
    model_type: str
    description: str
    #: Languages it was trained for (``*``: many).
    languages: tuple[str, ...] = ("en",)

    @property
    def sha256_prefix(self) -> str | None:
        """The hash prefix in the file name (torch.hub's ``name-<sha256 prefix>.ext`` rule)."""
        match = re.search(r"-([0-9a-f]{6,64})\.[A-Za-z0-9]+$", self.file)
        return match.group(1) if match else None

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + "/" + self.file


KNOWN_MODELS: Mapping[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            "original",
            "v0.1-alpha/toxic_original-c1212f89.ckpt",
            "bert-base-uncased",
            "BERT trained on the Jigsaw toxic comment challenge (English)",
        ),
        KnownModel(
            "unbiased",
            "v0.3-alpha/toxic_debiased-c7548aa0.ckpt",
            "roberta-base",
            "RoBERTa trained on the Jigsaw unintended-bias challenge (English)",
        ),
        KnownModel(
            "multilingual",
            "v0.4-alpha/multilingual_debiased-0b549669.ckpt",
            "xlm-roberta-base",
            "XLM-RoBERTa trained on Jigsaw multilingual data (many languages)",
            languages=("*",),
        ),
        KnownModel(
            "original-small",
            "v0.1.2/original-albert-0e1d6498.ckpt",
            "albert-base-v2",
            "ALBERT version of 'original': smaller and faster (English)",
        ),
        KnownModel(
            "unbiased-small",
            "v0.1.2/unbiased-albert-c8519128.ckpt",
            "albert-base-v2",
            "ALBERT version of 'unbiased': smaller and faster (English)",
        ),
    )
}


# --------------------------------------------------------------------------- where


def model_root(
    setting: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The store folder: ``SMGUARD_MODEL_DIR``, else ``setting`` (config), else the user cache."""
    return describe_root(setting, env)[0]


def describe_root(
    setting: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> tuple[Path, str]:
    """The store folder and where that choice came from (for ``smguard models list``)."""
    env = os.environ if env is None else env
    if env.get(ENV_MODEL_DIR):
        return Path(env[ENV_MODEL_DIR]).expanduser(), f"from {ENV_MODEL_DIR}"
    if setting:
        return Path(setting).expanduser(), "from [plugins.toxicity] model_dir"
    import platformdirs

    return Path(
        platformdirs.user_cache_dir("smguard", appauthor=False)
    ) / "models", "default location"


def base_url(override: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Where ``pull`` downloads from: ``override``, ``SMGUARD_MODEL_BASE_URL``, detoxify's site."""
    env = os.environ if env is None else env
    return override or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def valid_name(name: str) -> bool:
    """Whether ``name`` can be a model's folder name in the store."""
    return bool(_NAME_RE.match(name))


def check_name(name: str) -> str:
    """Validate a model name (it becomes a folder name)."""
    if not _NAME_RE.match(name):
        raise ModelStoreError(
            f"{name!r} is not a usable model name: use lower-case letters, digits, '.', '-' "
            "or '_' (at most 64)"
        )
    return name


# --------------------------------------------------------------------------- installed models


@dataclass(frozen=True)
class InstalledModel:
    """A model in the store, as its manifest describes it."""

    name: str
    folder: Path
    classes: tuple[str, ...] = ()
    model_type: str = ""
    model_name: str = ""
    tokenizer_name: str = ""
    sha256: str = ""
    size: int = 0
    source: str = ""
    installed_at: str = ""
    #: Loading needs full unpickling (official release or imported with ``--trust``).
    trusted: bool = False
    #: Why the folder is not usable by the torch engine, when it is not.
    problem: str | None = None
    #: The ONNX engines its ``onnx/`` export can run (``onnx-int8``, ``onnx``), fastest first.
    onnx: tuple[str, ...] = ()

    @property
    def checkpoint(self) -> Path:
        return self.folder / CHECKPOINT

    @property
    def onnx_dir(self) -> Path:
        return self.folder / onnxengine.ONNX_FOLDER

    @property
    def onnx_only(self) -> bool:
        """Only an ONNX export is here (e.g. copied to a machine without torch)."""
        return bool(self.onnx) and not self.checkpoint.is_file()

    @property
    def config_dir(self) -> Path:
        return self.folder / HF_FOLDER

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "folder": str(self.folder),
            "classes": list(self.classes),
            "model_type": self.model_type,
            "model_name": self.model_name,
            "tokenizer_name": self.tokenizer_name,
            "sha256": self.sha256,
            "size": self.size,
            "source": self.source,
            "installed_at": self.installed_at,
            "trusted": self.trusted,
            "problem": self.problem,
            "onnx": list(self.onnx),
        }


def _onnx_engines(folder: Path) -> tuple[str, ...]:
    """The engines of ``folder``'s ONNX export, judged by its files (nothing is loaded)."""
    onnx_dir = folder / onnxengine.ONNX_FOLDER
    if not (onnx_dir / onnxengine.EXPORT_INFO).is_file():
        return ()
    if not (onnx_dir / onnxengine.TOKENIZER_FILE).is_file():
        return ()
    return tuple(e for e, f in onnxengine.VARIANTS.items() if (onnx_dir / f).is_file())[::-1]


def _read_manifest(folder: Path) -> InstalledModel:
    name = folder.name
    onnx = _onnx_engines(folder)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except FileNotFoundError:
        if onnx:
            return _onnx_only(folder, onnx)
        return InstalledModel(name, folder, problem=f"no {MANIFEST}: not installed by smguard")
    except (OSError, ValueError) as exc:
        return InstalledModel(name, folder, problem=f"unreadable {MANIFEST}: {exc}", onnx=onnx)
    model = InstalledModel(
        name=name,
        folder=folder,
        classes=tuple(str(c) for c in data.get("classes", [])),
        model_type=str(data.get("model_type", "")),
        model_name=str(data.get("model_name", "")),
        tokenizer_name=str(data.get("tokenizer_name", "")),
        sha256=str(data.get("sha256", "")),
        size=int(data.get("size", 0)),
        source=str(data.get("source", "")),
        installed_at=str(data.get("installed_at", "")),
        trusted=bool(data.get("trusted", False)),
        onnx=onnx,
    )
    if not model.checkpoint.is_file():
        if onnx:
            return _onnx_only(folder, onnx, model)
        return _with_problem(model, f"{CHECKPOINT} is missing")
    if not (model.config_dir / "config.json").is_file():
        return _with_problem(model, f"{HF_FOLDER}/config.json is missing")
    return model


def _with_problem(model: InstalledModel, problem: str) -> InstalledModel:
    return InstalledModel(**{**model.__dict__, "problem": problem})


def _onnx_only(
    folder: Path, onnx: tuple[str, ...], base: InstalledModel | None = None
) -> InstalledModel:
    """A folder holding only an ONNX export: usable by the onnx engines, not by torch."""
    classes: tuple[str, ...] = base.classes if base else ()
    source = base.source if base else ""
    size = 0
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        data = json.loads(
            (folder / onnxengine.ONNX_FOLDER / onnxengine.EXPORT_INFO).read_text("utf-8")
        )
        classes = classes or tuple(str(c) for c in data.get("labels", []))
        source = source or str(data.get("source", ""))
        size = sum(int(v) for v in dict(data.get("sizes", {})).values())
    return InstalledModel(
        **{
            **(base.__dict__ if base else {"name": folder.name, "folder": folder}),
            "classes": classes,
            "source": source,
            "size": size or (base.size if base else 0),
            "onnx": onnx,
            "problem": f"only its ONNX export is here (no {CHECKPOINT}): the torch engine "
            "cannot use it",
        }
    )


def list_models(root: Path) -> list[InstalledModel]:
    """Every model folder in the store, usable or not, by name."""
    if not root.is_dir():
        return []
    return [
        _read_manifest(p)
        for p in sorted(root.iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]


def get_model(root: Path, name: str) -> InstalledModel | None:
    """The installed model ``name``, or ``None`` when there is no such folder."""
    if not _NAME_RE.match(name):
        return None
    folder = root / name
    return _read_manifest(folder) if folder.is_dir() else None


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class CheckpointInfo:
    """What a detoxify checkpoint says about itself (``config.arch.args``, ``dataset.args``)."""

    model_type: str
    model_name: str
    tokenizer_name: str
    num_classes: int
    classes: tuple[str, ...]


def sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def official_match(sha256: str) -> KnownModel | None:
    """The official release whose hash prefix ``sha256`` starts with, if any."""
    for known in KNOWN_MODELS.values():
        prefix = known.sha256_prefix
        if prefix and sha256.startswith(prefix):
            return known
    return None


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


# --------------------------------------------------------------------------- loading


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
def _quiet_transformers() -> Iterator[None]:
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
    with _load_lock, _quiet_transformers():
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


# --------------------------------------------------------------------------- installing


def _found(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _extra_installed() -> bool:
    return all(_found(m) for m in ("torch", "transformers", "detoxify"))


def _require_extra() -> None:
    """Fail before copying or downloading anything when torch/transformers are missing."""
    if not _extra_installed():
        raise ModelStoreError(
            "installing models needs the detoxify extra: pip install 'smguard[detoxify]'"
        )


def _staging(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".staging-{name}-", dir=root))


def _install(root: Path, name: str, staging: Path) -> Path:
    """Move a finished staging folder into place, replacing an older install atomically."""
    return _replace_dir(root / name, staging, trash_dir=root)


def _replace_dir(target: Path, staging: Path, *, trash_dir: Path) -> Path:
    """Move ``staging`` to ``target``, replacing what is there; put it back if the move fails."""
    name = target.name
    trash: Path | None = None
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".old-{name}-", dir=trash_dir))
        os.replace(target, trash / name)
    try:
        os.replace(staging, target)
    except OSError:
        if trash is not None:  # put the old model back rather than leave none
            os.replace(trash / name, target)
            shutil.rmtree(trash, ignore_errors=True)
        raise
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    return target


def _copy_hashing(src: Path, dest: Path, progress: ProgressCallback | None = None) -> str:
    import hashlib

    digest = hashlib.sha256()
    total = src.stat().st_size
    done = 0
    with src.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(_CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def _build_hf_folder(info: CheckpointInfo, source: str, dest: Path, *, download: bool) -> None:
    """Save the tokenizer and config (with the right number of labels) into ``dest``.

    ``download``: may fetch ``source`` from the Hugging Face Hub (``pull``); otherwise only a
    local folder or the HF cache will do (``import`` is for machines without internet).
    """
    try:
        import transformers
    except ImportError:
        raise ModelStoreError(
            "installing models needs the detoxify extra: pip install 'smguard[detoxify]'"
        ) from None
    model_class = getattr(transformers, info.model_name, None)
    tokenizer_class = getattr(transformers, info.tokenizer_name, None)
    if model_class is None or tokenizer_class is None:
        missing = info.model_name if model_class is None else info.tokenizer_name
        raise ModelInvalid(f"the checkpoint needs {missing}, which transformers does not have")
    local = not download
    with _quiet_transformers():
        try:
            config = model_class.config_class.from_pretrained(
                source, num_labels=info.num_classes, local_files_only=local
            )
            tokenizer = tokenizer_class.from_pretrained(source, local_files_only=local)
        except OSError:
            if download:
                raise DownloadError(
                    f"cannot download the tokenizer and config of {info.model_type} from the "
                    "Hugging Face Hub; check the internet connection"
                ) from None
            raise ModelStoreError(
                f"the tokenizer and config for {info.model_type} are not on this machine: give "
                "their folder with --config-path (the 'hf' folder of a model pulled elsewhere)"
            ) from None
        config.save_pretrained(dest)
        tokenizer.save_pretrained(dest)


def _finish_install(
    root: Path,
    name: str,
    staging: Path,
    *,
    config_source: str | None,
    download: bool,
    sha256: str,
    source: str,
    trusted: bool,
) -> InstalledModel:
    checkpoint = staging / CHECKPOINT
    loaded = read_checkpoint(checkpoint, trusted=trusted, where=source)
    info = inspect_checkpoint(loaded, source)
    del loaded
    hf = staging / HF_FOLDER
    hf.mkdir()
    _build_hf_folder(info, config_source or info.model_type, hf, download=download)
    # Prove it loads and predicts from the staged files alone before it replaces anything.
    model = load_detoxify(checkpoint, hf, trusted=trusted, where=source)
    scores = model.predict(["smguard self-test"])
    if not scores:
        raise ModelInvalid(f"{source}: the model loads but predicts nothing")
    manifest = {
        "name": name,
        "classes": list(info.classes),
        "model_type": info.model_type,
        "model_name": info.model_name,
        "tokenizer_name": info.tokenizer_name,
        "num_classes": info.num_classes,
        "sha256": sha256,
        "size": checkpoint.stat().st_size,
        "source": source,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trusted": trusted,
        "smguard": __version__,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _keep_export(root / name, staging, sha256)
    folder = _install(root, name, staging)
    return _read_manifest(folder)


def _keep_export(old: Path, staging: Path, sha256: str) -> None:
    """Carry an ONNX export over to a reinstall of the very same checkpoint (same SHA-256)."""
    export = old / onnxengine.ONNX_FOLDER
    try:
        data = json.loads((export / onnxengine.EXPORT_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    target = staging / onnxengine.ONNX_FOLDER
    if isinstance(data, dict) and data.get("checkpoint_sha256") == sha256 and not target.exists():
        with contextlib.suppress(OSError):
            shutil.copytree(export, target)


def _checkpoint_in_folder(folder: Path) -> Path:
    if (folder / CHECKPOINT).is_file():
        return folder / CHECKPOINT
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in (".ckpt", ".pt", ".pth")
    )
    if len(found) != 1:
        what = "no" if not found else "several"
        raise ModelStoreError(f"{folder}: {what} checkpoint files (.ckpt) in this folder")
    return found[0]


def _default_name(src: Path, sha256: str, manifest: Mapping[str, Any]) -> str:
    if isinstance(manifest.get("name"), str):
        return str(manifest["name"])
    for known in KNOWN_MODELS.values():
        if src.name == Path(known.file).name:
            return known.name
    known_by_hash = official_match(sha256)
    if known_by_hash:
        return known_by_hash.name
    stem = re.sub(r"[^a-z0-9._-]+", "-", src.stem.lower()).strip("-._")
    return stem or "model"


def import_model(
    root: Path,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    config_path: str | os.PathLike[str] | None = None,
    trust: bool = False,
    progress: ProgressCallback | None = None,
) -> InstalledModel:
    """Install a checkpoint file, or a model folder made by ``pull``, into the store.

    The checkpoint is copied, validated (detoxify layout, loads, predicts) and only then moved
    into place; a corrupt file raises :class:`ModelInvalid` and leaves the store unchanged.
    """
    src = Path(path).expanduser()
    if not src.exists():
        raise ModelStoreError(f"{src}: no such file or folder")
    export = _export_in(src)
    if export is not None and (not _has_checkpoint(src) or not _extra_installed()):
        # An ONNX export alone (e.g. copied to a machine without torch): no checkpoint to load.
        return import_onnx(root, export, name=name)
    _require_extra()
    manifest: dict[str, Any] = {}
    config_source: str | None = str(Path(config_path).expanduser()) if config_path else None
    if src.is_dir():
        if (src / MANIFEST).is_file():
            with contextlib.suppress(OSError, ValueError):
                manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        if config_source is None and (src / HF_FOLDER / "config.json").is_file():
            config_source = str(src / HF_FOLDER)
        src = _checkpoint_in_folder(src)
    if config_source is not None and not Path(config_source).is_dir():
        raise ModelStoreError(f"{config_source}: the --config-path folder does not exist")
    staging = _staging(root, "import")
    try:
        sha256 = _copy_hashing(src, staging / CHECKPOINT, progress)
        final = check_name(name or _default_name(src, sha256, manifest))
        if export is not None:
            _stage_export(export, staging / onnxengine.ONNX_FOLDER, sha256)
        return _finish_install(
            root,
            final,
            staging,
            config_source=config_source,
            download=False,
            sha256=sha256,
            source=str(Path(path).expanduser().resolve()),
            trusted=trust,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def download(
    url: str,
    dest: Path,
    *,
    timeout: float = 60.0,
    progress: ProgressCallback | None = None,
) -> str:
    """Stream ``url`` into ``dest`` through a ``.part`` file; return the SHA-256."""
    # Imported here: http.client and ssl cost tens of milliseconds at every start otherwise.
    import hashlib
    import urllib.error
    import urllib.request

    part = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": f"smguard/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, part.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total is not None and done != total:
            raise DownloadError(f"{url}: download interrupted ({done} of {total} bytes)")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url} ({reason}); on a machine without internet, copy a model "
            "folder and use 'smguard models import'"
        ) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return digest.hexdigest()


def pull_model(
    root: Path,
    name: str,
    *,
    url_base: str | None = None,
    known: KnownModel | None = None,
    trust: bool = False,
    timeout: float = 60.0,
    progress: ProgressCallback | None = None,
) -> InstalledModel:
    """Download a detoxify release and its tokenizer/config into the store, ready for offline use.

    ``known`` overrides the entry of :data:`KNOWN_MODELS` (tests and private mirrors). The file's
    SHA-256 must start with the prefix in its release name, as torch.hub checks. A file fetched
    over HTTPS from detoxify's own release site may need full unpickling; from anywhere else
    (``SMGUARD_MODEL_BASE_URL``) only with ``trust=True``.
    """
    spec = known or KNOWN_MODELS.get(name)
    if spec is None:
        raise ModelStoreError(
            f"unknown model {name!r}: pull one of {', '.join(KNOWN_MODELS)}, or install your own "
            "checkpoint with 'smguard models import PATH'"
        )
    check_name(spec.name)
    _require_extra()
    base = base_url(url_base)
    url = spec.url(base)
    staging = _staging(root, spec.name)
    try:
        sha256 = download(url, staging / CHECKPOINT, timeout=timeout, progress=progress)
        prefix = spec.sha256_prefix
        if prefix and not sha256.startswith(prefix):
            raise DownloadError(
                f"{url}: the downloaded file is not the published one (SHA-256 {sha256[:12]}…, "
                f"expected {prefix}…); try again, or check the mirror"
            )
        return _finish_install(
            root,
            spec.name,
            staging,
            config_source=None,
            download=True,
            sha256=sha256,
            source=url,
            trusted=trust or (prefix is not None and base == DEFAULT_BASE_URL),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# --------------------------------------------------------------------------- ONNX export

#: Largest score difference from torch an export may show (any label, any text).
DEFAULT_TOLERANCE = 0.02
DEFAULT_OPSET = 17
#: Installs what ``smguard models export`` needs (torch, detoxify, onnxruntime, onnx).
EXPORT_FIX = "pip install 'smguard[onnx-export]'"

_LONG_EN = (
    "We know many of you have been waiting for an update on the outage that affected online "
    "payments this week, and we are sorry for the trouble it caused. Our engineers traced the "
    "problem to a faulty configuration change at one of our data centres, rolled it back, and "
    "have been watching the system closely since then. Every payment that failed was refunded "
    "automatically; if you still see a pending charge after three working days, please send us "
    "a direct message with your order number so that our team can check it for you. "
)
_LONG_ID = (
    "Kami memahami banyak pelanggan yang menunggu kabar tentang gangguan layanan pembayaran "
    "minggu ini, dan kami mohon maaf atas ketidaknyamanan yang terjadi. Tim teknis kami sudah "
    "menemukan penyebabnya, yaitu perubahan konfigurasi di salah satu pusat data, dan sudah "
    "memulihkannya. Semua transaksi yang gagal dikembalikan secara otomatis; jika dalam tiga "
    "hari kerja dana belum kembali, silakan kirim pesan langsung berisi nomor pesanan Anda. "
)

#: The agreement check's texts: English and Indonesian, polite and abusive, short and long (the
#: last ones run past 512 tokens, so truncation is compared too).
VERIFY_TEXTS: tuple[str, ...] = (
    "Thank you for your patience, the service is back to normal.",
    "Good morning! Our office hours this week are 08:00-16:00 WIB.",
    "Congratulations to the winners of our photo contest 🎉 #SeninCeria",
    "Please check https://example.go.id/info for the latest update.",
    "We're sorry to hear that, @budi_s. Could you DM us your ticket number?",
    "Reminder: the new fare applies from 1 July 2025.",
    "This is the dumbest policy I've ever seen.",
    "You are an idiot and everyone knows it.",
    "Shut up, nobody asked for your stupid opinion.",
    "I will find where you live and make you pay for this.",
    "What a load of crap, you useless morons.",
    "People like them should be kicked out of this country.",
    "Go to hell, you worthless piece of garbage.",
    "She looks so hot in that picture, send nudes",
    "Fuck this company and fuck your customer service.",
    "Honestly the app update is great, well done team!",
    "lol that's sick 🔥🔥",
    "I hate Mondays.",
    "Killing it today, team! 💪",
    "Terima kasih atas kesabarannya, layanan sudah kembali normal.",
    "Selamat pagi, Kak! Ada yang bisa kami bantu?",
    "Mohon maaf atas ketidaknyamanannya, tim kami sedang memperbaiki gangguan ini.",
    "Info lengkap cek di website resmi kami ya, Kak 🙏",
    "Dasar bodoh, kerja begitu saja tidak becus!",
    "Goblok banget sih adminnya, dari tadi nggak dibalas.",
    "Anjing lo, awas ya kalau ketemu.",
    "Kalian semua penipu, bangsat!",
    "Tunggu saja, rumahmu akan kubakar.",
    "Orang dari suku itu memang tidak bisa dipercaya.",
    "Bacot lu, diem aja deh.",
    "Promo spesial akhir pekan: diskon 50% untuk semua menu!",
    "Kak, pesanan saya belum sampai sudah seminggu 😡",
    "Wah keren banget acaranya, sukses terus ya!",
    "Jangan lupa ikuti kuis kami dan menangkan hadiahnya #KuisJumat",
    "Min, tolong dong dibantu, saldo saya terpotong dua kali.",
    "Pelayanan kalian payah, mending tutup aja.",
    "Thanks kak, udah beres masalahnya 👍",
    "OMG this is sooo bad, kalian parah banget!",
    "Selamat Hari Raya Idul Fitri, mohon maaf lahir dan batin.",
    "Kill all of them, they don't deserve to live.",
    "Your mother is a whore.",
    "I disagree with this decision, but I respect the process.",
    "Stupid bitch, learn to drive.",
    "Kontol, admin nggak guna!",
    "",
    "?!",
    _LONG_EN * 2,
    _LONG_ID * 3,
    (_LONG_EN + _LONG_ID) * 4,
    (_LONG_ID + " Dasar admin goblok, bodoh semua! ") * 12,
)


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """Texts for the agreement check: one per line, or JSON lines with a ``text`` field."""
    where = Path(path).expanduser()
    try:
        lines = where.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelStoreError(f"{where}: cannot read the texts ({exc})") from None
    texts: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                item = json.loads(line)
            except ValueError:
                raise ModelStoreError(f"{where}:{number}: not valid JSON") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ModelStoreError(f'{where}:{number}: a JSON line needs a "text" string')
            texts.append(item["text"])
        else:
            texts.append(line)
    if not texts:
        raise ModelStoreError(f"{where}: no texts in the file")
    return texts


class ExportRefused(ModelStoreError):
    """An export's scores differ from torch's by more than the tolerance: nothing was installed."""

    def __init__(self, message: str, agreement: Agreement) -> None:
        super().__init__(message)
        self.agreement = agreement


@dataclass(frozen=True)
class Agreement:
    """How far ONNX scores are from torch's on a text set: engine -> label -> largest difference."""

    texts: int
    tolerance: float
    labels: tuple[str, ...]
    max_diff: Mapping[str, Mapping[str, float]]
    #: Engine -> index (in the text set) of the text with that engine's largest difference.
    worst_text: Mapping[str, int]

    def largest(self, engine: str) -> tuple[str, float]:
        """The label with ``engine``'s largest difference, and the difference."""
        diffs = self.max_diff[engine]
        label = max(diffs, key=lambda k: diffs[k]) if diffs else ""
        return label, diffs.get(label, 0.0)

    @property
    def failed(self) -> list[str]:
        """The engines whose largest difference exceeds the tolerance."""
        return [e for e in self.max_diff if self.largest(e)[1] > self.tolerance]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: each engine's largest difference and its label."""
        parts = []
        for engine in self.max_diff:
            label, diff = self.largest(engine)
            parts.append(f"{engine} {diff:.4f} ({label})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "tolerance": self.tolerance,
            "max_diff": {e: dict(d) for e, d in self.max_diff.items()},
            "worst_text": dict(self.worst_text),
            "ok": self.ok,
        }


@dataclass(frozen=True)
class ExportResult:
    """An installed export: where, which engines, and its agreement with torch."""

    name: str
    folder: Path
    engines: tuple[str, ...]
    agreement: Agreement
    exporter: str
    sizes: Mapping[str, int]
    seconds: float


def _require_export_extra(int8: bool) -> None:
    """Fail before loading anything when a package that export needs is missing."""
    _require_extra_for = [m for m in ("torch", "transformers", "detoxify") if not _found(m)]
    _require_extra_for += [m for m in ("onnxruntime", "tokenizers") if not _found(m)]
    if int8 and not _found("onnx"):
        _require_extra_for.append("onnx")
    if _require_extra_for:
        raise ModelStoreError(
            f"exporting to ONNX needs {', '.join(_require_extra_for)}: {EXPORT_FIX}"
        )


def _as_matrix(scores: Mapping[str, Any], labels: Sequence[str], n: int) -> list[list[float]]:
    """``Detoxify.predict``'s label -> scores, as one row of floats per text."""
    columns: list[list[float]] = []
    for label in labels:
        values = scores[label]
        column = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
        if len(column) != n:
            raise ModelInvalid(f"the model returned {len(column)} scores for {n} texts")
        columns.append(column)
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in range(n)]


def _torch_scores(model: DetoxifyModel, texts: Sequence[str], batch: int = 16) -> list[list[float]]:
    rows: list[list[float]] = []
    for start in range(0, len(texts), batch):
        chunk = list(texts[start : start + batch])
        rows.extend(_as_matrix(model.predict(chunk), model.class_names, len(chunk)))
    return rows


def _agreement(
    reference: Sequence[Sequence[float]],
    labels: Sequence[str],
    models: Mapping[str, onnxengine.OnnxModel],
    texts: Sequence[str],
    tolerance: float,
) -> Agreement:
    max_diff: dict[str, dict[str, float]] = {}
    worst: dict[str, int] = {}
    for engine, model in models.items():
        scores = model.scores(list(texts))
        diffs = dict.fromkeys(labels, 0.0)
        top = (-1.0, 0)
        for t, row in enumerate(reference):
            for j, label in enumerate(labels):
                d = abs(float(scores[t, j]) - row[j])
                if d > diffs[label]:
                    diffs[label] = d
                if d > top[0]:
                    top = (d, t)
        max_diff[engine] = diffs
        worst[engine] = top[1]
    return Agreement(len(texts), tolerance, tuple(labels), max_diff, worst)


@dataclass(frozen=True)
class _Source:
    checkpoint: Path
    config_dir: Path | None
    trusted: bool
    name: str
    sha256: str
    #: How messages name it; and where the checkpoint came from (``export.json``'s ``source``).
    where: str
    origin: str


def _export_source(
    root: Path,
    source: str | os.PathLike[str],
    name: str | None,
    config_path: str | os.PathLike[str] | None,
    trust: bool,
) -> _Source:
    """Which checkpoint to export, from a store name or a file/folder path."""
    ref = str(source)
    installed = get_model(root, ref) if _NAME_RE.match(ref) else None
    if installed is not None and installed.checkpoint.is_file():
        if not installed.ok:
            raise ModelStoreError(f"the '{ref}' model in {installed.folder}: {installed.problem}")
        return _Source(
            installed.checkpoint,
            installed.config_dir,
            installed.trusted,
            check_name(name or ref),
            installed.sha256,
            ref,
            installed.source or ref,
        )
    path = Path(source).expanduser()
    if not path.exists():
        if _NAME_RE.match(ref):
            how = (
                f"smguard models pull {ref}"
                if ref in KNOWN_MODELS
                else f"smguard models import PATH --name {ref}"
            )
            raise ModelStoreError(f"the '{ref}' model is not installed in {root}: {how} first")
        raise ModelStoreError(f"{path}: no such file or folder")
    manifest: dict[str, Any] = {}
    config_dir = Path(config_path).expanduser() if config_path else None
    if path.is_dir():
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if config_dir is None and (path / HF_FOLDER / "config.json").is_file():
            config_dir = path / HF_FOLDER
        trust = trust or bool(manifest.get("trusted", False))
        path = _checkpoint_in_folder(path)
    if config_dir is not None and not config_dir.is_dir():
        raise ModelStoreError(f"{config_dir}: the --config-path folder does not exist")
    sha256 = sha256_file(path)
    final = check_name(name or _default_name(path, sha256, manifest))
    where = str(path.resolve())
    return _Source(path, config_dir, trust, final, sha256, where, where)


def _export_tokenizer(tokenizer: Any, dest: Path) -> dict[str, Any]:
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


def _tokenizer_mismatches(tokenizer: Any, folder: Path, texts: Sequence[str]) -> int:
    """How many texts the exported tokenizer splits differently from transformers' own."""
    from tokenizers import Tokenizer

    info = onnxengine.read_export(folder)
    fast = Tokenizer.from_file(str(folder / onnxengine.TOKENIZER_FILE))
    fast.enable_truncation(max_length=info.max_length)
    ours = [e.ids for e in fast.encode_batch(list(texts))]
    theirs = tokenizer(list(texts), truncation=True)["input_ids"]
    return sum(1 for a, b in zip(ours, theirs, strict=True) if list(a) != list(b))


def _torch_to_onnx(
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


def _quantize(src: Path, dest: Path) -> None:
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


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"smguard": __version__}
    for package in ("torch", "transformers", "onnxruntime", "onnx", "tokenizers"):
        with contextlib.suppress(PackageNotFoundError):
            out[package] = version(package)
    return out


def export_onnx(
    root: Path,
    source: str | os.PathLike[str],
    *,
    name: str | None = None,
    config_path: str | os.PathLike[str] | None = None,
    trust: bool = False,
    int8: bool = True,
    opset: int = DEFAULT_OPSET,
    tolerance: float = DEFAULT_TOLERANCE,
    texts: Sequence[str] | None = None,
    threads: int | None = None,
    log: Callable[[str], None] | None = None,
) -> ExportResult:
    """Export a detoxify model to ONNX (and int8), check it against torch, install it.

    ``source`` is a model name in the store or a checkpoint file/folder (then ``name``,
    default from the file, says where in the store it goes, and ``config_path`` where its
    tokenizer/config are). The export is built in a staging folder, scored against torch on
    ``texts`` (default :data:`VERIFY_TEXTS`), and moved to ``<root>/<name>/onnx/`` only when no
    score differs by more than ``tolerance``; otherwise :class:`ExportRefused` is raised and the
    store is left as it was.
    """
    started = time.perf_counter()
    say = log or (lambda _msg: None)
    _require_export_extra(int8)
    if not 0 <= tolerance <= 1:
        raise ModelStoreError(f"the tolerance must be from 0 to 1, not {tolerance}")
    src = _export_source(root, source, name, config_path, trust)
    texts = list(VERIFY_TEXTS if texts is None else texts)
    if not texts:
        raise ModelStoreError("the agreement check needs at least one text")
    target = root / src.name
    existing = get_model(root, src.name)
    if (
        existing is not None
        and existing.checkpoint.is_file()
        and existing.sha256
        and src.sha256
        and existing.sha256 != src.sha256
    ):
        raise ModelStoreError(
            f"another checkpoint is installed as '{src.name}' in {root}; export under another "
            "--name"
        )
    say(f"Loading {src.where} with torch")
    model: Any = load_detoxify(src.checkpoint, src.config_dir, trusted=src.trusted, where=src.where)
    labels = list(model.class_names)
    say(f"Scoring {len(texts)} texts with torch")
    reference = _torch_scores(model, texts)
    root.mkdir(parents=True, exist_ok=True)
    staging = _staging(root, f"{src.name}-onnx")
    try:
        facts = _export_tokenizer(model.tokenizer, staging)
        (staging / onnxengine.LABELS_FILE).write_text(
            json.dumps(labels, indent=2) + "\n", encoding="utf-8"
        )
        info: dict[str, Any] = {
            "name": src.name,
            "labels": labels,
            **facts,
            "checkpoint_sha256": src.sha256,
            "source": src.origin,
            "opset": opset,
        }
        _write_json(staging / onnxengine.EXPORT_INFO, info)
        example = model.tokenizer(
            ["smguard exports this example text", "short"],
            return_tensors="pt",
            truncation=True,
            padding=True,
        )
        say(f"Exporting to ONNX (opset {opset})")
        exporter = _torch_to_onnx(
            model.model, example, facts["input_names"], staging / onnxengine.MODEL_FP32, opset
        )
        engines = ["onnx"]
        if int8:
            say("Quantising to int8")
            _quantize(staging / onnxengine.MODEL_FP32, staging / onnxengine.MODEL_INT8)
            engines.insert(0, "onnx-int8")
        say(f"Comparing with torch on {len(texts)} texts")
        onnx_models = {e: onnxengine.OnnxModel(staging, e, threads=threads) for e in engines}
        agreement = _agreement(reference, labels, onnx_models, texts, tolerance)
        del onnx_models
        mismatches = _tokenizer_mismatches(model.tokenizer, staging, texts)
        sizes = {e: (staging / onnxengine.VARIANTS[e]).stat().st_size for e in engines}
        info.update(
            {
                "engines": engines,
                "exporter": exporter,
                "tolerance": tolerance,
                "texts": len(texts),
                "max_diff": {e: dict(d) for e, d in agreement.max_diff.items()},
                "tokenizer_mismatches": mismatches,
                "sizes": sizes,
                "versions": _versions(),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        _write_json(staging / onnxengine.EXPORT_INFO, info)
        if not agreement.ok:
            worst = max(agreement.failed, key=lambda e: agreement.largest(e)[1])
            label, diff = agreement.largest(worst)
            hint = " (try --no-int8)" if worst == "onnx-int8" else ""
            raise ExportRefused(
                f"export of '{src.name}' refused: {worst} scores differ from torch by up to "
                f"{diff:.4f} ({label}), over the tolerance {tolerance:g}{hint}; nothing was "
                "installed",
                agreement,
            )
        target.mkdir(parents=True, exist_ok=True)
        folder = _replace_dir(target / onnxengine.ONNX_FOLDER, staging, trash_dir=root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(
        src.name,
        folder,
        tuple(engines),
        agreement,
        exporter,
        sizes,
        time.perf_counter() - started,
    )


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def verify_onnx(
    root: Path,
    name: str,
    *,
    texts: Sequence[str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    engines: Sequence[str] | None = None,
    threads: int | None = None,
) -> Agreement:
    """Score ``texts`` with torch and with the installed export of ``name``; the differences."""
    installed = get_model(root, name)
    if installed is None or not installed.onnx:
        raise ModelStoreError(
            f"the '{name}' model has no ONNX export in {root}: smguard models export {name}"
        )
    if installed.onnx_only:
        raise ModelStoreError(
            f"verify compares with torch, and only the ONNX export of '{name}' is here (no "
            "checkpoint): run it where the model was exported"
        )
    if not installed.ok:
        raise ModelStoreError(f"the '{name}' model in {installed.folder}: {installed.problem}")
    if not (_extra_installed() and onnxengine.available()):
        raise ModelStoreError(f"verify needs torch, detoxify and onnxruntime: {EXPORT_FIX}")
    wanted = list(engines or installed.onnx)
    missing = [e for e in wanted if e not in installed.onnx]
    if missing:
        raise ModelStoreError(f"the export of '{name}' has no {', '.join(missing)} model")
    texts = list(VERIFY_TEXTS if texts is None else texts)
    if not texts:
        raise ModelStoreError("the agreement check needs at least one text")
    model = load_detoxify(installed.checkpoint, installed.config_dir, trusted=installed.trusted)
    reference = _torch_scores(model, texts)
    onnx_models = {e: onnxengine.OnnxModel(installed.onnx_dir, e, threads=threads) for e in wanted}
    labels = list(model.class_names)
    if list(onnx_models[wanted[0]].class_names) != labels:
        raise ModelStoreError(
            f"the export of '{name}' has other labels than its checkpoint: export it again"
        )
    return _agreement(reference, labels, onnx_models, texts, tolerance)


def _export_in(src: Path) -> Path | None:
    """The ONNX export folder in ``src`` (``src`` itself or ``src/onnx``), if there is one."""
    if not src.is_dir():
        return None
    for folder in (src, src / onnxengine.ONNX_FOLDER):
        if (folder / onnxengine.EXPORT_INFO).is_file():
            return folder
    return None


def _has_checkpoint(src: Path) -> bool:
    if src.is_file():
        return True
    return any(p.suffix in (".ckpt", ".pt", ".pth") for p in src.iterdir() if p.is_file())


def _stage_export(export: Path, dest: Path, sha256: str | None) -> onnxengine.ExportInfo:
    """Copy an export folder to ``dest`` after checking it (it loads and scores, when it can)."""
    info = onnxengine.read_export(export)
    if sha256 and info.checkpoint_sha256 and info.checkpoint_sha256 != sha256:
        raise ModelStoreError(
            f"{export}: this ONNX export was made from another checkpoint than the one being "
            "installed; export it again"
        )
    shutil.copytree(export, dest)
    if onnxengine.available():
        for engine in onnxengine.read_export(dest).engines:
            try:
                onnxengine.OnnxModel(dest, engine, threads=1).predict(["smguard self-test"])
            except ModelUnavailable as exc:
                raise ModelInvalid(f"{export}: {exc.reason}") from None
    return info


def import_onnx(
    root: Path, path: str | os.PathLike[str], *, name: str | None = None
) -> InstalledModel:
    """Install an ONNX export folder (made by ``export_onnx``) as ``<root>/<name>/onnx/``.

    Needs no torch: this is how an air-gapped machine with ``smguard[onnx]`` gets a model. The
    files are checked (and, with onnxruntime installed, loaded and run) before anything is
    replaced; a model already installed under ``name`` keeps its checkpoint.
    """
    src = Path(path).expanduser()
    export = _export_in(src)
    if export is None:
        raise ModelStoreError(f"{src}: no ONNX export here ({onnxengine.EXPORT_INFO} is missing)")
    try:
        info = onnxengine.read_export(export)
    except ModelUnavailable as exc:
        raise ModelInvalid(exc.reason) from None
    final = check_name(name or info.name)
    existing = get_model(root, final)
    sha256 = existing.sha256 if existing is not None and existing.checkpoint.is_file() else None
    staging = _staging(root, f"{final}-onnx")
    try:
        shutil.rmtree(staging)
        _stage_export(export, staging, sha256)
        (root / final).mkdir(parents=True, exist_ok=True)
        _replace_dir(root / final / onnxengine.ONNX_FOLDER, staging, trash_dir=root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _read_manifest(root / final)
