"""Where the model store is, and the names of its folders and files.

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
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from smguard.toxicity.errors import ModelStoreError

__all__ = [
    "CHECKPOINT",
    "ENV_MODEL_DIR",
    "HF_FOLDER",
    "MANIFEST",
    "check_name",
    "describe_root",
    "model_root",
    "valid_name",
]

ENV_MODEL_DIR = "SMGUARD_MODEL_DIR"
MANIFEST = "smguard-model.json"
CHECKPOINT = "checkpoint.ckpt"
HF_FOLDER = "hf"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


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
