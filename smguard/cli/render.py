"""Human-readable output: a verdict as a social-media admin would want to read it.

Colours come from :mod:`smguard.cli.style`, like every other command's.
"""

from __future__ import annotations

from smguard.cli import style
from smguard.types import EngineStatus, Finding, Verdict, localized

_DECISION = {
    "allow": ("OK", {"en": "may go out", "id": "boleh terbit"}),
    "review": ("REVIEW", {"en": "needs a person to review it", "id": "perlu ditinjau"}),
    "block": ("BLOCKED", {"en": "must not go out", "id": "jangan diterbitkan"}),
}
_LABELS = {
    "suggestion": {"en": "Suggestion", "id": "Saran"},
    "engine": {"en": "engine", "id": "mesin"},
    "fix": {"en": "fix", "id": "perbaikan"},
    "error": {"en": "Not checked", "id": "Tidak diperiksa"},
}
_CONTEXT = 30


def excerpt(text: str, span: tuple[int, int]) -> tuple[str, int, int]:
    """A one-line excerpt around ``span`` and the span's position inside it."""
    start, end = span
    lo = max(0, start - _CONTEXT)
    hi = min(len(text), end + _CONTEXT)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    before = text[lo:start].replace("\n", " ")
    middle = text[start:end].replace("\n", " ")
    after = text[end:hi].replace("\n", " ")
    line = prefix + before + middle + after + suffix
    return line, len(prefix + before), len(prefix + before + middle)


def render_finding(finding: Finding, text: str, lang: str) -> list[str]:
    sev = finding.severity.label
    head = (
        "  "
        + style.tone(f"{sev.upper():<8}", sev, bold=True)
        + f" {finding.rule}  [{finding.category}]  "
        + localized(finding.message, lang)
    )
    lines = [head]
    if finding.span and text and finding.span[1] <= len(text):
        line, s, e = excerpt(text, finding.span)
        lines.append("      " + line[:s] + style.marked(line[s:e]) + line[e:])
        lines.append("      " + " " * s + "^" * max(1, e - s))
    elif finding.evidence:
        lines.append(f"      {finding.evidence}")
    if finding.score is not None:
        lines.append(f"      score {finding.score:.2f} ({finding.engine})")
    suggestion = localized(finding.suggestion, lang)
    if suggestion:
        lines.append(f"      {localized(_LABELS['suggestion'], lang)}: {suggestion}")
    return lines


def engine_note(name: str, status: EngineStatus, lang: str) -> str:
    note = f"  {localized(_LABELS['engine'], lang)} {name}: {status.status}"
    if status.reason:
        note += f" — {status.reason}"
    if status.fix:
        note += f" ({localized(_LABELS['fix'], lang)}: {status.fix})"
    return style.dim(note)


def render_verdict(
    verdict: Verdict, text: str, lang: str, skipped_notes: set[str] | None = None
) -> str:
    """A verdict for people. With ``skipped_notes``, notes about skipped engines are collected
    there (to be shown once for a whole batch) instead of under every post."""
    who = f" {verdict.id}" if verdict.id else ""
    if verdict.error:
        label = style.tone("ERROR", "error", bold=True)
        return f"{label}{who}: {localized(_LABELS['error'], lang)} — {verdict.error}\n"
    word, meaning = _DECISION[verdict.decision]
    head = style.tone(f"{word:<7}", verdict.decision, bold=True)
    langs = "/".join(verdict.languages)
    summary = f"{head}{who} — {localized(meaning, lang)}"
    if langs:
        summary += f"  ({langs}, {verdict.elapsed_ms:.1f} ms)"
    lines = [summary]
    for finding in verdict.findings:
        lines.extend(render_finding(finding, text, lang))
    for name, status in verdict.engines.items():
        if status.status == "ok":
            continue
        note = engine_note(name, status, lang)
        if skipped_notes is not None and status.status == "skipped":
            skipped_notes.add(note)
        else:
            lines.append(note)
    return "\n".join(lines) + "\n"


_SUMMARY = {
    "en": "{n} checked: {allow} may go out, {review} need review, {block} blocked",
    "id": "{n} diperiksa: {allow} boleh terbit, {review} perlu ditinjau, {block} diblokir",
}
_SUMMARY_ERRORS = {"en": ", {errors} not checked", "id": ", {errors} tidak diperiksa"}


def render_summary(verdicts: list[Verdict], skipped_notes: set[str], lang: str) -> str:
    """The closing lines of a batch: counts per decision, and engines that did not run."""
    counts = {"allow": 0, "review": 0, "block": 0}
    errors = 0
    for v in verdicts:
        if v.error:
            errors += 1
        else:
            counts[v.decision] += 1
    line = localized(_SUMMARY, lang).format(n=len(verdicts), **counts)
    if errors:
        line += localized(_SUMMARY_ERRORS, lang).format(errors=errors)
    return "\n".join([style.bold(line), *sorted(skipped_notes)])
