"""Check log and publish ledger: fingerprints that survive platforms, privacy, incidents, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.errors import ConfigError, InputError
from smguard.guard.fingerprint import LINK_PLACEHOLDER, fingerprint, fingerprint_text
from smguard.records.audit import verify_chain
from smguard.records.checks import record_check, record_checks
from smguard.records.incidents import list_incidents
from smguard.records.ledger import is_in_ledger, record_publication
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, Base, CheckRecord, LedgerEntry
from tests.support.guards import make_guard, write_pack

# -- fingerprints ------------------------------------------------------------------------------

PLAIN = (
    "Selamat pagi, Sobat Sehat! ❤️\n\n"
    "Jadwal vaksinasi & lokasi terbaru: https://www.kemkes.go.id/vaksin/?utm_source=ig\n"
    "#SehatBersama @kemkes@mastodon.social"
)
# The same post as Mastodon's API returns it (status.content).
MASTODON = (
    "<p>Selamat pagi, Sobat Sehat! ❤</p><p>Jadwal vaksinasi &amp; lokasi terbaru: "
    '<a href="https://www.kemkes.go.id/vaksin/?utm_source=ig" target="_blank" '
    'rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://www.'
    '</span><span class="ellipsis">kemkes.go.id/vaksin/?utm_sou</span><span class="invisible">'
    'rce=ig</span></a><br /><a href="https://mastodon.social/tags/SehatBersama" '
    'class="mention hashtag" rel="tag">#<span>SehatBersama</span></a> '
    '<span class="h-card" translate="no"><a href="https://mastodon.social/@kemkes" '
    'class="u-url mention">@<span>kemkes</span></a></span></p>'
)


def test_mastodon_html_and_plain_text_have_one_fingerprint() -> None:
    assert fingerprint_text(MASTODON) == fingerprint_text(PLAIN)
    assert fingerprint(MASTODON) == fingerprint(PLAIN)
    assert len(fingerprint(PLAIN)) == 64
    assert "kemkes.go.id/vaksin" in fingerprint_text(PLAIN)


def test_what_platforms_change_does_not_matter() -> None:
    base = fingerprint("Selamat pagi, Sobat! Info: https://kemkes.go.id/vaksin")
    assert fingerprint("  SELAMAT   pagi,\u00a0sobat!\nInfo:  http://kemkes.go.id/vaksin/ ") == base
    assert (
        fingerprint("Sel\u200bamat pa\u200dgi, Sobat!\ufeff Info: https://kemkes.go.id/vaksin")
        == base
    )
    # X: every link is a t.co link; the expansion (from the API's entities) restores it.
    x_text = "Selamat pagi, Sobat! Info: https://t.co/Ab12Cd"
    assert fingerprint(x_text, {"https://t.co/Ab12Cd": "https://kemkes.go.id/vaksin"}) == base
    # X and Mastodon escape entities in plain text too.
    assert fingerprint("Tanya &amp; jawab") == fingerprint("Tanya & jawab")
    # Facebook's outbound-link redirect carries the destination.
    fb = "Selamat pagi, Sobat! Info: https://l.facebook.com/l.php?u=https%3A%2F%2Fkemkes.go.id%2Fvaksin&h=AT0x"
    assert fingerprint(fb) == base
    assert fingerprint("Terima kasih ❤️🙏🏽") == fingerprint("terima kasih ❤🙏🏽")


def test_what_changes_the_meaning_changes_the_fingerprint() -> None:
    base = fingerprint("Info vaksin: https://kemkes.go.id/vaksin")
    assert fingerprint("Info vaksin: https://kemkes-go.id/vaksin") != base
    assert fingerprint("Info vaksin: https://kemkes.go.id/Vaksin") != base  # paths keep case
    assert fingerprint("Info vaksin: https://kemkes.go.id/vaksin?id=2") != base
    assert fingerprint("Info vaksin gratis: https://kemkes.go.id/vaksin") != base
    # An unexpanded t.co link is a placeholder: it cannot prove where it goes.
    unexpanded = fingerprint_text("Info vaksin: https://t.co/Ab12Cd")
    assert LINK_PLACEHOLDER in unexpanded
    assert fingerprint("Info vaksin: https://t.co/Ab12Cd") != base
    assert fingerprint("Info vaksin: https://t.co/Zz99") == fingerprint(
        "Info vaksin: https://t.co/Ab12Cd"
    )


def test_html_paragraphs_and_line_breaks_are_whitespace() -> None:
    assert fingerprint("<p>Baris satu<br>baris dua</p><p>Paragraf</p>") == fingerprint(
        "Baris satu\nbaris dua\n\nParagraf"
    )
    # Text that merely contains a "<" is not HTML.
    assert fingerprint_text("1 < 2 dan 3 > 2") == "1 < 2 dan 3 > 2"


# -- the check log -----------------------------------------------------------------------------

PACK = """
languages: ['*']
rules:
  - id: SMG-XX-T-001
    name: insult
    category: harassment
    severity: high
    message: {en: "Insult", id: "Hinaan"}
    why: {en: "It offends"}
    match: {terms: [goblok]}
  - id: SMG-XX-T-002
    name: doubt
    category: spam
    severity: medium
    message: {en: "Doubtful"}
    why: {en: "Hmm"}
    match: {terms: [ragu]}
"""
SECRET = "Pelanggan Siti Aminah, rekening 8801234567, dasar goblok"


@pytest.fixture
def guard(tmp_path: Path) -> Any:
    write_pack(tmp_path / "packs", "p.yaml", PACK)
    return make_guard(packs=[tmp_path / "packs"])


def store_for(db: Any, **config: Any) -> Store:
    return Store(Config.from_dict(config), db)


def everything_stored(db: Any) -> str:
    """Every value in every table, as text."""
    out = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                out.append(repr(tuple(row)))
    return "\n".join(out)


def sqlite_bytes(db_url: str) -> bytes:
    path = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_check_log_keeps_no_text_by_default(db: Any, db_url: str, guard: Any) -> None:
    store = store_for(db)
    post = {"text": SECRET, "account": "bank_x", "in_reply_to": {"text": "Siti Aminah di sini"}}
    check_id = record_check(store, post, guard.check(post), author="ani")
    with db.session() as s:
        row = s.get(CheckRecord, check_id)
        assert row is not None
        assert row.text is None and row.decision == "block" and row.author == "ani"
        assert row.fingerprint == fingerprint(SECRET)
        assert [f["rule"] for f in row.findings] == ["SMG-XX-T-001"]
        assert "evidence" not in row.findings[0]
    dump = everything_stored(db)
    for secret in ("Siti Aminah", "8801234567", "goblok"):
        assert secret not in dump
    if db.dialect == "sqlite":
        db.dispose()
        raw = sqlite_bytes(db_url)
        assert b"Siti Aminah" not in raw and b"8801234567" not in raw


def test_check_log_keeps_text_when_configured(db: Any, db_url: str, guard: Any) -> None:
    store = store_for(db, storage={"store_text": True})
    check_id = record_check(store, SECRET, guard.check(SECRET))
    with db.session() as s:
        row = s.get(CheckRecord, check_id)
        assert row is not None and row.text == SECRET
        assert row.findings[0]["evidence"] == "goblok"
    assert "Siti Aminah" in everything_stored(db)
    if db.dialect == "sqlite":
        db.dispose()
        assert b"Siti Aminah" in sqlite_bytes(db_url)


def test_store_text_must_be_a_boolean(db: Any, guard: Any) -> None:
    # Refused when the configuration is loaded, before anything is recorded.
    with pytest.raises(ConfigError, match=r"storage\.store_text: must be true or false"):
        store_for(db, storage={"store_text": "yes"})


@pytest.mark.parametrize(
    ("open_on", "opened"),
    [(None, {"block"}), ("block", {"block"}), ("review", {"block", "review"}), ("never", set())],
)
def test_blocked_checks_open_incidents_as_policy_says(
    db: Any, guard: Any, open_on: str | None, opened: set[str]
) -> None:
    store = store_for(db, incidents={"open_on": open_on} if open_on else {})
    texts = {"block": "dasar goblok", "review": "saya ragu", "allow": "terima kasih"}
    results = record_checks(
        store, [({"text": t, "account": "acct"}, guard.check(t)) for t in texts.values()]
    )
    by_decision = dict(zip(texts, results, strict=True))
    assert {d for d, r in by_decision.items() if r.incident_id is not None} == opened
    found = list_incidents(store)
    assert len(found) == len(opened)
    for incident in found:
        assert incident.kind == "blocked_post" and incident.account == "acct"
        assert incident.evidence["check_id"] in {r.check_id for r in results}
        assert "text" not in incident.evidence


def test_the_same_blocked_post_twice_is_one_incident(db: Any, guard: Any) -> None:
    store = store_for(db)
    text = "dasar goblok"
    first, second = record_checks(
        store, [({"text": text, "account": "a"}, guard.check(text))] * 2, author="ani"
    )
    assert first.incident_created and not second.incident_created
    assert first.incident_id == second.incident_id
    (incident,) = list_incidents(store)
    assert incident.sightings == 2 and incident.severity == "high"
    assert incident.category == "harassment"


def test_open_on_is_validated(db: Any, guard: Any) -> None:
    with pytest.raises(ConfigError, match=r"incidents\.open_on: 'always' is not a decision"):
        store_for(db, incidents={"open_on": "always"})


def test_recording_is_audited(db: Any, guard: Any) -> None:
    store = store_for(db)
    check_id = record_check(store, "dasar goblok", guard.check("dasar goblok"), author="ani")
    with db.session() as s:
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
    assert [e.action for e in events] == ["check.recorded", "incident.opened"]
    assert events[0].subject == f"check:{check_id}" and events[0].actor == "ani"
    assert events[0].details["rules"] == ["SMG-XX-T-001"]
    assert verify_chain(db).ok


def test_inputs_that_could_not_be_checked_are_refused(db: Any, guard: Any) -> None:
    from smguard.guard.engine import error_verdict

    with pytest.raises(InputError, match="not recorded"):
        record_check(store_for(db), "x", error_verdict("bad line"))


# -- the publish ledger ------------------------------------------------------------------------


def test_ledger_recognises_the_published_post(db: Any) -> None:
    store = store_for(db)
    ledger_id = record_publication(
        store, account="kemkes", text=PLAIN, platform="mastodon", approved_by="budi",
        platform_post_id="1131", url="https://mastodon.social/@kemkes/1131",
    )  # fmt: skip
    assert is_in_ledger(store, "kemkes", MASTODON)  # as the watch will see it
    assert is_in_ledger(store, "kemkes", PLAIN)
    assert not is_in_ledger(store, "other_account", PLAIN)
    assert not is_in_ledger(store, "kemkes", "<p>Slot gacor maxwin hari ini!</p>")
    with db.session() as s:
        entry = s.get(LedgerEntry, ledger_id)
        assert entry is not None
        assert (entry.approved_by, entry.platform) == ("budi", "mastodon")
        event = s.execute(
            select(AuditEvent).where(AuditEvent.action == "post.published")
        ).scalar_one()
        assert event.subject == f"ledger:{ledger_id}" and event.actor == "budi"
        assert event.details["fingerprint"] == fingerprint(PLAIN)
    assert verify_chain(db).ok


def test_ledger_by_fingerprint_and_bad_arguments(db: Any) -> None:
    store = store_for(db)
    record_publication(store, account="a", fingerprint=fingerprint("Halo"), approved_by="budi")
    assert is_in_ledger(store, "a", "<p>halo</p>")
    with pytest.raises(InputError, match="either the post's text or its fingerprint"):
        record_publication(store, account="a", text="x", fingerprint="0" * 64, approved_by="b")
    with pytest.raises(InputError, match="64 hexadecimal"):
        record_publication(store, account="a", fingerprint="abc", approved_by="b")
    with pytest.raises(InputError, match="who"):
        record_publication(store, account="a", text="x", approved_by=" ")
    with pytest.raises(InputError, match="no recorded check"):
        record_publication(store, account="a", text="x", approved_by="b", check_id="nope")


def test_publishing_a_blocked_post_is_an_incident(db: Any, guard: Any) -> None:
    store = store_for(db)
    check_id = record_check(store, "dasar goblok", guard.check("dasar goblok"))
    record_publication(store, account="a", text="dasar goblok", approved_by="budi",
                       check_id=check_id)  # fmt: skip
    kinds = sorted(i.kind for i in list_incidents(store))
    assert kinds == ["blocked_post", "unsafe_post_published"]
    allowed = record_check(store, "terima kasih", guard.check("terima kasih"))
    record_publication(store, account="a", text="terima kasih", approved_by="b", check_id=allowed)
    assert len(list_incidents(store)) == 2
