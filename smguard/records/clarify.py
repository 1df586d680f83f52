"""Clarifications: the open, honest public statement after something went wrong.

The flow (each step an audit event, ``clarification.drafted`` / ``.edited`` / ``.approved`` /
``.published``)::

    draft ──edit*──▶ approve (a named admin) ──▶ publish (platform, URL or post id, time)

* :func:`draft` fills the template for the incident's kind and language with the incident and
  the ``[clarify]`` settings. A good clarification says what happened, what was done about it,
  apologises where due, tells followers what to do (ignore a link, report direct messages) and
  where to ask — the template's sections (see below).
* :func:`edit` stores a new version; every version is run through the guard and its verdict is
  kept. Editing an approved clarification withdraws the approval.
* :func:`approve` is refused while the latest version's decision is not ``allow`` (the findings
  say why), and without an approver's name.
* :func:`publish` records where and when it went out, and writes a ledger entry for the post, so
  that the account watch recognises it as ours.

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
``{incident_id}``. Settings::

    [clarify]
    organisation = "Kementerian Contoh"
    contact = "DM @kemcontoh atau call center 1500-000"
    templates = "./my-templates"          # optional, relative to smguard.toml

    [clarify.accounts.kemcontoh_x]        # optional, per account
    handle = "@KemContoh"
    organisation = "…"
    contact = "…"
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from smguard.errors import ConfigError, InputError
from smguard.records import tables as m
from smguard.records.checks import add_publication, verdict_record
from smguard.records.incidents import Incident, RecordError, lock_for_write, require_actor
from smguard.types import LANGUAGES, Post, localized

if TYPE_CHECKING:
    from smguard.guard.engine import Guard
    from smguard.records.store import Store

__all__ = [
    "PLACEHOLDERS",
    "SECTIONS",
    "Clarification",
    "ClarificationError",
    "ClarifySettings",
    "Template",
    "Version",
    "approve",
    "builtin_templates_dir",
    "clarify_settings",
    "draft",
    "edit",
    "get_clarification",
    "list_clarifications",
    "load_template",
    "publish",
    "render_draft",
]

DRAFT, APPROVED, PUBLISHED = "draft", "approved", "published"
STATUSES: tuple[str, ...] = (DRAFT, APPROVED, PUBLISHED)

#: Sections of a template, in the order the draft puts them; the first four of the required
#: ones are what a good clarification cannot do without.
SECTIONS: tuple[str, ...] = (
    "heading", "what_happened", "what_we_did", "apology", "what_to_do", "where_to_ask", "closing",
)  # fmt: skip
REQUIRED_SECTIONS: tuple[str, ...] = ("what_happened", "what_we_did", "what_to_do", "where_to_ask")
PLACEHOLDERS: tuple[str, ...] = (
    "organisation", "account", "contact", "date", "time", "incident_id",
)  # fmt: skip

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
}  # fmt: skip


class ClarificationError(RecordError):
    """A clarification step was refused or a template is unusable."""


# -- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClarifySettings:
    organisation: str | None = None
    contact: str | None = None
    templates: Path | None = None
    accounts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def for_account(self, account: str | None) -> dict[str, str | None]:
        own = self.accounts.get(account or "", {})
        return {
            "organisation": own.get("organisation") or self.organisation,
            "contact": own.get("contact") or self.contact,
            "account": own.get("handle") or account,
        }


def clarify_settings(config: Any) -> ClarifySettings:
    """Validate ``[clarify]``; errors name the key."""
    table: Mapping[str, Any] = config.clarify
    where = f"{config.source}: clarify"
    known = {"organisation", "contact", "templates", "accounts"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})")
    for key in ("organisation", "contact", "templates"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(f"{where}.{key}: must be a non-empty string")
    templates: Path | None = None
    if "templates" in table:
        base = config.path.parent if config.path else Path.cwd()
        templates = (base / table["templates"]).resolve()
        if not templates.is_dir():
            raise ConfigError(f"{where}.templates: folder not found: {templates}")
    accounts: dict[str, dict[str, str]] = {}
    raw_accounts = table.get("accounts", {})
    if not isinstance(raw_accounts, Mapping):
        raise ConfigError(f"{where}.accounts: must be a table ([clarify.accounts.NAME])")
    for name, acct in raw_accounts.items():
        if not isinstance(acct, Mapping):
            raise ConfigError(f"{where}.accounts.{name}: must be a table")
        for key, value in acct.items():
            if key not in ("handle", "organisation", "contact"):
                raise ConfigError(
                    f"{where}.accounts.{name}.{key}: unknown setting "
                    "(known: contact, handle, organisation)"
                )
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}.accounts.{name}.{key}: must be a non-empty string")
        accounts[name] = {k: v.strip() for k, v in acct.items()}
    return ClarifySettings(
        organisation=table.get("organisation"),
        contact=table.get("contact"),
        templates=templates,
        accounts=accounts,
    )


# -- templates ---------------------------------------------------------------------------------


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
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise _template_error(file, f"not valid YAML{line}") from None
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
    date = f"{local.day} {_MONTHS[lang][local.month - 1]} {local.year}"
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
    settings = clarify_settings(config)
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


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    version: int
    text: str
    author: str
    created_at: datetime
    decision: str
    verdict: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "decision": self.decision,
            "verdict": dict(self.verdict),
        }


@dataclass(frozen=True)
class Clarification:
    id: int
    incident_id: int
    language: str
    status: str
    created_at: datetime
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    published_platform: str | None
    published_ref: str | None
    published_at: datetime | None
    versions: tuple[Version, ...]

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @classmethod
    def from_row(cls, row: m.Clarification) -> Clarification:
        return cls(
            id=row.id,
            incident_id=row.incident_id,
            language=row.language,
            status=row.status,
            created_at=row.created_at,
            created_by=row.created_by,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            published_platform=row.published_platform,
            published_ref=row.published_ref,
            published_at=row.published_at,
            versions=tuple(
                Version(v.version, v.text, v.author, v.created_at, v.decision, dict(v.verdict))
                for v in row.versions
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "language": self.language,
            "status": self.status,
            "created_at": iso(self.created_at),
            "created_by": self.created_by,
            "approved_by": self.approved_by,
            "approved_at": iso(self.approved_at),
            "published_platform": self.published_platform,
            "published_ref": self.published_ref,
            "published_at": iso(self.published_at),
            "versions": [v.to_dict() for v in self.versions],
        }


class ClarificationNotFound(ClarificationError):
    def __init__(self, clarification_id: int) -> None:
        super().__init__(
            f"no clarification #{clarification_id} (see `smguard clarify list`)",
            f"klarifikasi #{clarification_id} tidak ada (lihat `smguard clarify list`)",
        )


def _load(session: Session, clarification_id: int) -> m.Clarification:
    row = session.execute(
        select(m.Clarification)
        .where(m.Clarification.id == clarification_id)
        .options(selectinload(m.Clarification.versions))
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise ClarificationNotFound(clarification_id)
    return row


def _snapshot(session: Session, row: m.Clarification) -> Clarification:
    session.flush()
    session.refresh(row, ["versions"])
    return Clarification.from_row(row)


def _check(store: Store, guard: Guard | None, text: str, lang: str, account: str | None) -> Any:
    """Run a version through the guard (outside any transaction: models can be slow)."""
    if guard is None:
        from smguard.guard.engine import Guard

        guard = Guard(store.config, store.pm)
    return guard.check(Post(text=text, kind="post", language=lang, account=account))


def _add_version(
    session: Session, row: m.Clarification, text: str, author: str, verdict: Any
) -> m.ClarificationVersion:
    number = max((v.version for v in row.versions), default=0) + 1
    version = m.ClarificationVersion(
        version=number,
        text=text,
        author=author,
        created_at=m.utcnow(),
        decision=verdict.decision,
        verdict=verdict_record(verdict),
    )
    row.versions.append(version)
    return version


def _incident_note(
    session: Session, incident_id: int, actor: str, text: str, data: Mapping[str, Any]
) -> None:
    session.add(
        m.IncidentNote(
            incident_id=incident_id,
            at=m.utcnow(),
            actor=actor,
            kind="clarification",
            text=text,
            data=dict(data),
        )
    )


def draft(
    store: Store,
    incident_id: int,
    *,
    actor: str,
    lang: str | None = None,
    guard: Guard | None = None,
) -> Clarification:
    """Start a clarification for an incident from its template; version 1 is checked at once."""
    from smguard.records.incidents import get

    actor = require_actor(actor)
    settings_lang = store.config.guard.ui_language
    incident = get(store, incident_id)
    language = lang or store.config.account(incident.account).language or settings_lang
    text = render_draft(store.config, incident, language)
    verdict = _check(store, guard, text, language, incident.account)
    with store.session() as session:
        lock_for_write(session)
        row = m.Clarification(
            incident_id=incident_id,
            language=language,
            status=DRAFT,
            created_at=m.utcnow(),
            created_by=actor,
        )
        session.add(row)
        version = _add_version(session, row, text, actor, verdict)
        session.flush()
        _incident_note(
            session,
            incident_id,
            actor,
            localized(
                {
                    "en": f"Clarification #{row.id} drafted ({language})",
                    "id": f"Draf klarifikasi #{row.id} dibuat ({language})",
                },
                settings_lang,
            ),
            {"clarification_id": row.id},
        )
        session.flush()
        store.audit(
            session,
            "clarification.drafted",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": incident_id,
                "language": language,
                "version": version.version,
                "decision": version.decision,
                "template": f"{language}/{incident.kind}",
            },
        )
        return _snapshot(session, row)


def edit(
    store: Store,
    clarification_id: int,
    text: str,
    *,
    actor: str,
    guard: Guard | None = None,
) -> Clarification:
    """Store a new version (checked by the guard); an approval of an earlier one is withdrawn."""
    actor = require_actor(actor)
    text = text.strip()
    if not text:
        raise ClarificationError("the new text is empty", "teks barunya kosong")
    current = get_clarification(store, clarification_id)
    with store.session() as session:
        incident = session.get(m.Incident, current.incident_id)
        account = incident.account if incident else None
    verdict = _check(store, guard, text, current.language, account)
    with store.session() as session:
        lock_for_write(session)
        row = _load(session, clarification_id)
        if row.status == PUBLISHED:
            raise ClarificationError(
                f"clarification #{row.id} is already published and cannot change; "
                f"draft a new one with `smguard clarify draft {row.incident_id}`",
                f"klarifikasi #{row.id} sudah terbit dan tidak bisa diubah; buat draf baru "
                f"dengan `smguard clarify draft {row.incident_id}`",
            )
        if row.versions and row.versions[-1].text == text:
            raise ClarificationError(
                f"the text is the same as version {row.versions[-1].version}; nothing to save",
                f"teksnya sama dengan versi {row.versions[-1].version}; tidak ada yang disimpan",
            )
        withdrawn = row.approved_by if row.status == APPROVED else None
        version = _add_version(session, row, text, actor, verdict)
        row.status = DRAFT
        row.approved_by = None
        row.approved_at = None
        session.flush()
        store.audit(
            session,
            "clarification.edited",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": row.incident_id,
                "version": version.version,
                "decision": version.decision,
                "approval_withdrawn_from": withdrawn,
            },
        )
        return _snapshot(session, row)


def _findings_line(verdict: Mapping[str, Any], lang: str) -> str:
    parts = []
    for f in verdict.get("findings", []):
        message = localized(f.get("message") or {}, lang)
        parts.append(f"{f.get('rule')} [{f.get('category')}] {message}".strip())
    return "; ".join(parts)


def approve(store: Store, clarification_id: int, *, actor: str) -> Clarification:
    """A named admin approves the latest version; refused unless the guard allowed it."""
    actor = require_actor(actor)
    with store.session() as session:
        lock_for_write(session)
        row = _load(session, clarification_id)
        if row.status != DRAFT:
            state = {
                APPROVED: ("already approved by", "sudah disetujui oleh"),
                PUBLISHED: ("already published; approved by", "sudah terbit; disetujui oleh"),
            }
            en, id_ = state[row.status]
            raise ClarificationError(
                f"clarification #{row.id} is {en} {row.approved_by}",
                f"klarifikasi #{row.id} {id_} {row.approved_by}",
            )
        latest = row.versions[-1]
        if latest.decision != "allow":
            decision = {"block": ("blocked", "diblokir"), "review": ("held for review", "ditahan")}
            en, id_ = decision.get(latest.decision, (latest.decision, latest.decision))
            raise ClarificationError(
                f"clarification #{row.id} cannot be approved: the guard {en} version "
                f"{latest.version} ({_findings_line(latest.verdict, 'en')}); fix it with "
                f"`smguard clarify edit {row.id}`",
                f"klarifikasi #{row.id} tidak bisa disetujui: versi {latest.version} {id_} oleh "
                f"guard ({_findings_line(latest.verdict, 'id')}); perbaiki dengan "
                f"`smguard clarify edit {row.id}`",
            )
        row.status = APPROVED
        row.approved_by = actor
        row.approved_at = m.utcnow()
        session.flush()
        store.audit(
            session,
            "clarification.approved",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={"incident_id": row.incident_id, "version": latest.version},
        )
        return _snapshot(session, row)


def publish(
    store: Store,
    clarification_id: int,
    *,
    platform: str,
    ref: str,
    actor: str,
    at: datetime | None = None,
    account: str | None = None,
) -> Clarification:
    """Record that the approved clarification went out (``ref``: its URL or post id) and add it
    to the publish ledger of the incident's account (or ``account``)."""
    actor = require_actor(actor)
    platform, ref = (platform or "").strip(), (ref or "").strip()
    if not platform or not ref:
        raise ClarificationError(
            "say where it was published: --platform and --ref (URL or post id)",
            "sebutkan di mana klarifikasi terbit: --platform dan --ref (URL atau id unggahan)",
        )
    if at is not None and at.tzinfo is None:
        raise InputError("the publication time needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
    with store.session() as session:
        lock_for_write(session)
        row = _load(session, clarification_id)
        if row.status != APPROVED:
            raise ClarificationError(
                f"clarification #{row.id} is {row.status}; only an approved clarification can "
                f"be published (`smguard clarify approve {row.id} --as NAME`)",
                f"klarifikasi #{row.id} berstatus {row.status}; hanya klarifikasi yang disetujui "
                f"yang bisa diterbitkan (`smguard clarify approve {row.id} --as NAMA`)",
            )
        incident = session.get(m.Incident, row.incident_id)
        target = account or (incident.account if incident else None)
        if not target:
            raise ClarificationError(
                f"incident #{row.incident_id} names no account: say which with --account",
                f"insiden #{row.incident_id} tidak menyebut akun: sebutkan dengan --account",
            )
        when = at or m.utcnow()
        is_url = ref.lower().startswith(("http://", "https://"))
        latest = row.versions[-1]
        entry = add_publication(
            store,
            session,
            account=target,
            approved_by=row.approved_by or actor,
            approved_at=row.approved_at,
            text=latest.text,
            platform=platform,
            platform_post_id=None if is_url else ref,
            url=ref if is_url else None,
            published_at=when,
            actor=actor,
        )
        row.status = PUBLISHED
        row.published_platform = platform
        row.published_ref = ref
        row.published_at = when
        _incident_note(
            session,
            row.incident_id,
            actor,
            localized(
                {
                    "en": f"Clarification #{row.id} published on {platform}: {ref}",
                    "id": f"Klarifikasi #{row.id} terbit di {platform}: {ref}",
                },
                store.config.guard.ui_language,
            ),
            {"clarification_id": row.id, "ledger_id": entry.id},
        )
        session.flush()
        store.audit(
            session,
            "clarification.published",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": row.incident_id,
                "version": latest.version,
                "platform": platform,
                "ref": ref,
                "account": target,
                "published_at": when.isoformat(),
                "ledger_id": entry.id,
            },
        )
        return _snapshot(session, row)


def get_clarification(store: Store, clarification_id: int) -> Clarification:
    with store.session() as session:
        row = session.execute(
            select(m.Clarification)
            .where(m.Clarification.id == clarification_id)
            .options(selectinload(m.Clarification.versions))
        ).scalar_one_or_none()
        if row is None:
            raise ClarificationNotFound(clarification_id)
        return Clarification.from_row(row)


def list_clarifications(
    store: Store, *, incident_id: int | None = None, status: str | None = None
) -> list[Clarification]:
    """Clarifications, newest first, each with every version."""
    query = select(m.Clarification).options(selectinload(m.Clarification.versions))
    if incident_id is not None:
        query = query.where(m.Clarification.incident_id == incident_id)
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        query = query.where(m.Clarification.status == status)
    with store.session() as session:
        rows = session.execute(query.order_by(m.Clarification.id.desc())).scalars()
        return [Clarification.from_row(r) for r in rows]
