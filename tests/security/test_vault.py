"""The team vault: only owners add seeds; codes only for authorised admins with their own TOTP;
every hand-out and refusal audited; ``codes_issued`` for the watch detectors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from smguard.records.store import Store
from smguard.security import vault
from smguard.security.departure import depart
from smguard.security.errors import InventoryError, Refused
from tests.support.security import PLATFORM_SEED, STEP, T0, audit_actions, code, enrol


def test_seeds_are_read_as_base32_or_otpauth_links() -> None:
    assert vault.parse_seed(" jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp\n").seed == (
        vault.parse_seed(PLATFORM_SEED).seed
    )
    link = vault.parse_seed(
        f"otpauth://totp/X:kemenkeu?secret={PLATFORM_SEED}&issuer=X&digits=8&period=60"
        "&algorithm=SHA256"
    )
    assert (link.digits, link.period, link.algorithm) == (8, 60, "sha256")
    with pytest.raises(InventoryError, match="time-based"):
        vault.parse_seed(f"otpauth://hotp/X?secret={PLATFORM_SEED}&counter=1")
    with pytest.raises(InventoryError, match="too short"):
        vault.parse_seed("JBSWY3DP")
    with pytest.raises(InventoryError, match="not valid base32"):
        vault.parse_seed("0000-1111-8888-9999")
    with pytest.raises(InventoryError, match="no secret"):
        vault.parse_seed("otpauth://totp/X?issuer=X")


def test_only_an_owner_with_their_own_code_adds_a_seed(store: Store) -> None:
    ayu, _ = enrol(store, "ayu")  # owner of every account
    citra, _ = enrol(store, "citra")  # author of kemenkeu_ri
    now = T0 + STEP
    with pytest.raises(Refused, match="does not hold the owner role"):
        vault.add_seed(
            store, "kemenkeu_ri", PLATFORM_SEED, by="citra", code=code(citra, now), now=now
        )
    with pytest.raises(Refused, match="wrong code"):
        vault.add_seed(
            store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(citra, now), now=now
        )
    with pytest.raises(InventoryError, match="no account named 'nope'"):
        vault.add_seed(store, "nope", PLATFORM_SEED, by="ayu", code=code(ayu, now), now=now)
    vault.add_seed(store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, now), now=now)
    later = now + STEP
    with pytest.raises(Refused, match="--replace"):
        vault.add_seed(
            store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, later), now=later
        )
    vault.add_seed(
        store,
        "kemenkeu_ri",
        "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF",
        by="ayu",
        code=code(ayu, later, 1),
        now=later + STEP,
        replace=True,
    )
    entries = vault.list_seeds(store)
    assert [(e.account, e.added_by, e.added_at) for e in entries] == [
        ("kemenkeu_ri", "ayu", later + STEP)
    ]
    actions = [a for a, _, _ in audit_actions(store)]
    assert actions.count("vault.seed_refused") == 2
    assert "vault.seed_added" in actions and "vault.seed_replaced" in actions


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    seeds = {name: enrol(store, name)[0] for name in ("ayu", "budi", "citra")}
    vault.add_seed(
        store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(seeds["ayu"], T0, 1), now=T0 + STEP
    )
    return seeds


def test_an_authorised_admin_gets_the_current_platform_code(
    store: Store, seeded: dict[str, str]
) -> None:
    now = T0 + 10 * STEP + timedelta(seconds=7)
    issued = vault.issue_code(
        store, "kemenkeu_ri", admin="citra", code=code(seeded["citra"], now), now=now
    )
    assert issued.code == pyotp.TOTP(PLATFORM_SEED).at(now)
    assert issued.valid_for == 23
    assert PLATFORM_SEED not in repr(issued) and issued.code not in repr(issued)
    events = [e for e in audit_actions(store) if e[0] == "vault.code_issued"]
    assert len(events) == 1
    _, actor, details = events[0]
    assert actor == "citra" and details["account"] == "kemenkeu_ri"
    assert details["method"] == "totp" and issued.code not in str(details)


def test_hand_outs_are_refused_and_audited(store: Store, seeded: dict[str, str]) -> None:
    now = T0 + 10 * STEP
    cases = [
        # budi is only an approver: approvers do not log in (vault_roles = owner, author).
        ("budi", code(seeded["budi"], now), "does not hold the owner or author role"),
        # citra with a wrong code (ayu's) is not verified.
        ("citra", code(seeded["ayu"], now), "wrong code"),
        ("nobody", "123456", "no admin named 'nobody'"),
    ]
    for admin, given, message in cases:
        with pytest.raises(Refused, match=message):
            vault.issue_code(store, "kemenkeu_ri", admin=admin, code=given, now=now)
    with pytest.raises(Refused, match="no seed for djp_ig"):
        vault.issue_code(store, "djp_ig", admin="ayu", code=code(seeded["ayu"], now), now=now)
    depart(store, "citra", actor="security", now=now)
    with pytest.raises(Refused, match="citra has departed"):
        vault.issue_code(
            store, "kemenkeu_ri", admin="citra", code=code(seeded["citra"], now, 1), now=now
        )
    refused = [
        (actor, d["reason"]) for a, actor, d in audit_actions(store) if a == "vault.code_refused"
    ]
    assert [a for a, _ in refused] == ["budi", "citra", "nobody", "ayu", "citra"]
    assert not [e for e in audit_actions(store) if e[0] == "vault.code_issued"]


def test_codes_issued_answers_who_asked_around_a_login(
    store: Store, seeded: dict[str, str]
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    for n, admin in enumerate(["ayu", "citra"]):
        now = T0 + (20 + n) * STEP
        vault.issue_code(store, "kemenkeu_ri", admin=admin, code=code(seeded[admin], now), now=now)
    after = datetime.now(UTC) + timedelta(seconds=1)
    issued = vault.codes_issued(store, "kemenkeu_ri", before, after)
    assert [i.admin for i in issued] == ["ayu", "citra"]
    assert all(before <= i.at <= after for i in issued)
    assert vault.codes_issued(store, "kemenkeu_ri", after) == []
    assert vault.codes_issued(store, "djp_ig", before, after) == []
    assert vault.codes_issued(store, "kemenkeu_ri", before - timedelta(hours=1), before) == []


def test_eight_digit_sha256_seeds(store: Store) -> None:
    ayu, _ = enrol(store, "ayu")
    link = f"otpauth://totp/X:y?secret={PLATFORM_SEED}&digits=8&algorithm=SHA256&period=60"
    vault.add_seed(store, "djp_ig", link, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP)
    now = T0 + 40 * STEP
    issued = vault.issue_code(store, "djp_ig", admin="ayu", code=code(ayu, now), now=now)
    expected = pyotp.TOTP(PLATFORM_SEED, digits=8, digest=hashlib.sha256, interval=60).at(now)
    assert issued.code == expected and len(issued.code) == 8
