"""Account-watch detectors on made-up events, stored in SQLite and PostgreSQL.

Every event is made up: addresses come from the documentation ranges (203.0.113.x,
198.51.100.x), accounts and people are invented.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smguard.config import Config
from smguard.guard.engine import Guard
from smguard.records.db import Database
from smguard.records.incidents import Incident, get, list_incidents
from smguard.records.ledger import record_publication
from smguard.records.store import Store
from smguard.types import ActivityEvent
from smguard.watch.events import store_events
from smguard.watch.pipeline import DetectionResult, process_events

ACCOUNT = "kemcontoh"
#: Monday 1 June 2026, 03:00 UTC = 10:00 WIB = 11:00 WITA.
T0 = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
_ids = itertools.count(1)

BASE_CONFIG: dict[str, Any] = {
    "accounts": {
        ACCOUNT: {"platform": "mastodon", "timezone": "Asia/Jakarta", "language": "id"},
        "kemtimur": {"platform": "x", "timezone": "Asia/Makassar", "language": "id"},
    },
    # The ledger is complete from May on: every later post is judged by it.
    "detectors": {"since": datetime(2026, 5, 1, tzinfo=UTC)},
}


@pytest.fixture(scope="module")
def guard() -> Guard:
    """One guard for the module: building it reads every rule pack (about a second)."""
    return Guard(Config.from_dict(BASE_CONFIG))


def make_store(db: Database, extra: dict[str, Any] | None = None) -> Store:
    config: dict[str, Any] = {k: dict(v) for k, v in BASE_CONFIG.items()}
    for key, value in (extra or {}).items():
        if key == "accounts":
            config["accounts"] = {**config["accounts"], **value}
        else:
            config[key] = value
    return Store(Config.from_dict(config), db)


@pytest.fixture
def store(db: Database) -> Iterator[Store]:
    yield make_store(db)


def ev(kind: str, at: datetime = T0, account: str = ACCOUNT, **fields: Any) -> ActivityEvent:
    return ActivityEvent(
        id=f"test:{account}:{next(_ids)}",
        account=account,
        platform=fields.pop("platform", "mastodon"),
        kind=kind,
        at=at,
        source="test",
        **fields,
    )


def run(
    store: Store, guard: Guard, events: Sequence[ActivityEvent], **kw: Any
) -> list[DetectionResult]:
    """What a connector does: store the events, then hand the new ones to the detectors."""
    new = store_events(store, events)
    return process_events(store, new, guard=guard, **kw)


def incidents(store: Store, **kw: Any) -> list[Incident]:
    return list_incidents(store, **kw)


def detectors_of(incident: Incident) -> list[str]:
    return [d["detector"] for d in incident.evidence["detections"]]


# -- live posts --------------------------------------------------------------------------------

APPROVED = (
    "Selamat pagi, Sobat! Layanan pajak buka pukul 08.00 WIB. Info: https://www.pajak.go.id/layanan"
)
PORN_PHISH = (
    "Video viral bokep terbaru gratis! Klik https://bca-verifikasi.com/login sekarang "
    "sebelum dihapus"
)


def _approve(store: Store, text: str, account: str = ACCOUNT) -> None:
    record_publication(store, account=account, approved_by="ayu", text=text, platform="mastodon")


def test_a_post_in_the_ledger_is_not_reported_even_as_mastodon_html(
    store: Store, guard: Guard
) -> None:
    _approve(store, APPROVED)
    html = (
        '<p>Selamat pagi, Sobat! Layanan pajak buka pukul 08.00 WIB. Info: <a href="https://'
        'www.pajak.go.id/layanan" rel="nofollow noopener noreferrer" target="_blank"><span '
        'class="invisible">https://www.</span><span class="">pajak.go.id/layanan</span><span '
        'class="invisible"></span></a></p>'
    )
    assert run(store, guard, [ev("post_published", text=html)]) == []
    assert incidents(store) == []


def test_whitespace_and_emoji_variants_do_not_make_a_post_unauthorised(
    store: Store, guard: Guard
) -> None:
    _approve(store, "Terima kasih, Sobat ❤️ Sampai jumpa besok!")
    assert (
        run(
            store, guard, [ev("post_published", text="Terima  kasih, Sobat ❤\nSampai jumpa besok!")]
        )
        == []
    )


def test_x_links_behind_t_co_are_expanded_before_the_ledger_is_asked(
    store: Store, guard: Guard
) -> None:
    _approve(store, "Cek jadwal layanan: https://pajak.go.id/jadwal", account="kemtimur")
    tweet = "Cek jadwal layanan: https://t.co/AbC123xyz"
    expanded = ev(
        "post_published",
        account="kemtimur",
        platform="x",
        text=tweet,
        raw={"link_expansions": {"https://t.co/AbC123xyz": "https://pajak.go.id/jadwal"}},
    )
    by_links = ev(
        "post_published",
        account="kemtimur",
        platform="x",
        text=tweet,
        links=("https://pajak.go.id/jadwal",),
    )
    assert run(store, guard, [expanded, by_links]) == []
    # Without any expansion the link could go anywhere: that post is not the approved one.
    found = run(store, guard, [ev("post_published", account="kemtimur", platform="x", text=tweet)])
    assert [r.kind for r in found] == ["unauthorized_post"]


def test_an_unapproved_post_opens_a_high_incident_with_the_containment_checklist(
    store: Store, guard: Guard
) -> None:
    _approve(store, APPROVED)
    post = ev(
        "post_published", text="Promo spesial hari ini untuk Sobat!", url="https://m.example/1"
    )
    [result] = run(store, guard, [post])
    assert (result.kind, result.severity, result.created) == ("unauthorized_post", "high", True)
    assert result.detectors == ("SMG-DET-001",) and result.event_id == post.id
    incident = get(store, result.incident_id)
    evidence = incident.evidence
    assert evidence["event"]["id"] == post.id
    assert evidence["event"]["local_time"] == "2026-06-01 10:00 WIB"
    assert evidence["event"]["url"] == "https://m.example/1"
    facts = evidence["detections"][0]["facts"]
    assert facts["ledger"]["found"] is False and facts["ledger"]["entries_on_account"] == 1
    assert evidence["guard"]["decision"] == "allow"
    # What to do comes right after what happened.
    assert list(evidence)[:3] == ["summary", "containment", "clarification"]
    steps_en, steps_id = evidence["containment"]["en"], evidence["containment"]["id"]
    assert len(steps_en) == len(steps_id) == 7
    assert "password" in steps_en[1] and "kata sandi" in steps_id[1]
    assert f"smguard vault add {ACCOUNT} --as OWNER --replace" in steps_en[3]
    assert evidence["clarification"] == {
        "id": f"smguard clarify draft {incident.id} --lang id",
        "en": f"smguard clarify draft {incident.id} --lang en",
    }
    assert "kemcontoh" in incident.title and "10:00 WIB" in incident.title


def test_an_unapproved_porn_post_is_one_critical_incident_with_both_facts(
    store: Store, guard: Guard
) -> None:
    _approve(store, APPROVED)
    [result] = run(store, guard, [ev("post_published", text=PORN_PHISH)])
    assert (result.kind, result.severity) == ("unauthorized_post", "critical")
    assert result.detectors == ("SMG-DET-001", "SMG-DET-002")
    [incident] = incidents(store)
    assert incident.category == "sexual"
    assert sorted(detectors_of(incident)) == ["SMG-DET-001", "SMG-DET-002"]
    guard_facts = incident.evidence["guard"]
    assert guard_facts["decision"] == "block"
    assert {"sexual", "link"} <= {f["category"] for f in guard_facts["findings"]}
    assert "containment" in incident.evidence


def test_an_approved_post_that_the_guard_blocks_is_still_critical(
    store: Store, guard: Guard
) -> None:
    _approve(store, PORN_PHISH)
    [result] = run(store, guard, [ev("post_published", text=PORN_PHISH)])
    assert (result.kind, result.severity) == ("unsafe_post_published", "critical")
    incident = get(store, result.incident_id)
    assert incident.evidence["detections"][0]["facts"]["approved"] is True
    assert "containment" not in incident.evidence
    assert "clarification" in incident.evidence


def test_a_rerun_adds_nothing_and_a_second_unauthorised_post_is_a_sighting(
    store: Store, guard: Guard
) -> None:
    first = ev("post_published", text="Slot gacor maxwin deposit 10rb", at=T0)
    [opened] = run(store, guard, [first])
    # The same events handed over again (a crashed run picked up, an overlapping poll).
    assert process_events(store, [first], guard=guard) == []
    incident = get(store, opened.incident_id)
    assert incident.sightings == 1 and len(incident.notes) == 1
    second = ev("post_published", text="Link alternatif situs resmi", at=T0 + timedelta(minutes=3))
    [again] = run(store, guard, [second])
    assert again.incident_id == opened.incident_id and again.created is False
    assert get(store, opened.incident_id).sightings == 2
    assert len(incidents(store)) == 1


def test_boosts_are_judged_by_the_guard_only(store: Store, guard: Guard) -> None:
    boost = {"reblog": {"id": "1", "account": "partner"}}
    assert (
        run(store, guard, [ev("post_published", text="Selamat Hari Lahir Pancasila", raw=boost)])
        == []
    )
    [result] = run(store, guard, [ev("post_published", text=PORN_PHISH, raw=boost)])
    assert result.kind == "unsafe_post_published"


def test_posts_before_detectors_since_are_history_only(db: Database, guard: Guard) -> None:
    store = make_store(db, {"detectors": {"since": "2026-06-01T12:00:00+07:00"}})
    old = ev("post_published", text="Posting lama sebelum smguard", at=T0)
    new = ev("post_published", text="Posting baru tanpa izin", at=T0 + timedelta(hours=3))
    results = run(store, guard, [old, new])
    assert [r.event_id for r in results] == [new.id]


# -- logins ------------------------------------------------------------------------------------

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0"


def _usual_logins(n: int = 3, start: datetime = T0 - timedelta(days=3)) -> list[ActivityEvent]:
    return [
        ev(
            "login",
            at=start + timedelta(days=i),
            ip=f"203.0.113.{10 + i}",
            device=CHROME,
            country="ID",
            city="Jakarta",
            latitude=-6.2,
            longitude=106.8,
        )
        for i in range(n)
    ]


def test_new_device_ip_range_and_country_are_one_login_incident(store: Store, guard: Guard) -> None:
    assert run(store, guard, _usual_logins()) == []
    odd = ev(
        "login",
        at=T0 + timedelta(hours=1),
        ip="198.51.100.23",
        device="Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
        country="NL",
        city="Amsterdam",
    )
    [result] = run(store, guard, [odd])
    assert result.kind == "suspicious_login" and result.severity == "high"
    assert result.detectors == ("SMG-DET-010", "SMG-DET-011", "SMG-DET-012")
    incident = get(store, result.incident_id)
    by_id = {d["detector"]: d for d in incident.evidence["detections"]}
    assert by_id["SMG-DET-012"]["facts"]["history"]["known_values"] == ["ID"]
    assert by_id["SMG-DET-011"]["facts"]["ip_range"] == "198.51.100.0/24"
    assert incident.evidence["event"]["ip"] == "198.51.100.23"
    assert incident.dedupe_key.startswith("suspicious_login:kemcontoh:SMG-DET-012:")


def test_a_known_device_ip_and_country_raise_nothing(store: Store, guard: Guard) -> None:
    usual = _usual_logins()
    again = ev(
        "login",
        at=T0 + timedelta(hours=1),
        ip="203.0.113.99",
        device=CHROME.replace("124.0.0.0", "125.0.6422.60"),
        country="ID",
        city="Jakarta",
        latitude=-6.2,
        longitude=106.8,
    )
    assert run(store, guard, [*usual, again]) == []


def test_a_newly_watched_account_does_not_alarm_on_its_first_logins(
    store: Store, guard: Guard
) -> None:
    firsts = [
        ev(
            "login",
            at=T0 + timedelta(hours=i),
            ip=f"198.51.100.{i}",
            device=f"Device {chr(65 + i)}",
        )
        for i in range(3)
    ]
    assert run(store, guard, firsts) == []


def test_impossible_travel_jakarta_to_amsterdam_in_thirty_minutes(
    store: Store, guard: Guard
) -> None:
    jakarta = ev("login", at=T0, ip="203.0.113.7", city="Jakarta", latitude=-6.2, longitude=106.85)
    amsterdam = ev(
        "login",
        at=T0 + timedelta(minutes=30),
        ip="198.51.100.23",
        city="Amsterdam",
        latitude=52.37,
        longitude=4.9,
    )
    [result] = run(store, guard, [jakarta, amsterdam])
    assert result.detectors == ("SMG-DET-013",) and result.severity == "high"
    facts = get(store, result.incident_id).evidence["detections"][0]["facts"]
    assert 11_000 < facts["distance_km"] < 11_700
    assert facts["speed_kmh"] > 20_000 and facts["previous_login"]["event_id"] == jakarta.id


def test_jakarta_to_bandung_in_thirty_minutes_is_possible(store: Store, guard: Guard) -> None:
    jakarta = ev("login", at=T0, city="Jakarta", latitude=-6.2, longitude=106.85)
    bandung = ev(
        "login", at=T0 + timedelta(minutes=30), city="Bandung", latitude=-6.91, longitude=107.61
    )
    assert run(store, guard, [jakarta, bandung]) == []


def test_jakarta_to_amsterdam_in_two_days_is_possible(store: Store, guard: Guard) -> None:
    jakarta = ev("login", at=T0, city="Jakarta", latitude=-6.2, longitude=106.85)
    later = ev("login", at=T0 + timedelta(days=2), city="Amsterdam", latitude=52.37, longitude=4.9)
    assert run(store, guard, [jakarta, later]) == []


def test_off_hours_are_read_in_each_accounts_time_zone(db: Database, guard: Guard) -> None:
    hours = {"working_hours": "08:00-17:00"}
    store = make_store(
        db,
        {"accounts": {ACCOUNT: {**BASE_CONFIG["accounts"][ACCOUNT], **hours},
                      "kemtimur": {**BASE_CONFIG["accounts"]["kemtimur"], **hours}}},
    )  # fmt: skip
    # 00:30 UTC is 07:30 WIB (before work in Jakarta) but 08:30 WITA (at work in Makassar).
    early = T0.replace(hour=0, minute=30)
    wib = ev("login", at=early)
    wita = ev("login", at=early, account="kemtimur", platform="x")
    [result] = run(store, guard, [wib, wita])
    assert (result.event_id, result.detectors, result.severity) == (wib.id, ("SMG-DET-014",), "low")
    evidence = get(store, result.incident_id).evidence
    assert evidence["event"]["local_time"] == "2026-06-01 07:30 WIB"
    assert evidence["detections"][0]["facts"]["working"] == "08:00-17:00"
    assert "07:30 WIB" in evidence["summary"]["en"] and "jam kerja" in evidence["summary"]["id"]


def test_off_hours_without_working_hours_means_quiet_hours(store: Store, guard: Guard) -> None:
    night = ev("login", at=T0.replace(hour=19))  # 02:00 WIB, in the default quiet hours 00-05
    day = ev("login", at=T0)  # 10:00 WIB
    change = ev("profile_change", at=T0.replace(hour=20, minute=30))  # 03:30 WIB
    results = run(store, guard, [day, night, change])
    assert [(r.event_id, r.kind) for r in results] == [
        (night.id, "suspicious_login"),
        (change.id, "account_change"),
    ]
    assert "SMG-DET-014" in results[1].detectors and "SMG-DET-033" in results[1].detectors


def test_working_days_make_a_saturday_login_off_hours(db: Database, guard: Guard) -> None:
    account = {**BASE_CONFIG["accounts"][ACCOUNT], "working_hours": "08:00-17:00",
               "working_days": ["mon", "tue", "wed", "thu", "fri"]}  # fmt: skip
    store = make_store(db, {"accounts": {ACCOUNT: account}})
    saturday = ev("login", at=T0 + timedelta(days=5))  # Saturday 6 June, 10:00 WIB
    monday = ev("login", at=T0)
    assert [r.event_id for r in run(store, guard, [monday, saturday])] == [saturday.id]


def test_a_burst_of_logins_is_reported_once(store: Store, guard: Guard) -> None:
    logins = [ev("login", at=T0 + timedelta(minutes=2 * i)) for i in range(6)]
    [result] = run(store, guard, logins)
    assert result.event_id == logins[4].id and result.detectors == ("SMG-DET-022",)
    facts = get(store, result.incident_id).evidence["detections"][0]["facts"]
    assert facts["count"] == 5 and facts["within"] == "10m"


def test_a_burst_of_follows_and_failed_logins(store: Store, guard: Guard) -> None:
    follows = [ev("follow", at=T0 + timedelta(seconds=10 * i)) for i in range(30)]
    failures = [
        ev("login_failed", at=T0 + timedelta(seconds=30 * i), ip="198.51.100.9") for i in range(10)
    ]
    results = run(store, guard, [*follows, *failures])
    assert sorted((r.kind, r.detectors) for r in results) == [
        ("activity_burst", ("SMG-DET-021",)),
        ("suspicious_login", ("SMG-DET-023",)),
    ]


def test_a_burst_of_unauthorised_posts_joins_the_takeover_incident(
    store: Store, guard: Guard
) -> None:
    posts = [
        ev("post_published", at=T0 + timedelta(minutes=i), text=f"Slot gacor RTP live nomor {i}")
        for i in range(10)
    ]
    results = run(store, guard, posts)
    assert {r.incident_id for r in results} == {results[0].incident_id}
    assert "SMG-DET-020" in results[-1].detectors
    assert get(store, results[0].incident_id).sightings == 10


# -- account changes ---------------------------------------------------------------------------


def test_twofa_off_is_high_and_other_twofa_changes_medium(store: Store, guard: Guard) -> None:
    off = ev("twofa_change", at=T0, raw={"enabled": False})
    [result] = run(store, guard, [off])
    assert (result.kind, result.severity) == ("account_change", "high")
    assert result.detectors == ("SMG-DET-030", "SMG-DET-031")
    on = ev("twofa_change", at=T0 + timedelta(hours=1), raw={"enabled": True, "method": "totp"})
    [changed] = run(store, guard, [on])
    assert (changed.severity, changed.detectors, changed.created) == (
        "medium",
        ("SMG-DET-031",),
        True,
    )


def test_recovery_change_is_high(store: Store, guard: Guard) -> None:
    [result] = run(store, guard, [ev("recovery_change", raw={"changed_to": "x@example.net"})])
    assert (result.kind, result.severity, result.detectors) == (
        "account_change", "high", ("SMG-DET-032",),
    )  # fmt: skip
    # The same cause again while the incident is open: a sighting, not a second incident.
    [again] = run(store, guard, [ev("recovery_change", at=T0 + timedelta(hours=2))])
    assert again.incident_id == result.incident_id and not again.created


def test_a_new_app_is_reported_and_the_same_app_again_is_not(store: Store, guard: Guard) -> None:
    app = {"app": {"name": "Free Followers Pro", "permissions": ["read", "write"]}}
    [result] = run(store, guard, [ev("app_authorised", raw=app)])
    assert (result.kind, result.severity, result.detectors) == (
        "account_change", "medium", ("SMG-DET-035",),
    )  # fmt: skip
    assert run(store, guard, [ev("app_authorised", at=T0 + timedelta(days=3), raw=app)]) == []


def test_a_new_admin_is_high(store: Store, guard: Guard) -> None:
    [result] = run(store, guard, [ev("admin_added", raw={"admin": "unknown.person"})])
    assert (result.severity, result.detectors) == ("high", ("SMG-DET-036",))
    assert "unknown.person" in get(store, result.incident_id).title


# -- the vault ---------------------------------------------------------------------------------


@pytest.fixture
def vault_store(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, str]]:
    """``kemenkeu_ri`` with its platform seed in the vault; ayu may take codes."""
    from smguard.security import vault
    from smguard.security.sync import sync_inventory
    from tests.support.security import KEY, MIXED_CONFIG, PLATFORM_SEED, STEP, code, enrol

    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    # The vault records codes at the real time, so these tests run on the clock; the off-hours
    # detector, which the clock meets between 17:00 and 22:00 UTC (night in WIB), is not theirs.
    config = {**MIXED_CONFIG, "detectors": {"disable": ["SMG-DET-014"]}}
    store = Store(Config.from_dict(config), db)
    now = datetime.now(UTC)
    sync_inventory(store, now=now)
    seed, _ = enrol(store, "ayu", at=now)
    vault.add_seed(
        store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(seed, now, 1), now=now + STEP
    )
    yield store, seed


def test_a_login_with_no_vault_code_is_suspicious(
    vault_store: tuple[Store, str], guard: Guard
) -> None:
    store, _ = vault_store
    login = ev(
        "login", account="kemenkeu_ri", platform="x", at=datetime.now(UTC) + timedelta(minutes=5)
    )
    [result] = run(store, guard, [login])
    assert (result.kind, result.severity, result.detectors) == (
        "suspicious_login", "high", ("SMG-DET-015",),
    )  # fmt: skip
    facts = get(store, result.incident_id).evidence["detections"][0]["facts"]
    assert facts["vault"]["codes_in_window"] == 0 and facts["window"] == "10m"


def test_a_login_five_minutes_after_a_vault_code_is_fine(
    vault_store: tuple[Store, str], guard: Guard
) -> None:
    from smguard.security import vault
    from tests.support.security import STEP, code

    store, seed = vault_store
    now = datetime.now(UTC)
    vault.issue_code(store, "kemenkeu_ri", admin="ayu", code=code(seed, now, 2), now=now + 2 * STEP)
    login = ev("login", account="kemenkeu_ri", platform="x", at=now + timedelta(minutes=5))
    assert run(store, guard, [login]) == []
    # Twenty minutes later the code no longer covers a login.
    late = ev("login", account="kemenkeu_ri", platform="x", at=now + timedelta(minutes=20))
    [result] = run(store, guard, [late])
    facts = get(store, result.incident_id).evidence["detections"][0]["facts"]
    assert facts["vault"]["last_code_before"]["admin"] == "ayu"


def test_no_seed_in_the_vault_means_no_vault_detector(store: Store, guard: Guard) -> None:
    assert run(store, guard, [ev("login", at=T0)]) == []


# -- robustness and tuning ---------------------------------------------------------------------


def test_a_crashing_detector_is_an_engine_failure_and_the_others_still_run(
    db: Database, guard: Guard
) -> None:
    from smguard import hookimpl
    from smguard.manager import get_plugin_manager
    from smguard.watch.detectors import Detector

    class Broken(Detector):
        id = "TEST-DET-999"
        name = "broken"
        kinds = frozenset({"recovery_change"})

        def detect(self, event: Any, ctx: Any) -> Any:
            raise RuntimeError("boom")

    class Plugin:
        @hookimpl
        def register_detectors(self, register: Any) -> None:
            register(Broken())

    pm = get_plugin_manager()
    pm.register(Plugin(), name="broken-detector")
    store = Store(Config.from_dict(BASE_CONFIG), db, pm=pm)
    results = run(store, guard, [ev("recovery_change")])
    assert sorted(r.kind for r in results) == ["account_change", "engine_failure"]
    failure = next(i for i in incidents(store) if i.kind == "engine_failure")
    assert failure.evidence["error"] == "RuntimeError: boom" and failure.category == "integrity"


def test_disabled_and_tuned_detectors(db: Database, guard: Guard) -> None:
    store = make_store(
        db,
        {"detectors": {"disable": ["SMG-DET-033"], "SMG-DET-022": {"count": 3, "level": "high"}}},
    )
    assert run(store, guard, [ev("profile_change")]) == []
    logins = [ev("login", at=T0 + timedelta(minutes=i)) for i in range(3)]
    [result] = run(store, guard, logins)
    assert (result.detectors, result.severity) == (("SMG-DET-022",), "high")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"nonsense": 1}, "detectors.nonsense: unknown setting"),
        ({"disable": ["SMG-DET-999"]}, "detectors.disable: unknown detector id SMG-DET-999"),
        ({"SMG-DET-999": {"level": "high"}}, "detectors.SMG-DET-999: unknown detector id"),
        ({"SMG-DET-020": {"level": "hgh"}}, "detectors.SMG-DET-020.level: 'hgh' is not a severity"),
        (
            {"SMG-DET-020": {"within": "soon"}},
            "detectors.SMG-DET-020.within: 'soon' is not a duration",
        ),
        ({"SMG-DET-020": {"count": 1}}, "detectors.SMG-DET-020.count: must be at least 2"),
        (
            {"SMG-DET-020": {"speed": 1}},
            "detectors.SMG-DET-020.speed: unknown setting (known: count, level, within)",
        ),
        (
            {"SMG-DET-013": {"speed_kmh": "fast"}},
            "detectors.SMG-DET-013.speed_kmh: must be a positive number",
        ),
        (
            {"SMG-DET-014": {"kinds": ["tweet"]}},
            "detectors.SMG-DET-014.kinds[0]: 'tweet' is not an event kind",
        ),
        ({"since": "2026-06-01"}, "detectors.since: must be a time with its zone"),
        ({"paths": ["./nowhere"]}, "detectors.paths: file or folder not found"),
    ],
)
def test_bad_detector_settings_are_one_line_errors_naming_the_key(
    table: dict[str, Any], message: str
) -> None:
    from smguard.errors import ConfigError
    from smguard.watch.detectorset import load_detectors

    with pytest.raises(ConfigError) as caught:
        load_detectors(Config.from_dict({"detectors": table}))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_working_hours_settings_are_validated() -> None:
    from smguard.errors import ConfigError

    for table, message in (
        ({"working_hours": "9-5"}, "accounts.a.working_hours: '9' is not a time like 07:30"),
        ({"working_hours": 9}, 'accounts.a.working_hours: must look like "07:00-19:00"'),
        ({"working_days": ["senin"]}, "accounts.a.working_days: 'senin' is not a day"),
    ):
        with pytest.raises(ConfigError, match=message):
            Config.from_dict({"accounts": {"a": table}})


def test_an_image_only_post_is_matched_by_its_url_not_its_empty_text(
    store: Store, guard: Guard
) -> None:
    from smguard.guard.fingerprint import fingerprint

    record_publication(
        store,
        account=ACCOUNT,
        approved_by="ayu",
        fingerprint=fingerprint(""),
        url="https://mastodon.example/@kemcontoh/111",
    )
    ours = ev("post_published", text="<p></p>", url="https://mastodon.example/@kemcontoh/111/")
    assert run(store, guard, [ours]) == []
    theirs = ev("post_published", text="", url="https://mastodon.example/@kemcontoh/112")
    [result] = run(store, guard, [theirs])
    assert result.kind == "unauthorized_post"


def test_history_is_read_once_per_account_and_kind_for_a_whole_batch(
    store: Store, guard: Guard
) -> None:
    from smguard.watch.events import recent_events

    calls: list[tuple[str, tuple[str, ...]]] = []

    def fetch(
        account: str, kinds: Sequence[str], since: datetime, until: datetime
    ) -> list[ActivityEvent]:
        calls.append((account, tuple(kinds)))
        return recent_events(store, account, kinds=kinds, since=since, until=until)

    events = [
        ev(kind, at=T0 + timedelta(seconds=20 * i), ip=f"203.0.113.{i % 7}", device="Chrome")
        for i, kind in enumerate(["login", "follow", "login_failed", "app_authorised"] * 150)
    ]
    process_events(store, store_events(store, events), guard=guard, history=fetch)
    assert len(calls) == len(set(calls)) and {k for _, k in calls} == {
        ("login",), ("follow",), ("login_failed",), ("app_authorised",), ("post_published",),
    }  # fmt: skip


def test_two_watchers_with_the_same_events_report_them_once(db_url: str, guard: Guard) -> None:
    import threading

    stores = [make_store(Database(db_url)) for _ in range(2)]
    try:
        post = ev("post_published", text="Slot gacor maxwin hari ini")
        new = store_events(stores[0], [post])
        results: list[list[DetectionResult]] = []
        barrier = threading.Barrier(2)

        def work(st: Store) -> None:
            barrier.wait()
            results.append(process_events(st, new, guard=guard))

        threads = [threading.Thread(target=work, args=(st,)) for st in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(len(r) for r in results) == [0, 1]
        [incident] = incidents(stores[0])
        assert incident.sightings == 1
    finally:
        for st in stores:
            st.db.dispose()


def test_without_since_posts_older_than_the_ledger_are_history(db: Database, guard: Guard) -> None:
    config = {k: v for k, v in BASE_CONFIG.items() if k != "detectors"}
    store = Store(Config.from_dict(config), db)
    old = ev("post_published", at=T0, text="Selamat Hari Lahir Pancasila, Sobat!")
    # Nothing in the ledger yet: the ledger cannot vouch for any post, so none is unauthorised.
    assert run(store, guard, [old]) == []
    record_publication(
        store, account=ACCOUNT, approved_by="ayu", text="Jadwal vaksinasi minggu ini",
        platform="mastodon", published_at=T0 + timedelta(days=1),
    )  # fmt: skip
    older = ev("post_published", at=T0 + timedelta(hours=2), text="Info lama, sebelum smguard")
    newer = ev("post_published", at=T0 + timedelta(days=2), text="Info baru tanpa persetujuan")
    found = run(store, guard, [older, newer])
    assert [r.kind for r in found] == ["unauthorized_post"]
    assert len(incidents(store)) == 1
    assert found[0].event_id == newer.id


def test_a_content_warning_is_checked_with_the_post(store: Store, guard: Guard) -> None:
    body = "<p>Info lengkap di tautan berikut.</p>"
    _approve(store, body)
    hidden = ev("post_published", text=body, raw={"spoiler_text": PORN_PHISH})
    [result] = run(store, guard, [hidden])
    assert (result.kind, result.severity) == ("unsafe_post_published", "critical")
    assert run(store, guard, [ev("post_published", text=body, raw={"spoiler_text": "Info"})]) == []


def test_x_retweets_are_judged_by_the_guard_only_and_quotes_by_the_ledger(
    store: Store, guard: Guard
) -> None:
    def x_post(text: str, raw: dict[str, Any]) -> ActivityEvent:
        return ev("post_published", account="kemtimur", platform="x", text=text, raw=raw)

    retweet = {"retweet": {"of": "DinasContoh"}}
    assert run(store, guard, [x_post("RT @DinasContoh: Jadwal vaksinasi pekan ini", retweet)]) == []
    [unsafe] = run(store, guard, [x_post(f"RT @DinasContoh: {PORN_PHISH}", retweet)])
    assert unsafe.kind == "unsafe_post_published"
    # a quote post is the account's own words: not in the ledger, so unauthorised
    quote = x_post("Kami dukung langkah ini https://t.co/QuoteAbc12", {})
    assert [r.kind for r in run(store, guard, [quote])] == ["unauthorized_post"]


def _status(**extra: Any) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "created_at": T0.isoformat().replace("+00:00", ".000Z"),
        "account": {"id": "1", "acct": "kemcontoh", "url": "https://mastodon.example/@kemcontoh"},
        "content": "<p>Ikuti survei layanan kami, pilih jawaban Anda.</p>",
        "visibility": "public",
        "media_attachments": [],
        "poll": None,
        **extra,
    }


def test_poll_options_and_image_descriptions_are_checked_live(store: Store, guard: Guard) -> None:
    from smguard.plugins.connectors.mastodon import status_event

    _approve(store, "<p>Ikuti survei layanan kami, pilih jawaban Anda.</p>")
    clean_poll = {"id": "9", "options": [{"title": "Puas", "votes_count": 3},
                                         {"title": "Kurang puas", "votes_count": 1}]}  # fmt: skip
    assert run(store, guard, [status_event(_status(poll=clean_poll), ACCOUNT)]) == []
    scam_poll = {"id": "10", "options": [{"title": "Puas", "votes_count": 0},
                                         {"title": PORN_PHISH, "votes_count": 0}]}  # fmt: skip
    [poll] = run(store, guard, [status_event(_status(poll=scam_poll), ACCOUNT)])
    assert (poll.kind, poll.severity) == ("unsafe_post_published", "critical")
    image = {"id": "77", "type": "image", "url": "https://files.example/a.png",
             "description": PORN_PHISH}  # fmt: skip
    [alt] = run(store, guard, [status_event(_status(media_attachments=[image]), ACCOUNT)])
    assert alt.kind == "unsafe_post_published"
