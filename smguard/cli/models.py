"""``smguard models``: see, download and import the model weights the toxicity check uses.

    smguard models list                      what is installed, where, and what is missing
    smguard models pull original multilingual    download (needs internet)
    smguard models import /media/usb/original    install a copied folder or .ckpt (air-gapped)

The store logic lives in :mod:`smguard.modelstore`; this module only talks to people.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from smguard import modelstore
from smguard.errors import SmguardError

__all__ = ["models"]


def _options(ctx: click.Context) -> Mapping[str, Any]:
    """``[plugins.toxicity]`` from the configuration the root command loaded (or ./smguard.toml)."""
    state = ctx.find_root().obj
    config = getattr(state, "config", None)
    if config is None:
        from smguard.config import Config

        config = Config.load()
    options: Mapping[str, Any] = config.plugin("toxicity")
    return options


def _root(ctx: click.Context) -> tuple[Path, str]:
    setting = _options(ctx).get("model_dir")
    return modelstore.describe_root(setting if isinstance(setting, str) else None)


def _fail(exc: SmguardError) -> click.ClickException:
    from smguard.cli.main import Problem

    return Problem(str(exc))


@contextmanager
def _progress(label: str) -> Iterator[modelstore.ProgressCallback]:
    """Show "label: 12.0 MB of 418.0 MB" on a terminal's stderr; nothing when not a terminal."""
    stream = sys.stderr
    shown = [False]

    def update(done: int, total: int | None) -> None:
        if not stream.isatty():
            return
        of = f" of {modelstore.human_size(total)}" if total else ""
        stream.write(f"\r{label}: {modelstore.human_size(done)}{of}   ")
        stream.flush()
        shown[0] = True

    try:
        yield update
    finally:
        if shown[0]:
            stream.write("\n")


@click.group()
def models() -> None:
    """List, download and import models (the toxicity check's weights).

    \b
    Models live in $SMGUARD_MODEL_DIR, else [plugins.toxicity] model_dir,
    else your user cache folder (see `smguard models list`).
    """


@models.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def list_models(ctx: click.Context, fmt: str) -> None:
    """Show installed models, where they are, and which configured ones are missing."""
    try:
        root, origin = _root(ctx)
        options = _options(ctx)
        installed = modelstore.list_models(root)
        configured = _configured(options)
    except SmguardError as exc:
        raise _fail(exc) from None
    by_name = {m.name: m for m in installed}
    if fmt == "json":
        out = {
            "root": str(root),
            "root_origin": origin,
            "installed": [m.to_dict() for m in installed],
            "configured": {
                lang: {"model": ref, "installed": _usable(ref, by_name)}
                for lang, ref in configured.items()
            },
            "available": {k: v.description for k, v in modelstore.KNOWN_MODELS.items()},
        }
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"Model folder: {root} ({origin})")
    if not installed:
        click.echo("No models installed.")
    for m in installed:
        state = "ok" if m.ok else f"BROKEN: {m.problem}"
        click.echo(f"  {m.name:<16} {modelstore.human_size(m.size):>9}  {state}")
        if m.ok:
            labels = ", ".join(m.classes[:7]) + (" …" if len(m.classes) > 7 else "")
            click.echo(f"      labels: {labels}")
            click.echo(f"      from: {m.source}")
    click.echo("Used by the toxicity check:")
    for lang, ref in configured.items():
        if _usable(ref, by_name):
            click.echo(f"  {lang:<8} {ref} (installed)")
        elif ref in modelstore.KNOWN_MODELS:
            click.echo(f"  {lang:<8} {ref} (missing: smguard models pull {ref})")
        elif "/" in ref or ref.endswith((".ckpt", ".pt")):
            exists = "found" if Path(ref).expanduser().is_file() else "FILE NOT FOUND"
            click.echo(f"  {lang:<8} {ref} (file, {exists})")
        else:
            click.echo(f"  {lang:<8} {ref} (missing: smguard models import PATH --name {ref})")
    missing = [k for k in modelstore.KNOWN_MODELS if k not in by_name]
    if missing:
        click.echo(f"Also available to pull: {', '.join(missing)}")


def _configured(options: Mapping[str, Any]) -> dict[str, str]:
    plugin: Any = importlib.import_module("smguard.plugins.toxicity")
    return dict(plugin.parse_settings(options).models)


def _usable(ref: str, by_name: Mapping[str, modelstore.InstalledModel]) -> bool:
    return ref in by_name and by_name[ref].ok


@models.command("pull")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--base-url",
    help="Download from this mirror instead of detoxify's release site "
    "(also $SMGUARD_MODEL_BASE_URL).",
)
@click.option(
    "--trust",
    is_flag=True,
    help="Allow a file from a mirror that holds Python objects besides weights.",
)
@click.pass_context
def pull(ctx: click.Context, names: tuple[str, ...], base_url: str | None, trust: bool) -> None:
    """Download detoxify models and their tokenizers, ready for offline use.

    NAMES: original, unbiased, multilingual, original-small, unbiased-small.
    Copy the resulting folders to an offline machine and run `smguard models import` there.
    """
    try:
        root, _origin = _root(ctx)
        for name in names:
            with _progress(f"Downloading {name}") as progress:
                model = modelstore.pull_model(
                    root, name, url_base=base_url, trust=trust, progress=progress
                )
            click.echo(f"Installed {model.name} in {model.folder}")
    except SmguardError as exc:
        raise _fail(exc) from None


@models.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Name to install it under (default: from the file or folder).")
@click.option(
    "--config-path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with the Hugging Face config and tokenizer files for this checkpoint.",
)
@click.option(
    "--trust",
    is_flag=True,
    help="Allow a checkpoint that holds Python objects besides weights (only from a source "
    "you trust: loading such a file can run code).",
)
@click.pass_context
def import_(
    ctx: click.Context, path: Path, name: str | None, config_path: Path | None, trust: bool
) -> None:
    """Install a model from a file or folder, e.g. copied from a USB stick.

    PATH is a model folder made by `smguard models pull` on another machine, or a detoxify
    checkpoint file (.ckpt) with --config-path pointing at its tokenizer/config folder.
    The file is checked (it must load and predict) before anything is replaced.
    """
    try:
        root, _origin = _root(ctx)
        with _progress("Copying") as progress:
            model = modelstore.import_model(
                root, path, name=name, config_path=config_path, trust=trust, progress=progress
            )
    except SmguardError as exc:
        raise _fail(exc) from None
    click.echo(f"Installed {model.name} in {model.folder}")
    if model.name not in modelstore.KNOWN_MODELS:
        click.echo(
            f'To use it, set in smguard.toml: [plugins.toxicity] models = {{en = "{model.name}"}}'
        )
