"""``smguard detectors``: list the account-watch detectors, explain one, test YAML ones."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smguard.cli import style
from smguard.cli.examples import report_examples
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option
from smguard.types import localized

if TYPE_CHECKING:
    from smguard.watch.detectors import Detector
    from smguard.watch.detectorset import DetectorSet

_HEAD = {
    "what": {"en": "What it catches", "id": "Apa yang dideteksi"},
    "says": {"en": "What the incident says", "id": "Isi insiden"},
    "logic": {"en": "How it decides", "id": "Cara memutuskan"},
    "tuning": {"en": "Tuning", "id": "Penyetelan"},
    "fp": {"en": "Known false positives", "id": "Salah tanda yang diketahui"},
    "fires": {"en": "Fires", "id": "Terpicu"},
    "quiet": {"en": "Stays quiet", "id": "Tidak terpicu"},
}
_LOGIC = {
    "first_seen": {
        "en": "a {field} not seen in the last {within} (once there are at least {min_history} "
        "earlier events)",
        "id": "{field} yang belum terlihat dalam {within} terakhir (setelah ada sedikitnya "
        "{min_history} aktivitas sebelumnya)",
    },
    "correlation": {
        "en": "{count} events within {within}, per {group_by}",
        "id": "{count} aktivitas dalam {within}, per {group_by}",
    },
}
_T = {
    "unknown": {
        "en": "no detector {id!r}; `smguard detectors list` shows them all",
        "id": "tidak ada detektor {id!r}; `smguard detectors list` menampilkan semuanya",
    },
    "disabled": {"en": "disabled", "id": "dimatikan"},
    "count": {"en": "{n} detectors ({m} enabled)", "id": "{n} detektor ({m} aktif)"},
    "tune": {
        "en": "Set in smguard.toml, e.g.:",
        "id": "Atur di smguard.toml, misalnya:",
    },
    "off": {
        "en": 'Turn it off with [detectors] disable = ["{id}"].',
        "id": 'Matikan dengan [detectors] disable = ["{id}"].',
    },
    "summary": {
        "en": "\n{n} detectors, {total} examples, {failed} failed",
        "id": "\n{n} detektor, {total} contoh, {failed} gagal",
    },
}


def _say(texts: dict[str, str], state: State, **fields: Any) -> str:
    return localized(texts, state.lang).format(**fields)


def _load(state: State) -> DetectorSet:
    from smguard.watch.detectorset import load_detectors

    return load_detectors(state.config)


@click.group()
def detectors() -> None:
    """The account-watch detectors: what each catches, its false positives, how to tune it.

    \b
    smguard detectors list
    smguard detectors show SMG-DET-001
    smguard detectors test ./my-detectors      run the examples of YAML detector files
    """


def _row(d: Detector, enabled: bool) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "level": d.level.label,
        "status": d.status,
        "incident": d.incident,
        "kinds": sorted(d.kinds),
        "engine": d.engine,
        "enabled": enabled,
        "options": {k: _value(v) for k, v in d.options.items()},
        "source": d.source,
    }


def _value(value: Any) -> Any:
    from smguard.watch.detectors import format_duration

    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@detectors.command("list")
@format_option()
@click.pass_obj
def list_detectors(state: State, fmt: str) -> None:
    """List every detector: id, level, incident kind, status and name."""
    found = _load(state)
    enabled = {d.id for d in found.enabled}
    if fmt == "json":
        click.echo(json.dumps([_row(d, d.id in enabled) for d in found.all], indent=2))
        return
    width = max((len(d.incident) for d in found.all), default=10)
    for d in found.all:
        off = "" if d.id in enabled else f"  ({_say(_T['disabled'], state)})"
        click.echo(
            f"{d.id}  {d.level.label:<8}  {d.incident:<{width}}  {d.status:<12}  {d.name}{off}"
        )
    click.echo(_say(_T["count"], state, n=len(found.all), m=len(enabled)), err=True)


@detectors.command("show")
@click.argument("detector_id")
@format_option()
@click.pass_obj
def show(state: State, detector_id: str, fmt: str) -> None:
    """Explain one detector: what it catches, how it decides, tuning, false positives."""
    found = _load(state)
    detector = found.get(detector_id)
    if detector is None:
        raise Problem(_say(_T["unknown"], state, id=detector_id))
    enabled = any(d.id == detector.id for d in found.enabled)
    if fmt == "json":
        echo_json(detector_json(detector, state.lang, enabled))
        return
    click.echo(render_detector(detector, state.lang, enabled))


def detector_json(d: Detector, lang: str, enabled: bool) -> dict[str, Any]:
    """What ``detectors show`` says about a detector, for tools (texts in ``lang``)."""
    summary = getattr(d, "spec_summary", None)
    logic = {
        key: summary[key]
        for key in ("first_seen", "correlation")
        if isinstance(summary, dict) and key in summary
    }
    return {
        **_row(d, enabled),
        "description": localized(d.description, lang),
        "message": localized(d.message, lang),
        "logic": logic or None,
        "false_positives": list(d.falsepositives),
        "examples": [{"title": e.title, "fires": e.fires} for e in d.examples],
    }


def render_detector(d: Detector, lang: str, enabled: bool = True) -> str:
    def head(key: str) -> str:
        return style.bold(f"## {localized(_HEAD[key], lang)}")

    status = d.status + ("" if enabled else f" · {localized(_T['disabled'], lang)}")
    out = [
        style.bold(f"{d.id}: {d.name}"),
        f"{d.level.label} · incident {d.incident} · events {', '.join(sorted(d.kinds))} · "
        f"{status} · engine {d.engine}",
        "",
        head("what"),
        localized(d.description, lang),
        "",
        head("says"),
        localized(d.message, lang),
    ]
    summary = getattr(d, "spec_summary", None)
    if isinstance(summary, dict) and ("first_seen" in summary or "correlation" in summary):
        out += ["", head("logic")]
        if "first_seen" in summary:
            out.append(
                "  first_seen: "
                + localized(_LOGIC["first_seen"], lang).format(**summary["first_seen"])
            )
        if "correlation" in summary:
            c = dict(summary["correlation"], group_by=", ".join(summary["correlation"]["group_by"]))
            out.append("  correlation: " + localized(_LOGIC["correlation"], lang).format(**c))
    out += ["", head("tuning"), localized(_T["tune"], lang), "", f"  [detectors.{d.id}]"]
    out.append(f'  level = "{d.level.label}"')
    for key, value in d.options.items():
        shown = _value(value)
        out.append(f"  {key} = {json.dumps(shown, ensure_ascii=False)}")
    out += ["", localized(_T["off"], lang).format(id=d.id)]
    if d.falsepositives:
        out += ["", head("fp")]
        out += [f"  - {fp}" for fp in d.falsepositives]
    examples = list(d.examples)
    for fires in (True, False):
        chosen = [e for e in examples if e.fires is fires]
        if chosen:
            out += ["", head("fires" if fires else "quiet")]
            mark = "  ✗ " if fires else "  ✓ "
            out += [mark + e.title for e in chosen]
    if d.source:
        out += ["", style.dim(f"source: {d.source}")]
    return "\n".join(out)


@detectors.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option()
@click.pass_obj
def test(state: State, paths: tuple[Path, ...], fmt: str) -> None:
    """Run the examples of YAML detectors: the files or folders given, else every loaded one.

    Exit code 0 when every example behaves, 1 when one does not, 3 when a file is broken.
    """
    from smguard.watch.yamldetector import YamlDetector, load_paths
    from smguard.watch.yamlexamples import run_example

    chosen: list[Any]
    if paths:
        chosen = list(load_paths(p.resolve() for p in paths))
    else:
        chosen = [d for d in _load(state).all if isinstance(d, YamlDetector)]
    tested = [(d.id, [run_example(d, e, state.config) for e in d.examples]) for d in chosen]
    report_examples(
        tested,
        fmt,
        "detectors",
        lambda n, total, failed: _say(_T["summary"], state, n=n, total=total, failed=failed),
    )
