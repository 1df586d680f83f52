"""Clarifications: drafts from en/id templates (overridable), guarded versions, approval,
publication."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.engine import Guard
from smguard.records import clarify as cl
from smguard.records.audit import verify_chain
from smguard.records.incidents import KINDS, Incident, RecordError, get, open_incident
from smguard.records.ledger import is_in_ledger
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, LedgerEntry
from tests.support.guards import make_guard, write_pack

PACK = """
languages: ['*']
rules:
  - id: SMG-XX-T-001
    name: insult
    category: harassment
    severity: high
    message: {en: "Insult", id: "Hinaan"}
    why: {en: "It offends"}
    match: {terms: [goblok, idiot]}
"""
CLARIFY = {
    "organisation": "Kementerian Contoh",
    "contact": "DM resmi @KemContoh atau call center 1500-000",
    "accounts": {"kem_x": {"handle": "@KemContoh"}},
}


@pytest.fixture
def guard(tmp_path: Path) -> Guard:
    write_pack(tmp_path / "packs", "p.yaml", PACK)
    return make_guard(packs=[tmp_path / "packs"])


def make_store(db: Any, **clarify: Any) -> Store:
    return Store(Config.from_dict({"clarify": {**CLARIFY, **clarify}}), db)


def an_incident(store: Store, kind: str = "unauthorized_post") -> Incident:
    incident, _ = open_incident(
        store, kind=kind, severity="critical", title="Judi online post on @KemContoh",
        account="kem_x", dedupe_key=f"{kind}:kem_x:1", evidence={"post_id": "9"}, actor="watch",
    )  # fmt: skip
    return incident


def test_drafts_say_what_a_good_clarification_says(db: Any, guard: Guard) -> None:
    store = make_store(db)
    incident = an_incident(store)
    id_draft = cl.draft(store, incident.id, lang="id", actor="ani", guard=guard)
    text = id_draft.latest.text
    assert text.startswith("[KLARIFIKASI]")
    local = incident.created_at.astimezone(Config().account("kem_x").tz)
    months = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
              "Desember").split()  # fmt: skip
    assert f"Pada {local.day} {months[local.month - 1]} {local.year} sekitar pukul" in text
    assert f"{local:%H.%M} WIB" in text
    for part in (
        "@KemContoh",
        "Kementerian Contoh",
        "pihak yang tidak berwenang",  # happened
        "sudah kami hapus",  # what done
        "mohon maaf",  # apology
        "abaikan",
        "jangan membuka tautan",
        "laporkan",  # what to do
        "DM resmi @KemContoh atau call center 1500-000",
    ):  # where to ask
        assert part in text, part  # fmt: skip
    assert "{" not in text and "}" not in text
    assert (id_draft.status, id_draft.language, id_draft.created_by) == ("draft", "id", "ani")
    assert id_draft.latest.decision == "allow" and id_draft.latest.version == 1

    en = cl.draft(store, incident.id, lang="en", actor="ani", guard=guard).latest.text
    assert en.startswith("[CLARIFICATION]")
    for part in ("@KemContoh", "unauthorised party", "removed the post", "apologise",
                 "ignore that post", "DM resmi @KemContoh"):  # fmt: skip
        assert part in en, part
    notes = [n.kind for n in get(store, incident.id).notes]
    assert notes == ["opened", "clarification", "clarification"]


def test_every_kind_has_a_draft_in_both_languages_that_the_builtin_guard_allows() -> None:
    """The shipped templates must pass the shipped rule packs: a clarification that the
    guard blocks would be a second incident."""
    config = Config.from_dict({"clarify": CLARIFY})
    guard = Guard(config)
    for kind in KINDS:
        for lang in ("id", "en"):
            incident = Incident(
                id=7, kind=kind, severity="high", status="open", title="t", account="kem_x",
                category=None, dedupe_key="k", evidence={}, sightings=1,
                created_at=datetime(2026, 6, 1, 7, 5, tzinfo=UTC),
                last_seen_at=datetime(2026, 6, 1, 7, 5, tzinfo=UTC),
            )  # fmt: skip
            text = cl.render_draft(config, incident, lang)
            assert "1 Jun" in text and "14" in text  # 07:05 UTC is 14:05 WIB
            verdict = guard.check({"text": text, "language": lang, "account": "kem_x"})
            assert verdict.decision == "allow", (kind, lang, verdict.to_dict(lang)["findings"])


def test_user_templates_override_the_builtin_ones(db: Any, guard: Guard, tmp_path: Path) -> None:
    folder = tmp_path / "my-templates" / "en"
    folder.mkdir(parents=True)
    (folder / "unauthorized_post.yaml").write_text(
        "sections:\n"
        "  what_happened: Someone else posted on {account}.\n"
        "  what_we_did: We took the post down.\n"
        "  what_to_do: Ignore it.\n"
        "  where_to_ask: Ask us at {contact}.\n",
        encoding="utf-8",
    )
    config_file = tmp_path / "smguard.toml"
    config_file.write_text(
        '[clarify]\norganisation = "Bank Contoh"\ncontact = "halo@bank.example"\n'
        'templates = "my-templates"\n',
        encoding="utf-8",
    )
    store = Store(Config.load(config_file), db)
    incident = an_incident(store)
    text = cl.draft(store, incident.id, lang="en", actor="ani", guard=guard).latest.text
    assert text == (
        "Someone else posted on kem_x.\n\nWe took the post down.\n\nIgnore it.\n\n"
        "Ask us at halo@bank.example."
    )
    # Not overridden: Indonesian still comes from the built-in templates.
    id_text = cl.draft(store, incident.id, lang="id", actor="ani", guard=guard).latest.text
    assert id_text.startswith("[KLARIFIKASI]")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("sections: [\n", "not valid YAML at line"),
        ("sections:\n  what_happened: x\n", "missing section(s): what_we_did, what_to_do"),
        ("sections:\n  what_happened: x {nope}\n  what_we_did: x\n  what_to_do: x\n"
         "  where_to_ask: x\n", "unknown placeholder {nope}"),
        ("sections:\n  intro: x\n", "unknown section(s): intro"),
        ("language: id\nsections: {}\n", "says language 'id' but is in en/"),
    ],
)  # fmt: skip
def test_broken_templates_are_named_with_their_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / "en").mkdir()
    file = tmp_path / "en" / "account_change.yaml"
    file.write_text(content, encoding="utf-8")
    settings = cl.ClarifySettings(templates=tmp_path)
    with pytest.raises(cl.ClarificationError) as info:
        cl.load_template("account_change", "en", settings)
    assert str(file) in str(info.value) and problem in str(info.value)


def test_missing_settings_are_named(db: Any, guard: Guard) -> None:
    store = Store(Config(), db)
    incident = an_incident(store)
    with pytest.raises(cl.ClarificationError) as info:
        cl.draft(store, incident.id, lang="en", actor="ani", guard=guard)
    assert "contact, organisation" in str(info.value)
    assert "[clarify] organisation" in str(info.value)
    assert "[clarify] contact" in info.value.text("id")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"organisation": ""}, "clarify.organisation: must be a non-empty string"),
        ({"sender": "x"}, "clarify.sender: unknown setting"),
        ({"templates": "nowhere"}, "clarify.templates: folder not found"),
        ({"accounts": {"a": {"name": "x"}}}, "clarify.accounts.a.name: unknown setting"),
    ],
)
def test_clarify_settings_are_validated(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Config.from_dict({"clarify": table})


def test_a_version_the_guard_blocks_cannot_be_approved(db: Any, guard: Guard) -> None:
    store = make_store(db)
    incident = an_incident(store)
    draft = cl.draft(store, incident.id, lang="en", actor="ani", guard=guard)
    bad = cl.edit(store, draft.id, "Only an idiot would click that link.", actor="budi",
                  guard=guard)  # fmt: skip
    assert bad.latest.version == 2 and bad.latest.decision == "block"
    assert bad.latest.verdict["findings"][0]["rule"] == "SMG-XX-T-001"
    with pytest.raises(cl.ClarificationError) as info:
        cl.approve(store, draft.id, actor="dewi")
    assert "cannot be approved: the guard blocked version 2" in str(info.value)
    assert "SMG-XX-T-001 [harassment] Insult" in str(info.value)
    assert "SMG-XX-T-001 [harassment] Hinaan" in info.value.text("id")
    fixed = cl.edit(store, draft.id, "We removed the post. Please ignore it.", actor="budi",
                    guard=guard)  # fmt: skip
    assert fixed.latest.decision == "allow"
    approved = cl.approve(store, draft.id, actor="dewi")
    assert (approved.status, approved.approved_by) == ("approved", "dewi")
    assert [v.decision for v in approved.versions] == ["allow", "block", "allow"]


def test_approval_needs_a_name_and_happens_once(db: Any, guard: Guard) -> None:
    store = make_store(db)
    draft = cl.draft(store, an_incident(store).id, lang="id", actor="ani", guard=guard)
    for name in ("", "   "):
        with pytest.raises(RecordError, match="say who is doing this"):
            cl.approve(store, draft.id, actor=name)
    cl.approve(store, draft.id, actor="dewi")
    with pytest.raises(cl.ClarificationError, match="already approved by dewi"):
        cl.approve(store, draft.id, actor="dewi")


def test_editing_an_approved_clarification_withdraws_the_approval(db: Any, guard: Guard) -> None:
    store = make_store(db)
    draft = cl.draft(store, an_incident(store).id, lang="id", actor="ani", guard=guard)
    cl.approve(store, draft.id, actor="dewi")
    edited = cl.edit(store, draft.id, draft.latest.text + " Salam.", actor="ani", guard=guard)
    assert (edited.status, edited.approved_by) == ("draft", None)
    with pytest.raises(cl.ClarificationError, match="only an approved clarification"):
        cl.publish(store, draft.id, platform="x", ref="1", actor="ani")
    with pytest.raises(cl.ClarificationError, match="same as version 2"):
        cl.edit(store, draft.id, edited.latest.text, actor="ani", guard=guard)


def test_publication_is_recorded_and_enters_the_ledger(db: Any, guard: Guard) -> None:
    store = make_store(db)
    incident = an_incident(store)
    draft = cl.draft(store, incident.id, lang="id", actor="ani", guard=guard)
    cl.approve(store, draft.id, actor="dewi")
    at = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    published = cl.publish(store, draft.id, platform="x", actor="ani", at=at,
                           ref="https://x.com/KemContoh/status/1800")  # fmt: skip
    assert published.status == "published"
    assert (published.published_platform, published.published_at) == ("x", at)
    # The account watch will recognise the clarification as ours, even as X shows it.
    shown_on_x = draft.latest.text.replace("\n\n", "\n").upper()
    assert is_in_ledger(store, "kem_x", shown_on_x)
    with db.session() as s:
        entry = s.execute(select(LedgerEntry)).scalar_one()
        assert (entry.url, entry.approved_by, entry.platform_post_id) == (
            "https://x.com/KemContoh/status/1800", "dewi", None,
        )  # fmt: skip
        recorded = list(s.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())
    assert recorded == [
        "incident.opened", "clarification.drafted", "clarification.approved",
        "post.published", "clarification.published",
    ]  # fmt: skip
    assert get(store, incident.id).notes[-1].text.endswith("https://x.com/KemContoh/status/1800")
    with pytest.raises(cl.ClarificationError, match="already published"):
        cl.edit(store, draft.id, "changed", actor="ani", guard=guard)
    assert verify_chain(db).ok


def test_incidents_without_an_account(db: Any, guard: Guard, tmp_path: Path) -> None:
    store = make_store(db)
    incident, _ = open_incident(store, kind="engine_failure", severity="medium", title="t",
                                dedupe_key="e", evidence={}, actor="smguard")  # fmt: skip
    with pytest.raises(cl.ClarificationError, match="needs account"):
        cl.draft(store, incident.id, lang="en", actor="ani", guard=guard)
    # A template that does not name the account works; publishing then asks which one.
    (tmp_path / "t" / "en").mkdir(parents=True)
    (tmp_path / "t" / "en" / "default.yaml").write_text(
        "sections: {what_happened: a, what_we_did: b, what_to_do: c, where_to_ask: '{contact}'}\n",
        encoding="utf-8",
    )
    store = make_store(db, templates=str(tmp_path / "t"))
    draft = cl.draft(store, incident.id, lang="en", actor="ani", guard=guard)
    cl.approve(store, draft.id, actor="dewi")
    with pytest.raises(cl.ClarificationError, match="names no account"):
        cl.publish(store, draft.id, platform="x", ref="1", actor="ani")
    done = cl.publish(store, draft.id, platform="x", ref="1800", actor="ani", account="kem_x")
    assert done.published_ref == "1800"
    assert is_in_ledger(store, "kem_x", draft.latest.text)


def test_list_and_get(db: Any, guard: Guard) -> None:
    store = make_store(db)
    first = an_incident(store)
    second = an_incident(store, kind="account_change")
    a = cl.draft(store, first.id, lang="id", actor="ani", guard=guard)
    b = cl.draft(store, second.id, lang="en", actor="ani", guard=guard)
    assert [c.id for c in cl.list_clarifications(store)] == [b.id, a.id]
    assert [c.id for c in cl.list_clarifications(store, incident_id=first.id)] == [a.id]
    assert cl.list_clarifications(store, status="published") == []
    assert cl.get_clarification(store, a.id).to_dict()["versions"][0]["decision"] == "allow"
    with pytest.raises(cl.ClarificationError, match="no clarification #99"):
        cl.get_clarification(store, 99)
