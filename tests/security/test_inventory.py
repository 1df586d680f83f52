"""The inventory: configuration, sync rules (the file wins for what it sets), departures."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import SecAccount, SecAdmin, SecRole
from smguard.security import (
    accounts,
    admins,
    departure,
    enrolment,
    inventory,
    second_factor,
    sync,
    vault,
)
from smguard.security.errors import InventoryError, Refused
from tests.support.security import (
    MIXED_CONFIG,
    PLATFORM_SEED,
    STEP,
    T0,
    audit_actions,
    code,
    enrol,
    make_store,
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"admins": {"ayu": {"roles": ["boss"]}}}, "admins.ayu.roles: 'boss': the role must be"),
        ({"admins": {"ayu": {"email": "not-mail"}}}, "admins.ayu.email: 'not-mail' is not an"),
        (
            {"admins": {"ayu": {"status": "gone"}}},
            "admins.ayu.status: 'gone' is not a status (one of active",
        ),
        ({"admins": {"ayu": {"pager": "1"}}}, "admins.ayu.pager: unknown setting"),
        ({"admins": {"a b": {}}}, "admins.a b: not an admin name"),
        ({"accounts": {"x": {"two_factor": "email"}}}, "accounts.x.two_factor: 'email' is not"),
        ({"accounts": {"x": {"owners": ["a b"]}}}, "accounts.x.owners: 'a b' is not an admin"),
        ({"accounts": {"x": {"recovery_phone": "call me"}}}, "accounts.x.recovery_phone:"),
        ({"accounts": {"x": {"approvals": {"required_for": "x"}}}}, "accounts.x.approvals.req"),
        ({"organisation": {"domains": ["nodot"]}}, "organisation.domains: 'nodot' is not a"),
        ({"security": {"lockout_after": 0}}, "security.lockout_after: must be a whole number"),
        ({"security": {"vault_roles": ["approver", "god"]}}, "security.vault_roles: 'god'"),
        ({"approvals": {"categories": ["gossip"]}}, "approvals.categories: 'gossip' is not a"),
        ({"approvals": {"min_severity": "huge"}}, "approvals.min_severity:"),
    ],
)
def test_bad_security_settings_are_one_line_naming_the_key(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_inventory_settings_parse() -> None:
    config = Config.from_dict(MIXED_CONFIG)
    assert config.security.domains == ("kemenkeu.go.id",)
    assert config.admins["budi"].phone == "+6281211112222"
    assert config.admins["ayu"].roles == (("owner", "*"), ("author", "*"))
    acct = config.accounts["djp_ig"]
    assert acct.inventory.two_factor == "sms" and acct.inventory.recovery_phone == "+6281211112222"
    assert config.accounts["kemenkeu_ri"].inventory.approvers == ("budi",)
    assert config.account("unknown").approvals == config.security.approvals


def _state(store: Store) -> dict[str, Any]:
    with store.session() as s:
        accounts = {
            a.name: (a.two_factor, a.handle, a.source)
            for a in s.execute(select(SecAccount)).scalars()
        }
        admins = {a.id: a for a in s.execute(select(SecAdmin)).scalars()}
        roles = sorted(
            (admins[r.admin_id].name, r.account, r.role, r.source)
            for r in s.execute(select(SecRole)).scalars()
        )
        return {
            "accounts": accounts,
            "admins": {a.name: (a.status, a.source) for a in admins.values()},
            "roles": roles,
        }


def test_sync_copies_the_file_and_is_idempotent(store: Store) -> None:
    state = _state(store)
    assert state["accounts"] == {
        "kemenkeu_ri": ("totp", "@KemenkeuRI", "config"),
        "djp_ig": ("sms", None, "config"),
    }
    assert set(state["admins"]) == {"ayu", "budi", "citra"}
    assert ("budi", "kemenkeu_ri", "approver", "config") in state["roles"]
    assert ("ayu", "*", "owner", "config") in state["roles"]
    assert sync.sync_inventory(store, now=T0) == []
    assert [a for a, _, _ in audit_actions(store)].count("inventory.synced") == 1


def test_the_file_wins_for_what_it_sets_and_the_cli_for_the_rest(
    db: Database, store: Store
) -> None:
    with pytest.raises(InventoryError, match=r"accounts.djp_ig.two_factor is set in smguard.toml"):
        accounts.update_account(store, "djp_ig", {"two_factor": "totp"}, actor="t")
    accounts.update_account(store, "djp_ig", {"handle": "@djp"}, actor="t")  # not in the file
    accounts.add_account(store, "bank_tiktok", {"platform": "tiktok"}, actor="t")
    admins.add_admin(store, "dodi", {"email": "dodi@kemenkeu.go.id"}, actor="t")
    admins.grant(store, "dodi", "author", "djp_ig", actor="t")
    with pytest.raises(InventoryError, match=r"comes from smguard\.toml"):
        admins.revoke(store, "budi", "approver", "kemenkeu_ri", actor="t")

    # The file changes: a field, a role moved from budi to citra.
    changed = {
        **MIXED_CONFIG,
        "accounts": {
            **MIXED_CONFIG["accounts"],
            "djp_ig": {**MIXED_CONFIG["accounts"]["djp_ig"], "two_factor": "security_key"},
            "kemenkeu_ri": {**MIXED_CONFIG["accounts"]["kemenkeu_ri"], "approvers": ["citra"]},
        },
    }
    st = make_store(db, changed)
    changes = sync.sync_inventory(st, now=T0)
    assert "account djp_ig: two_factor from smguard.toml" in changes
    state = _state(st)
    assert state["accounts"]["djp_ig"] == ("security_key", "@djp", "config")
    assert state["accounts"]["bank_tiktok"][2] == "cli"
    assert ("budi", "kemenkeu_ri", "approver", "config") not in state["roles"]
    assert ("citra", "kemenkeu_ri", "approver", "config") in state["roles"]
    assert ("dodi", "djp_ig", "author", "cli") in state["roles"]  # CLI grants survive a sync


def test_an_unknown_admin_in_the_file_is_one_clear_line(db: Database) -> None:
    config = {"accounts": {"x": {"owners": ["ghost"]}}}
    with pytest.raises(InventoryError, match=r"accounts.x: no admin named 'ghost'"):
        sync.sync_inventory(make_store(db, config), now=T0)


def test_departure_lists_what_they_could_reach_and_revokes_it(store: Store) -> None:
    ayu, _ = enrol(store, "ayu")
    budi, _ = enrol(store, "budi")
    vault.add_seed(
        store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP
    )
    # budi's phone is the recovery phone of djp_ig (see MIXED_CONFIG).
    admins.grant(store, "budi", "author", "kemenkeu_ri", actor="t")
    report = departure.depart(store, "budi", actor="security", now=T0 + 2 * STEP)
    assert report.roles == [("kemenkeu_ri", "approver"), ("kemenkeu_ri", "author")]
    assert report.vault_accounts == ["kemenkeu_ri"]  # author is a vault role
    assert report.recovery == [("djp_ig", "phone")]
    assert report.config_roles == [("kemenkeu_ri", "approver")]
    assert report.had_totp and report.backup_codes_left == 4
    assert report.seeds_seen == []

    ayu_report = departure.depart(store, "ayu", actor="security", now=T0 + 2 * STEP)
    assert ayu_report.seeds_seen == ["kemenkeu_ri"]
    assert ayu_report.vault_accounts == ["kemenkeu_ri"]  # global owner: every seeded account

    with pytest.raises(Refused):
        second_factor.verify(store, "budi", code(budi, T0, 3), now=T0 + 3 * STEP)
    again = departure.depart(store, "budi", actor="security")
    assert again.again and again.roles == [] and not again.had_totp
    status = {s.admin: s for s in enrolment.status(store)}
    assert not status["budi"].enrolled and status["budi"].backup_codes_left == 0
    events = [(a, d) for a, _, d in audit_actions(store) if a == "admin.departed"]
    assert events[0][1]["recovery"] == [["djp_ig", "phone"]]


def test_departure_is_sticky_until_reactivated(db: Database, store: Store) -> None:
    departure.depart(store, "citra", actor="security", now=T0)
    sync.sync_inventory(store, now=T0)  # the file still says citra is active
    state = _state(store)
    assert state["admins"]["citra"][0] == "departed"
    # The file's roles come back, but inert: a departed admin holds nothing.
    assert ("citra", "kemenkeu_ri", "author", "config") in state["roles"]
    with store.session() as s:
        citra = inventory.admin_row(s, "citra")
        assert not inventory.has_role(s, citra, "kemenkeu_ri", ["author"])
    with pytest.raises(InventoryError, match="reactivate"):
        admins.grant(store, "citra", "owner", None, actor="t")
    departure.reactivate(store, "citra", actor="security")
    with store.session() as s:
        assert inventory.has_role(s, inventory.admin_row(s, "citra"), "kemenkeu_ri", ["author"])


def test_departed_in_the_file_departs_at_sync(db: Database, store: Store) -> None:
    enrol(store, "budi")
    config = {**MIXED_CONFIG, "admins": {**MIXED_CONFIG["admins"], "budi": {"status": "departed"}}}
    changes = sync.sync_inventory(make_store(db, config), now=T0 + STEP)
    assert "admin budi departed (smguard.toml)" in changes
    assert {s.admin: s.enrolled for s in enrolment.status(store)}["budi"] is False
