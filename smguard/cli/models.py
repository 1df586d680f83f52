"""``smguard models``: see, download and import the model weights the toxicity check uses.

    smguard models list                      what is installed, where, and what is missing
    smguard models pull original multilingual    download (needs internet)
    smguard models import /media/usb/original    install a copied folder or .ckpt (air-gapped)
    smguard models export multilingual       ONNX + int8 copies for the torch-free engine
    smguard models verify multilingual       how far the ONNX scores are from torch's

The store logic lives in :mod:`smguard.toxicity`; this module only talks to people.
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

from smguard.cli.output import echo_json, format_option
from smguard.errors import SmguardError
from smguard.toxicity import manifest
from smguard.toxicity.agreement import DEFAULT_TOLERANCE, Agreement, read_texts, verify_onnx
from smguard.toxicity.errors import ExportRefused, ModelStoreError
from smguard.toxicity.export import DEFAULT_OPSET, export_onnx
from smguard.toxicity.files import ProgressCallback
from smguard.toxicity.importing import import_model
from smguard.toxicity.manifest import InstalledModel, get_model, human_size
from smguard.toxicity.paths import describe_root
from smguard.toxicity.pull import pull_model
from smguard.toxicity.releases import KNOWN_MODELS

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
    return describe_root(setting if isinstance(setting, str) else None)


def _fail(exc: SmguardError) -> click.ClickException:
    from smguard.cli.main import Problem

    return Problem(str(exc))


@contextmanager
def _progress(label: str) -> Iterator[ProgressCallback]:
    """Show "label: 12.0 MB of 418.0 MB" on a terminal's stderr; nothing when not a terminal."""
    stream = sys.stderr
    shown = [False]

    def update(done: int, total: int | None) -> None:
        if not stream.isatty():
            return
        of = f" of {human_size(total)}" if total else ""
        stream.write(f"\r{label}: {human_size(done)}{of}   ")
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
@format_option()
@click.pass_context
def list_models(ctx: click.Context, fmt: str) -> None:
    """Show installed models, where they are, and which configured ones are missing."""
    try:
        root, origin = _root(ctx)
        options = _options(ctx)
        installed = manifest.list_models(root)
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
                lang: {
                    "model": ref,
                    "installed": _usable(ref, by_name),
                    "onnx": list(by_name[ref].onnx) if ref in by_name else [],
                }
                for lang, ref in configured.items()
            },
            "available": {k: v.description for k, v in KNOWN_MODELS.items()},
        }
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"Model folder: {root} ({origin})")
    if not installed:
        click.echo("No models installed.")
    for m in installed:
        if m.onnx_only:
            state = f"ONNX export only ({', '.join(m.onnx)})"
        else:
            state = "ok" if m.ok else f"BROKEN: {m.problem}"
        click.echo(f"  {m.name:<16} {human_size(m.size):>9}  {state}")
        if m.ok or m.onnx_only:
            labels = ", ".join(m.classes[:7]) + (" …" if len(m.classes) > 7 else "")
            click.echo(f"      labels: {labels}")
            click.echo(f"      from: {m.source}")
        if m.onnx and not m.onnx_only:
            click.echo(f"      onnx export: {', '.join(m.onnx)}")
    click.echo("Used by the toxicity check:")
    for lang, ref in configured.items():
        onnx = by_name[ref].onnx if ref in by_name else ()
        if _usable(ref, by_name) and onnx:
            click.echo(f"  {lang:<8} {ref} (installed, onnx export: {', '.join(onnx)})")
        elif _usable(ref, by_name):
            click.echo(f"  {lang:<8} {ref} (installed)")
        elif onnx:
            click.echo(f"  {lang:<8} {ref} (ONNX export only: {', '.join(onnx)})")
        elif ref in KNOWN_MODELS:
            click.echo(f"  {lang:<8} {ref} (missing: smguard models pull {ref})")
        elif "/" in ref or ref.endswith((".ckpt", ".pt")):
            exists = "found" if Path(ref).expanduser().is_file() else "FILE NOT FOUND"
            click.echo(f"  {lang:<8} {ref} (file, {exists})")
        else:
            click.echo(f"  {lang:<8} {ref} (missing: smguard models import PATH --name {ref})")
    missing = [k for k in KNOWN_MODELS if k not in by_name]
    if missing:
        click.echo(f"Also available to pull: {', '.join(missing)}")


def _configured(options: Mapping[str, Any]) -> dict[str, str]:
    plugin: Any = importlib.import_module("smguard.plugins.toxicity.settings")
    return dict(plugin.parse_settings(options).models)


def _usable(ref: str, by_name: Mapping[str, InstalledModel]) -> bool:
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
@format_option()
@click.pass_context
def pull(
    ctx: click.Context, names: tuple[str, ...], base_url: str | None, trust: bool, fmt: str
) -> None:
    """Download detoxify models and their tokenizers, ready for offline use.

    NAMES: original, unbiased, multilingual, original-small, unbiased-small.
    Copy the resulting folders to an offline machine and run `smguard models import` there.
    """
    installed: list[InstalledModel] = []
    try:
        root, _origin = _root(ctx)
        for name in names:
            with _progress(f"Downloading {name}") as progress:
                model = pull_model(root, name, url_base=base_url, trust=trust, progress=progress)
            installed.append(model)
            if fmt == "text":
                click.echo(f"Installed {model.name} in {model.folder}")
    except SmguardError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        echo_json({"installed": [m.to_dict() for m in installed]})


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
@format_option()
@click.pass_context
def import_(
    ctx: click.Context,
    path: Path,
    name: str | None,
    config_path: Path | None,
    trust: bool,
    fmt: str,
) -> None:
    """Install a model from a file or folder, e.g. copied from a USB stick.

    PATH is a model folder made by `smguard models pull` on another machine, or a detoxify
    checkpoint file (.ckpt) with --config-path pointing at its tokenizer/config folder.
    The file is checked (it must load and predict) before anything is replaced.
    """
    try:
        root, _origin = _root(ctx)
        with _progress("Copying") as progress:
            model = import_model(
                root, path, name=name, config_path=config_path, trust=trust, progress=progress
            )
    except SmguardError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        echo_json({"installed": [model.to_dict()]})
        return
    click.echo(f"Installed {model.name} in {model.folder}")
    if model.name not in KNOWN_MODELS:
        click.echo(
            f'To use it, set in smguard.toml: [plugins.toxicity] models = {{en = "{model.name}"}}'
        )


def _diff(value: float) -> str:
    """A score difference: 4 decimals, or 2 significant digits when smaller than that."""
    return f"{value:.4f}" if value == 0 or value >= 1e-4 else f"{value:.1e}"


def _agreement_table(name: str, agreement: Agreement) -> str:
    """The largest difference from torch per label (rows) and engine (columns)."""
    engines = list(agreement.max_diff)
    lines = [
        f"'{name}' against torch, {agreement.texts} texts, tolerance {agreement.tolerance:g}:",
        "  " + f"{'label':<18}" + "".join(f"{e:>12}" for e in engines),
    ]
    for label in agreement.labels:
        cells = "".join(f"{_diff(agreement.max_diff[e][label]):>12}" for e in engines)
        lines.append(f"  {label:<18}{cells}")
    lines.append(
        "  "
        + f"{'largest':<18}"
        + "".join(f"{_diff(agreement.largest(e)[1]):>12}" for e in engines)
    )
    lines.append(
        "  "
        + f"{'result':<18}"
        + "".join(f"{'over' if e in agreement.failed else 'ok':>12}" for e in engines)
    )
    return "\n".join(lines)


def _texts(path: Path | None) -> list[str] | None:
    return None if path is None else read_texts(path)


@models.command("export")
@click.argument("sources", nargs=-1)
@click.option("--name", help="Name to install the export under (default: from the source).")
@click.option(
    "--config-path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Tokenizer/config folder of a checkpoint file given as PATH.",
)
@click.option("--int8/--no-int8", default=True, show_default=True, help="Also an int8 copy.")
@click.option(
    "--opset",
    type=click.IntRange(11, 30),
    default=DEFAULT_OPSET,
    show_default=True,
    help="ONNX opset.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=DEFAULT_TOLERANCE,
    show_default=True,
    help="Largest score difference from torch to accept.",
)
@click.option(
    "--texts",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Texts to compare on, one per line (default: a built-in English/Indonesian set).",
)
@click.option("--trust", is_flag=True, help="Allow a PATH checkpoint that holds Python objects.")
@format_option()
@click.pass_context
def export(
    ctx: click.Context,
    sources: tuple[str, ...],
    name: str | None,
    config_path: Path | None,
    int8: bool,
    opset: int,
    tolerance: float,
    texts: Path | None,
    trust: bool,
    fmt: str,
) -> None:
    """Export models to ONNX for the torch-free engine (needs torch, here, once).

    SOURCES are model names (default: the models [plugins.toxicity] uses; a known one that is
    not installed is pulled first) or checkpoint files/folders. Each export is compared with
    torch and installed as <model folder>/NAME/onnx/ only when no score differs by more than
    --tolerance; otherwise nothing changes and the exit code is 1.
    """
    try:
        root, _origin = _root(ctx)
        todo = list(sources) or list(dict.fromkeys(_configured(_options(ctx)).values()))
        if name and len(todo) != 1:
            raise ModelStoreError("--name needs exactly one model to export")
        text_set = _texts(texts)
        refused = False
        done: dict[str, dict[str, Any]] = {}
        for source in todo:
            if (
                source in KNOWN_MODELS
                and not Path(source).exists()
                and get_model(root, source) is None
            ):
                with _progress(f"Downloading {source}") as progress:
                    pull_model(root, source, progress=progress)
            try:
                result = export_onnx(
                    root,
                    source,
                    name=name,
                    config_path=config_path,
                    trust=trust,
                    int8=int8,
                    opset=opset,
                    tolerance=tolerance,
                    texts=text_set,
                    log=lambda msg: click.echo(msg, err=True),
                )
            except ExportRefused as exc:
                shown = name or Path(source).name
                done[shown] = {"installed": False, "agreement": exc.agreement.to_dict()}
                if fmt == "text":
                    click.echo(_agreement_table(shown, exc.agreement))
                click.echo(f"Error: {exc}", err=True)
                refused = True
                continue
            done[result.name] = {
                "installed": True,
                "folder": str(result.folder),
                "sizes": dict(result.sizes),
                "seconds": result.seconds,
                "agreement": result.agreement.to_dict(),
            }
            if fmt == "json":
                continue
            click.echo(_agreement_table(result.name, result.agreement))
            sizes = ", ".join(f"{e} {human_size(size)}" for e, size in result.sizes.items())
            click.echo(
                f"Exported {result.name} to {result.folder} ({sizes}) in {result.seconds:.0f} s"
            )
    except SmguardError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        echo_json(done)
    if refused:
        ctx.exit(1)


@models.command("verify")
@click.argument("names", nargs=-1)
@click.option(
    "--texts",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Texts to compare on: one per line, or JSON lines with a "text" field '
    "(default: a built-in English/Indonesian set with long posts).",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=DEFAULT_TOLERANCE,
    show_default=True,
    help="Largest score difference from torch to accept.",
)
@format_option()
@click.pass_context
def verify(
    ctx: click.Context, names: tuple[str, ...], texts: Path | None, tolerance: float, fmt: str
) -> None:
    """Compare exported models' scores with torch's; exit 1 when one differs too much.

    NAMES default to every installed model that has an export. Prints the largest difference
    per label for each engine (onnx-int8, onnx). Needs torch and the checkpoint.
    """
    try:
        root, _origin = _root(ctx)
        todo = list(names) or [m.name for m in manifest.list_models(root) if m.onnx]
        if not todo:
            raise ModelStoreError(f"no exported models in {root}: smguard models export NAME")
        text_set = _texts(texts)
        results = {n: verify_onnx(root, n, texts=text_set, tolerance=tolerance) for n in todo}
    except SmguardError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        click.echo(json.dumps({n: a.to_dict() for n, a in results.items()}, indent=2))
    else:
        click.echo("\n\n".join(_agreement_table(n, a) for n, a in results.items()))
    failed = [f"{n} {', '.join(a.failed)}" for n, a in results.items() if not a.ok]
    if failed:
        click.echo(f"Over the tolerance {tolerance:g}: {'; '.join(failed)}", err=True)
        ctx.exit(1)
