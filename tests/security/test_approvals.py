"""Approvals and the two-person rule; the publish API for the tool that posts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.errors import InputError
from smguard.records import ledger
from smguard.records.store import Store
from smguard.records.tables import Incident, LedgerEntry
from smguard.security.admins import grant
from smguard.security.approvals import approve
from smguard.security.errors import InventoryError, Refused
from smguard.security.sync import sync_inventory
from tests.support.security import (
    MIXED_CONFIG,
    STEP,
    T0,
    audit_actions,
    code,
    enrol,
    make_store,
    record,
)


@pytest.fixture
def people(store: Store) -> dict[str, str]:
    """ayu: owner+author everywhere; budi: approver of kemenkeu_ri; citra: author there."""
    seeds = {name: enrol(store, name)[0] for name in ("ayu", "budi", "citra")}
    grant(store, "citra", "approver", "kemenkeu_ri", actor="test", now=T0)  # approves others
    return seeds


def test_an_approver_who_is_not_the_author_approves_with_their_code(
    store: Store, people: dict[str, str]
) -> None:
    check_id = record(store, author="citra")
    assert ledger.may_publish(store, check_id) == ledger.PublishDecision(False, "needs_approval")
    now = T0 + 2 * STEP
    result = approve(store, check_id, approver="budi", code=code(people["budi"], now), now=now)
    assert (result.account, result.approver, result.method) == ("kemenkeu_ri", "budi", "totp")
    with store.session() as s:
        entry = s.get(LedgerEntry, result.ledger_id)
        assert entry is not None
        assert (entry.check_id, entry.approved_by, entry.approved_at) == (check_id, "budi", now)
    assert ledger.may_publish(store, check_id) == ledger.PublishDecision(True, "approved", "budi")
    actions = [(a, actor) for a, actor, _ in audit_actions(store)]
    assert ("check.approved", "budi") in actions and ("post.published", "budi") in actions


def _refusal(store: Store, check_id: str, approver: str, given: str, match: str) -> None:
    now = T0 + 5 * STEP
    with pytest.raises(Refused, match=match):
        approve(store, check_id, approver=approver, code=given, now=now)


def test_approval_is_refused_to_the_author(store: Store, people: dict[str, str]) -> None:
    check_id = record(store, author="citra")  # citra also holds the approver role
    _refusal(store, check_id, "citra", code(people["citra"], T0, 5), "wrote this post")
    _refusal(store, check_id, "CITRA", code(people["citra"], T0, 5), "wrote this post")


def test_approval_is_refused_to_a_non_approver(store: Store, people: dict[str, str]) -> None:
    check_id = record(store, author="citra")
    _refusal(store, check_id, "ayu", code(people["ayu"], T0, 5), "does not hold the approver role")


def test_approval_is_refused_with_a_bad_code(store: Store, people: dict[str, str]) -> None:
    check_id = record(store, author="citra")
    _refusal(
        store,
        check_id,
        "budi",
        "000000" if code(people["budi"], T0, 5) != "000000" else "111111",
        "wrong code",
    )
    other = record(store, author="citra", text="Another post: bit.ly/xyz")
    used = code(people["budi"], T0, 5)
    approve(store, other, approver="budi", code=used, now=T0 + 5 * STEP)
    _refusal(store, check_id, "budi", used, "already used")


def test_blocked_unknown_author_and_twice_approved_are_refused(
    store: Store, people: dict[str, str]
) -> None:
    blocked = record(store, author="citra", decision="block", severity="high")
    _refusal(store, blocked, "budi", code(people["budi"], T0, 5), "was blocked")
    anonymous = record(store, author=None)
    _refusal(store, anonymous, "budi", code(people["budi"], T0, 5), "no recorded author")
    nowhere = record(store, account=None)
    _refusal(store, nowhere, "budi", code(people["budi"], T0, 5), "does not name its account")
    check_id = record(store, author="citra")
    approve(store, check_id, approver="budi", code=code(people["budi"], T0, 5), now=T0 + 5 * STEP)
    with pytest.raises(Refused, match="already approved by budi"):
        approve(
            store, check_id, approver="budi", code=code(people["budi"], T0, 6), now=T0 + 6 * STEP
        )
    with pytest.raises(InventoryError, match="no recorded check"):
        approve(store, "no-such-check", approver="budi", code="123456", now=T0)
    reasons = [d["reason"] for a, _, d in audit_actions(store) if a == "check.approval_refused"]
    assert reasons == ["blocked", "unknown_author", "no_account", "already_approved"]


def test_unknown_authors_can_be_allowed_by_policy(db: object, secret_key: str) -> None:
    config = {**MIXED_CONFIG, "approvals": {"allow_unknown_author": True}}
    st = make_store(db, config)  # type: ignore[arg-type]
    sync_inventory(st, now=T0)
    budi, _ = enrol(st, "budi")
    check_id = record(st, author=None)
    approve(st, check_id, approver="budi", code=code(budi, T0, 1), now=T0 + STEP)


def test_approval_policy_by_decision_category_severity_and_account() -> None:
    from smguard.records.tables import CheckRecord

    def check(decision: str, category: str = "link", severity: str = "low", account: str = "a"):  # type: ignore[no-untyped-def]
        return CheckRecord(
            account=account,
            decision=decision,
            findings=[{"category": category, "severity": severity}],
        )

    config = Config.from_dict(
        {
            "approvals": {"required_for": "review", "categories": ["hate"], "min_severity": "high"},
            "accounts": {
                "strict": {"approvals": {"required_for": "allow"}},
                "loose": {"approvals": {"required_for": "none", "categories": []}},
            },
        }
    )
    from smguard.records.approvals import needs_approval

    assert needs_approval(config, check("review"))
    assert not needs_approval(config, check("allow"))
    assert needs_approval(config, check("allow", category="hate"))
    assert needs_approval(config, check("allow", severity="high"))
    assert needs_approval(config, check("allow", account="strict"))
    assert not needs_approval(config, check("review", account="loose", severity="medium"))
    assert needs_approval(config, check("review", account="loose", severity="critical"))


def test_record_published_completes_the_approval_entry(
    store: Store, people: dict[str, str]
) -> None:
    check_id = record(store, author="citra")
    approval = approve(
        store, check_id, approver="budi", code=code(people["budi"], T0, 1), now=T0 + STEP
    )
    ledger_id = ledger.record_published(
        store,
        check_id=check_id,
        published_by="scheduler",
        platform_post_id="1789",
        url="https://x.com/KemenkeuRI/status/1789",
        text="Info lengkap: bit.ly/abc123",
    )
    assert ledger_id == approval.ledger_id
    with store.session() as s:
        entry = s.get(LedgerEntry, ledger_id)
        assert entry is not None and entry.platform_post_id == "1789"
    with pytest.raises(InputError, match="not the text of check"):
        ledger.record_published(
            store, check_id=check_id, published_by="scheduler", text="Something else entirely"
        )


def test_publishing_a_held_post_without_approval_is_recorded_and_an_incident(
    store: Store, people: dict[str, str]
) -> None:
    held = record(store, author="citra")
    ledger_id = ledger.record_published(store, check_id=held, published_by="scheduler")
    allowed = record(store, author="citra", decision="allow", category="link", severity="low")
    assert ledger.may_publish(store, allowed) == ledger.PublishDecision(True, "allowed")
    ledger.record_published(store, check_id=allowed, published_by="scheduler")
    with store.session() as s:
        incidents = list(s.execute(select(Incident)).scalars())
        entries = {e.check_id: e for e in s.execute(select(LedgerEntry)).scalars()}
    assert [(i.kind, i.severity, i.account) for i in incidents] == [
        ("unapproved_publication", "high", "kemenkeu_ri")
    ]
    assert incidents[0].evidence["ledger_id"] == ledger_id
    assert entries[allowed].approved_by == "smguard"
