"""The models installed in the store, as their manifests (``smguard-model.json``) describe them.

Reading the store loads nothing: a folder's manifest and files say what it holds, which engines
can run it (its checkpoint on torch, its ONNX export on onnxruntime) and, when it is not usable,
why. ``smguard models list`` shows this; the ``toxicity`` plugin finds its models here.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.paths import CHECKPOINT, HF_FOLDER, MANIFEST, valid_name

__all__ = ["InstalledModel", "get_model", "human_size", "list_models", "read_manifest"]


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


def read_manifest(folder: Path) -> InstalledModel:
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
        read_manifest(p)
        for p in sorted(root.iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]


def get_model(root: Path, name: str) -> InstalledModel | None:
    """The installed model ``name``, or ``None`` when there is no such folder."""
    if not valid_name(name):
        return None
    folder = root / name
    return read_manifest(folder) if folder.is_dir() else None


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
