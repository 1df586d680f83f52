"""Clarification templates, and the first draft filled in from one.

Templates are YAML files ``<lang>/<kind>.yaml`` (``default.yaml`` for kinds without their own),
shipped in ``smguard.rules`` under ``clarify/`` (the repository's ``rules/clarify``). A folder
named in ``[clarify] templates`` with the same layout overrides them file by file. A template::

    kind: unauthorized_post
    language: id
    sections:
      heading: "[KLARIFIKASI]"            # optional
      what_happened: "Pada {date} sekitar pukul {time}, akun {account} …"
      what_we_did: "…"
      apology: "…"                         # optional: only where an apology is due
      what_to_do: "…"
      where_to_ask: "… {contact} …"
      closing: "…"                         # optional

Placeholders: ``{organisation}``, ``{account}``, ``{contact}``, ``{date}``, ``{time}``,
``{incident_id}`` — filled from the incident and the ``[clarify]`` settings
(:mod:`.settings`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from smguard.config.clarify import ClarifySettings
from smguard.errors import ConfigError, InputError
from smguard.guard.packs.yaml_loader import load_bounded_yaml, yaml_problem
from smguard.records.errors import ClarificationError
from smguard.records.incidents import Incident
from smguard.types import LANGUAGES, long_date

__all__ = [
    "PLACEHOLDERS",
    "REQUIRED_SECTIONS",
    "SECTIONS",
    "Template",
    "builtin_templates_dir",
    "load_template",
    "render_draft",
]

#: Sections of a template, in the order the draft puts them; the first four of the required
#: ones are what a good clarification cannot do without.
SECTIONS: tuple[str, ...] = (
    "heading", "what_happened", "what_we_did", "apology", "what_to_do", "where_to_ask", "closing",
)  # fmt: skip
REQUIRED_SECTIONS: tuple[str, ...] = ("what_happened", "what_we_did", "what_to_do", "where_to_ask")
PLACEHOLDERS: tuple[str, ...] = (
    "organisation", "account", "contact", "date", "time", "incident_id",
)  # fmt: skip


@dataclass(frozen=True)
class Template:
    kind: str
    language: str
    sections: Mapping[str, str]
    source: Path

    @property
    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for text in self.sections.values():
            names.update(n for _, n, _, _ in string.Formatter().parse(text) if n is not None)
        return names


def builtin_templates_dir() -> Path:
    import importlib.util

    # The smguard.rules package: the repository's rules/ folder when installed editable.
    spec = importlib.util.find_spec("smguard.rules")
    if spec is None or spec.origin is None:  # pragma: no cover - shipped with smguard
        raise ConfigError("the built-in smguard.rules package is missing; reinstall smguard")
    return Path(spec.origin).resolve().parent / "clarify"


def _template_error(file: Path, problem: str) -> ClarificationError:
    return ClarificationError(
        f"clarification template {file}: {problem}", f"templat klarifikasi {file}: {problem}"
    )


def _read_template(file: Path, kind: str, language: str) -> Template:
    try:
        data = load_bounded_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _template_error(file, f"not valid YAML{yaml_problem(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _template_error(file, f"cannot read: {exc}") from None
    if not isinstance(data, Mapping):
        raise _template_error(file, "must be a mapping with 'sections'")
    unknown = sorted(set(data) - {"kind", "language", "description", "sections"})
    if unknown:
        raise _template_error(file, f"unknown key(s): {', '.join(unknown)}")
    if data.get("language", language) != language:
        raise _template_error(file, f"says language {data['language']!r} but is in {language}/")
    sections = data.get("sections")
    if not isinstance(sections, Mapping):
        raise _template_error(file, "'sections' must be a mapping of section → text")
    bad = sorted(set(sections) - set(SECTIONS))
    if bad:
        raise _template_error(
            file, f"unknown section(s): {', '.join(bad)} (known: {', '.join(SECTIONS)})"
        )
    missing = [s for s in REQUIRED_SECTIONS if not str(sections.get(s) or "").strip()]
    if missing:
        raise _template_error(file, f"missing section(s): {', '.join(missing)}")
    texts = {k: str(v).strip() for k, v in sections.items() if v is not None and str(v).strip()}
    template = Template(
        kind=str(data.get("kind", kind)), language=language, sections=texts, source=file
    )
    try:
        unknown_ph = sorted(template.placeholders - set(PLACEHOLDERS))
    except ValueError as exc:
        raise _template_error(file, f"bad placeholder: {exc}") from None
    if unknown_ph:
        raise _template_error(
            file,
            f"unknown placeholder {{{unknown_ph[0]}}} (known: "
            + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            + ")",
        )
    return template


def load_template(kind: str, language: str, settings: ClarifySettings) -> Template:
    """The template for ``kind`` in ``language``: the user's folder first, then the built-in
    ones; ``default.yaml`` when the kind has none."""
    if language not in LANGUAGES:
        raise InputError(f"clarification language must be one of {', '.join(LANGUAGES)}")
    folders = [f for f in (settings.templates, builtin_templates_dir()) if f is not None]
    for name in (kind, "default"):
        for folder in folders:
            file = folder / language / f"{name}.yaml"
            if file.is_file():
                return _read_template(file, kind, language)
    raise ClarificationError(
        f"no clarification template for {kind} in {language} (looked in "
        f"{', '.join(str(f) for f in folders)})",
        f"tidak ada templat klarifikasi untuk {kind} dalam bahasa {language} (dicari di "
        f"{', '.join(str(f) for f in folders)})",
    )


def _local(when: datetime, config: Any, account: str | None, lang: str) -> tuple[str, str]:
    local = when.astimezone(config.account(account).tz)
    date = long_date(local, lang)
    sep = "." if lang == "id" else ":"
    zone = local.tzname() or ""
    return date, f"{local.hour:02d}{sep}{local.minute:02d} {zone}".strip()


_SETTING_HINT = {
    "organisation": ('[clarify] organisation = "…" (the name your followers know)',
                     '[clarify] organisation = "…" (nama yang dikenal pengikut Anda)'),
    "contact": ('[clarify] contact = "…" (where followers can ask: official DM, call centre)',
                '[clarify] contact = "…" (tempat bertanya: DM resmi, call center)'),
    "account": ("an account on the incident (or [clarify.accounts.NAME] handle)",
                "akun pada insiden (atau [clarify.accounts.NAME] handle)"),
}  # fmt: skip


def render_draft(config: Any, incident: Incident, lang: str) -> str:
    """The text of a first draft for ``incident`` in ``lang`` (``config``: a :class:`Config`)."""
    settings: ClarifySettings = config.clarify
    template = load_template(incident.kind, lang, settings)
    date, time = _local(incident.created_at, config, incident.account, lang)
    values: dict[str, str | None] = {
        **settings.for_account(incident.account),
        "date": date,
        "time": time,
        "incident_id": str(incident.id),
    }
    missing = [p for p in sorted(template.placeholders) if not values.get(p)]
    if missing:
        hints_en = "; ".join(_SETTING_HINT[p][0] for p in missing if p in _SETTING_HINT)
        hints_id = "; ".join(_SETTING_HINT[p][1] for p in missing if p in _SETTING_HINT)
        raise ClarificationError(
            f"the template {template.source.name} needs {', '.join(missing)}: set {hints_en} "
            "in smguard.toml",
            f"templat {template.source.name} memerlukan {', '.join(missing)}: isi {hints_id} "
            "di smguard.toml",
        )
    parts = [template.sections[s].format_map(values) for s in SECTIONS if s in template.sections]
    return "\n\n".join(" ".join(p.split()) for p in parts)
