"""Where smguard keeps model weights, and how they get there: ``pull``, ``import``, ``list``.

The store is a folder with one sub-folder per installed model::

    <root>/original/checkpoint.ckpt        the detoxify checkpoint (config + weights)
    <root>/original/hf/                    its Hugging Face config and tokenizer files
    <root>/original/smguard-model.json     what it is, where it came from, its SHA-256

``<root>`` is, first match wins: the ``SMGUARD_MODEL_DIR`` environment variable, the
``[plugins.toxicity] model_dir`` setting, ``<user cache dir>/smguard/models`` (platformdirs).

Everything a model needs at run time is inside its folder, so a folder made by ``pull`` on a
machine with internet can be carried to an air-gapped one and installed with ``import``; loading
then works with ``HF_HUB_OFFLINE=1``.

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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from smguard import __version__
from smguard.errors import ModelUnavailable, SmguardError

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "ENV_MODEL_DIR",
    "KNOWN_MODELS",
    "CheckpointInfo",
    "DetoxifyModel",
    "DownloadError",
    "InstalledModel",
    "KnownModel",
    "ModelInvalid",
    "ModelStoreError",
    "get_model",
    "import_model",
    "inspect_checkpoint",
    "list_models",
    "load_detoxify",
    "model_root",
    "pull_model",
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
    #: Why the folder is not usable, when it is not.
    problem: str | None = None

    @property
    def checkpoint(self) -> Path:
        return self.folder / CHECKPOINT

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
        }


def _read_manifest(folder: Path) -> InstalledModel:
    name = folder.name
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except FileNotFoundError:
        return InstalledModel(name, folder, problem=f"no {MANIFEST}: not installed by smguard")
    except (OSError, ValueError) as exc:
        return InstalledModel(name, folder, problem=f"unreadable {MANIFEST}: {exc}")
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
    )
    if not model.checkpoint.is_file():
        return _with_problem(model, f"{CHECKPOINT} is missing")
    if not (model.config_dir / "config.json").is_file():
        return _with_problem(model, f"{HF_FOLDER}/config.json is missing")
    return model


def _with_problem(model: InstalledModel, problem: str) -> InstalledModel:
    return InstalledModel(**{**model.__dict__, "problem": problem})


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


def _require_extra() -> None:
    """Fail before copying or downloading anything when torch/transformers are missing."""
    import importlib.util

    for module in ("torch", "transformers", "detoxify"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ModelStoreError(
                "installing models needs the detoxify extra: pip install 'smguard[detoxify]'"
            )


def _staging(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".staging-{name}-", dir=root))


def _install(root: Path, name: str, staging: Path) -> Path:
    """Move a finished staging folder into place, replacing an older install atomically."""
    target = root / name
    trash: Path | None = None
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".old-{name}-", dir=root))
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
    folder = _install(root, name, staging)
    return _read_manifest(folder)


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
