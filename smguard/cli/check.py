"""``smguard check``: may this post go out?

Input: a text argument, ``-`` for standard input, or ``--file posts.jsonl`` (one JSON object per
line; ``--file -`` reads JSON lines from standard input). Standard input that starts with ``{`` is
read as JSON lines too. Output: readable text, or ``--format json`` (one verdict object per input
line, same order). Exit code: the worst decision — 0 allow, 1 review, 2 block — or 3 when an input
could not be checked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click

from smguard import safejson
from smguard.cli import style
from smguard.cli.main import EXIT_BAD_INPUT, Problem, State
from smguard.cli.output import format_option
from smguard.cli.render import render_summary, render_verdict
from smguard.errors import InputError
from smguard.types import Verdict

_EXIT = {"allow": 0, "review": 1, "block": 2}
_MAX_LINE_BYTES = 1 << 20


def _jsonl(stream: BinaryIO, name: str) -> Iterator[dict[str, Any] | InputError]:
    """Yield each line's object, or an ``InputError`` saying what is wrong with that line."""
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = f"{name} line {number}"
        if len(raw) > _MAX_LINE_BYTES:
            yield InputError(f"{where}: longer than 1 MiB")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputError(f"{where}: not valid UTF-8 (byte {exc.start + 1})")
            continue
        try:
            obj = safejson.loads(line)
        except safejson.SafeJsonError as exc:
            yield InputError(f"{where}: {exc}")
            continue
        if not isinstance(obj, dict):
            yield InputError(f'{where}: expected a JSON object like {{"text": "..."}}')
            continue
        obj["_line"] = where
        yield obj


#: A batch this long warms the guard up and sets its start-up objects aside from the garbage
#: collector first (:func:`smguard.guard.memo.settle`): it costs about 0.1 s once and saves a
#: pause of 15-50 ms in each post that triggers a full collection.
_SETTLE_AFTER = 500


def _inputs(
    text: str | None, file: str | None, overrides: dict[str, Any]
) -> tuple[list[dict[str, Any] | InputError], bool]:
    """Collect the inputs; the flag says whether they came as a batch (JSON lines)."""
    if file is not None:
        if text is not None:
            raise Problem("give either TEXT or --file, not both")
        if file == "-":
            return list(_jsonl(sys.stdin.buffer, "stdin")), True
        path = Path(file)
        try:
            with path.open("rb") as fh:
                return list(_jsonl(fh, path.name)), True
        except OSError as exc:
            raise Problem(f"cannot read {path}: {exc.strerror}") from None
    if text is None:
        raise Problem("nothing to check: give a TEXT, '-' for standard input, or --file")
    if text == "-":
        data = sys.stdin.buffer.read()
        if data.lstrip().startswith(b"{"):
            import io

            return list(_jsonl(io.BytesIO(data), "stdin")), True
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Problem(f"standard input is not valid UTF-8 (byte {exc.start + 1})") from None
    return [{"text": text, **overrides}], False


@click.command()
@click.argument("text", required=False)
@click.option("-f", "--file", "file", help="JSON lines file of posts ('-' for standard input).")
@format_option("Output: text for people, json for tools (one verdict per line).")
@click.option("--kind", type=click.Choice(["post", "reply", "comment", "dm"]), help="Post kind.")
@click.option("--language", help="The post's language (en, id); detected when left out.")
@click.option("--account", help="Account the post goes out on (per-account settings).")
@click.option("--reply-to", "reply_to", help="The follower's message this reply answers.")
@click.option("--scheduled-at", "scheduled_at", help="Publication time, ISO 8601 with zone.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit code tells.")
@click.option("--record", is_flag=True, help="Store each verdict in the check log (see docs).")
@click.option("--author", metavar="NAME", help="Who wrote the post(s), for the check log.")
@click.pass_obj
def check(
    state: State,
    text: str | None,
    file: str | None,
    fmt: str,
    kind: str | None,
    language: str | None,
    account: str | None,
    reply_to: str | None,
    scheduled_at: str | None,
    quiet: bool,
    record: bool,
    author: str | None,
) -> None:
    """Check TEXT (or '-' / --file) and say whether it may go out.

    \b
    Examples:
      smguard check "Terima kasih, Kak! Pesanan sudah kami kirim."
      smguard check --kind reply --reply-to "Kok lama banget?!" "Salah sendiri"
      smguard check --file examples/posts.jsonl --format json
      smguard check --record --author ani --account kemkes_x "Selamat pagi!"
    """
    overrides: dict[str, Any] = {
        k: v
        for k, v in {
            "kind": kind,
            "language": language,
            "account": account,
            "scheduled_at": scheduled_at,
            "in_reply_to": {"text": reply_to} if reply_to else None,
        }.items()
        if v is not None
    }
    inputs, batch = _inputs(text, file, overrides)
    store = None
    if record:
        from smguard.cli.common import open_store

        store = open_store(state)  # fail before checking when the database is unreachable
    guard = state.guard()
    lang = state.lang
    if state.own_process and len(inputs) >= _SETTLE_AFTER:
        from smguard.guard.memo import settle

        kinds = [p.get("kind", "post") for p in inputs if isinstance(p, dict)]
        guard.warm_up({k for k in kinds if isinstance(k, str)})
        settle()

    def posts() -> Iterator[dict[str, Any] | InputError]:
        yield from inputs

    verdicts = _run(
        guard, posts(), len(inputs), show_progress=batch and fmt == "text" and not quiet
    )
    worst = 0
    seen: list[Verdict] = []
    skipped_notes: set[str] | None = set() if batch else None
    for n, verdict in enumerate(verdicts):
        seen.append(verdict)
        if verdict.error is not None:
            worst = max(worst, EXIT_BAD_INPUT)
            if not batch:
                raise Problem(verdict.error)
        else:
            worst = max(worst, _EXIT[verdict.decision])
        source = inputs[n]
        recorded = None
        if store is not None and verdict.error is None and isinstance(source, dict):
            recorded = _record(store, source, verdict, author)
        if quiet:
            continue
        if fmt == "json":
            out = verdict.to_dict(lang)
            if store is not None:
                out["check_id"] = recorded.check_id if recorded else None
                if recorded is not None and recorded.incident_id is not None:
                    out["incident_id"] = recorded.incident_id
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            text_in = source.get("text") if isinstance(source, dict) else None
            shown = text_in if isinstance(text_in, str) else ""
            click.echo(render_verdict(verdict, shown, lang, skipped_notes))
            if recorded is not None:
                click.echo(_recorded_line(recorded, lang))
    if batch and fmt == "text" and not quiet and skipped_notes is not None:
        click.echo(render_summary(seen, skipped_notes, lang))
    sys.exit(worst)


def _record(store: Any, source: dict[str, Any], verdict: Verdict, author: str | None) -> Any:
    from smguard.records.checks import record_checks
    from smguard.types import Post

    post = Post.from_dict(_strip_line(source))
    return record_checks(store, [(post, verdict)], author=author)[0]


_RECORDED = {
    "check": {"en": "Recorded as check {id}", "id": "Dicatat sebagai pemeriksaan {id}"},
    "opened": {"en": "; incident #{n} opened", "id": "; insiden #{n} dibuka"},
    "seen": {"en": "; seen again in incident #{n}", "id": "; terlihat lagi di insiden #{n}"},
}


def _recorded_line(recorded: Any, lang: str) -> str:
    from smguard.types import localized

    line = localized(_RECORDED["check"], lang).format(id=recorded.check_id)
    if recorded.incident_id is not None:
        key = "opened" if recorded.incident_created else "seen"
        line += localized(_RECORDED[key], lang).format(n=recorded.incident_id)
    return style.dim(line)


def _run(
    guard: Any, inputs: Iterator[dict[str, Any] | InputError], total: int, show_progress: bool
) -> Iterator[Verdict]:
    from smguard.guard.engine import error_verdict

    def checked() -> Iterator[Verdict]:
        # Inputs that failed to parse keep their place in the output order.
        pending: list[dict[str, Any] | InputError] = list(inputs)
        good = [p for p in pending if not isinstance(p, InputError)]
        results = iter(guard.iter_check(_strip_line(p) for p in good))
        for p in pending:
            if isinstance(p, InputError):
                yield error_verdict(str(p))
            else:
                verdict: Verdict = next(results)
                if verdict.error and "_line" in p:
                    verdict = error_verdict(f"{p['_line']}: {verdict.error}", verdict.id)
                yield verdict

    if not show_progress or total < 50 or not sys.stderr.isatty():
        yield from checked()
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        for verdict in checked():
            bar.update(1)
            yield verdict


def _strip_line(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "_line"}
