"""``smguard audit 2fa`` findings, exit codes and deduplicated incidents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import Incident
from smguard.security import accounts, admins, departure, hygiene, vault
from smguard.security.sync import sync_inventory
from tests.support.security import PLATFORM_SEED, STEP, T0, code, enrol, make_store


def _codes(report: hygiene.HygieneReport) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in report.findings}


def test_a_clean_inventory_exits_zero(db: Database, secret_key: str) -> None:
    config: dict[str, Any] = {
        "organisation": {"domains": ["bank.co.id"]},
        "security": {"backup_codes": 4},
        "admins": {"ani": {"roles": ["owner", "author"]}, "bayu": {"roles": ["approver"]}},
        "accounts": {
            "bank_x": {"two_factor": "totp", "recovery_email": "socmed@bank.co.id"},
            "bank_ig": {"two_factor": "security_key", "recovery_email": "ig@mail.bank.co.id"},
        },
    }
    st = make_store(db, config)
    sync_inventory(st, now=T0)
    ani, _ = enrol(st, "ani")
    enrol(st, "bayu")
    vault.add_seed(st, "bank_x", PLATFORM_SEED, by="ani", code=code(ani, T0, 1), now=T0 + STEP)
    report = hygiene.run_audit(st, now=T0 + timedelta(days=1))
    assert report.findings == () and report.exit_code == 0
    assert report.to_dict()["summary"] == {
        "accounts": 2,
        "admins": 2,
        "critical": 0,
        "warning": 0,
        "info": 0,
    }


def test_warnings_only_exit_one(store: Store) -> None:
    report = hygiene.run_audit(store, now=T0)
    assert report.exit_code == 1
    assert _codes(report) >= {
        ("SMG-2FA-002", "account:djp_ig"),  # SMS only
        ("SMG-2FA-004", "account:kemenkeu_ri"),  # TOTP but no vault seed
        ("SMG-2FA-007", "account:djp_ig"),  # recovery e-mail on gmail.com
        ("SMG-2FA-010", "admin:budi"),  # not enrolled
    }
    assert ("SMG-2FA-008", "account:djp_ig") not in _codes(report)  # ayu owns every account
    assert report.incidents == ()


def test_a_mixed_inventory_finds_everything(store: Store) -> None:
    ayu, _ = enrol(store, "ayu")
    _, budi_backups = enrol(store, "budi")
    vault.add_seed(
        store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP
    )
    from smguard.security import second_factor

    for n, backup in enumerate(budi_backups[:2]):  # 2 of 4 left: below warn_below = 3
        second_factor.verify(store, "budi", backup, now=T0 + (2 + n) * STEP)
    accounts.add_account(store, "legacy_fb", {"two_factor": "none"}, actor="t", now=T0)
    admins.add_admin(store, "eko", {"phone": "081211112222"}, actor="t", now=T0)
    departure.depart(store, "ayu", actor="security", now=T0 + 3 * STEP)

    later = T0 + timedelta(days=400)
    report = hygiene.run_audit(store, now=later)
    found = _codes(report)
    expected = {
        ("SMG-2FA-001", "account:legacy_fb"),  # no 2FA at all: critical
        ("SMG-2FA-002", "account:djp_ig"),
        ("SMG-2FA-005", "account:kemenkeu_ri"),  # the vault seed is 399 days old
        ("SMG-2FA-006", "account:legacy_fb"),  # no recovery contact recorded
        ("SMG-2FA-007", "account:djp_ig"),
        ("SMG-2FA-008", "account:legacy_fb"),  # nobody owns it (ayu left)
        ("SMG-2FA-010", "admin:citra"),
        ("SMG-2FA-011", "admin:budi"),
        ("SMG-2FA-012", "admin:eko"),  # idle 400 days
        ("SMG-2FA-020", "admin:ayu"),  # the file still gives ayu roles
        ("SMG-2FA-023", "account:kemenkeu_ri"),  # ayu added (saw) the seed
        ("SMG-2FA-024", "admin:ayu"),
    }
    assert expected <= found, expected - found
    assert ("SMG-2FA-003", "account:legacy_fb") not in found
    assert ("SMG-2FA-010", "admin:ayu") not in found  # departed admins are not asked to enrol
    assert report.exit_code == 2
    by_code = {f.code: f for f in report.findings}
    assert by_code["SMG-2FA-005"].facts == {"age": 399, "max_age": 365}
    for finding in report.findings:
        data = finding.to_dict()
        assert set(data["message"]) == {"en", "id"} and set(data["remediation"]) == {"en", "id"}
        assert "{" not in data["message"]["id"] + data["remediation"]["en"]
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=hygiene.SEVERITY_ORDER.__getitem__)


def test_recovery_contacts_of_departed_admins_are_critical(store: Store) -> None:
    departure.depart(store, "budi", actor="security", now=T0)  # budi's phone recovers djp_ig
    report = hygiene.run_audit(store, now=T0)
    finding = next(f for f in report.findings if f.code == "SMG-2FA-022")
    assert (finding.subject, finding.admin, finding.facts) == (
        "account:djp_ig",
        "budi",
        {"kind": "phone"},
    )
    assert finding.severity == "critical" and report.exit_code == 2


def test_critical_findings_open_one_incident_each_and_a_daily_rerun_does_not_flood(
    store: Store,
) -> None:
    accounts.add_account(store, "legacy_fb", {"two_factor": "none"}, actor="t", now=T0)
    departure.depart(store, "budi", actor="security", now=T0)
    first = hygiene.run_audit(store, now=T0)
    critical = [f for f in first.findings if f.severity == "critical"]
    assert len(first.incidents) == len(critical) >= 2
    second = hygiene.run_audit(store, now=T0 + timedelta(days=1))
    assert sorted(second.incidents) == sorted(first.incidents)
    with store.session() as s:
        incidents = list(s.execute(select(Incident)).scalars())
    assert len(incidents) == len(critical)
    assert {i.kind for i in incidents} == {"twofa_hygiene"}
    assert all(i.sightings == 2 for i in incidents)
    keys = {i.dedupe_key for i in incidents}
    assert "twofa_hygiene:SMG-2FA-001:account:legacy_fb" in keys
    assert hygiene.run_audit(store, now=T0, open_incidents=False).incidents == ()


def test_every_finding_is_documented_with_its_severity() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "accounts-and-2fa.md").read_text(
        encoding="utf-8"
    )
    for code_, (severity, message, remediation) in hygiene.CHECKS.items():
        assert f"| {code_} | {severity} |" in doc, f"docs/accounts-and-2fa.md lacks {code_}"
        assert set(message) == set(remediation) == {"en", "id"}


def test_security_doc_links_resolve() -> None:
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    for page in ("accounts-and-2fa.md", "security-model.md"):
        text = re.sub(r"```.*?```", "", (docs / page).read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            assert "://" in target or (docs / target).exists(), f"{page}: {target}"
