"""Admins' TOTP with real pyotp codes and a controlled clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import hmac
import os
from datetime import timedelta
from typing import Any

import pytest

from smguard.records.store import Store
from smguard.security import totp
from smguard.security.backup_codes import hash_backup_code, verify_backup_hash
from smguard.security.enrolment import activate, enroll, regenerate_backup_codes, status
from smguard.security.errors import Refused
from smguard.security.second_factor import verify
from tests.support.security import STEP, T0, audit_actions, code, enrol, seed_of


def test_enrolment_is_pending_until_the_first_correct_code(store: Store) -> None:
    enrolment = enroll(store, "budi", now=T0)
    assert enrolment.uri.startswith("otpauth://totp/smguard:budi?")
    assert "issuer=smguard" in enrolment.uri
    seed = seed_of(enrolment.uri)
    assert seed not in repr(enrolment)
    # Not active yet: a correct code is refused for anything but activation.
    with pytest.raises(Refused, match="has not set up two-factor"):
        verify(store, "budi", code(seed, T0), now=T0)
    with pytest.raises(Refused, match="wrong code"):
        activate(store, "budi", "000000" if code(seed, T0) != "000000" else "111111", now=T0)
    backups = activate(store, "budi", code(seed, T0), now=T0)
    assert len(backups) == 4 and len(set(backups)) == 4  # [security] backup_codes
    assert all(len(b) == 11 and b[5] == "-" for b in backups)
    assert verify(store, "budi", code(seed, T0 + STEP), now=T0 + STEP).method == "totp"
    actions = [a for a, _, _ in audit_actions(store)]
    assert "2fa.enrolment_started" in actions and "2fa.activated" in actions


def test_one_step_of_drift_is_accepted_and_no_more(store: Store) -> None:
    seed, _ = enrol(store, "budi")
    for n, steps in enumerate([-1, 0, 1]):
        now = T0 + (10 + 10 * n) * STEP
        assert verify(store, "budi", code(seed, now, steps), now=now).step is not None
    for n, steps in enumerate([-2, 2, 5]):
        now = T0 + (100 + 10 * n) * STEP
        with pytest.raises(Refused, match="wrong code"):
            verify(store, "budi", code(seed, now, steps), now=now)


def test_a_used_code_is_refused_as_a_replay(store: Store) -> None:
    seed, _ = enrol(store, "budi")
    now = T0 + 4 * STEP
    verify(store, "budi", code(seed, now), now=now)
    with pytest.raises(Refused, match="already used"):
        verify(store, "budi", code(seed, now), now=now + timedelta(seconds=5))
    # An older (still in the drift window) code after a newer one is a replay too.
    with pytest.raises(Refused, match="already used"):
        verify(store, "budi", code(seed, now, -1), now=now)
    # The next step's code is fine (and resets the failure count).
    assert verify(store, "budi", code(seed, now, 1), now=now).step is not None
    # The activation code itself cannot be used again.
    with pytest.raises(Refused, match="already used"):
        verify(store, "budi", code(seed, T0), now=T0)
    reasons = [d.get("reason") for a, _, d in audit_actions(store) if a == "2fa.failed"]
    assert reasons == ["replay", "replay", "replay"]


def test_lockout_after_repeated_failures_and_its_expiry(store: Store) -> None:
    seed, _ = enrol(store, "budi")  # lockout_after = 3, lockout_minutes = 10 in MIXED_CONFIG
    now = T0 + 2 * STEP
    wrong = "000000" if code(seed, now) != "000000" else "111111"
    for _ in range(2):
        with pytest.raises(Refused, match="wrong code"):
            verify(store, "budi", wrong, now=now)
    with pytest.raises(Refused, match="locked out until 08:11 UTC"):
        verify(store, "budi", wrong, now=now)
    # While locked, even the right code (or a backup code) is refused, without being checked.
    with pytest.raises(Refused, match="locked out"):
        verify(store, "budi", code(seed, now), now=now)
    later = now + timedelta(minutes=9)
    with pytest.raises(Refused, match="locked out"):
        verify(store, "budi", code(seed, later), now=later)
    after = now + timedelta(minutes=10, seconds=1)
    assert verify(store, "budi", code(seed, after), now=after).method == "totp"
    actions = [a for a, _, _ in audit_actions(store)]
    assert actions.count("2fa.locked") == 1
    assert actions.count("2fa.locked_attempt") == 2


def test_a_success_resets_the_failure_count(store: Store) -> None:
    seed, _ = enrol(store, "budi")
    now = T0 + 2 * STEP
    wrong = "000000" if code(seed, now) != "000000" else "111111"
    for step in range(4):  # wrong, wrong, right, … never three wrong in a row
        at = now + step * 2 * STEP
        for _ in range(2):
            with pytest.raises(Refused, match="wrong code"):
                verify(store, "budi", wrong, now=at)
        verify(store, "budi", code(seed, at), now=at)


def test_backup_codes_work_once_each(store: Store) -> None:
    seed, backups = enrol(store, "budi")
    now = T0 + STEP
    assert verify(store, "budi", backups[0].upper(), now=now).method == "backup"
    with pytest.raises(Refused, match="wrong code"):
        verify(store, "budi", backups[0], now=now)
    assert verify(store, "budi", backups[1].replace("-", " "), now=now).method == "backup"
    left = {s.admin: s.backup_codes_left for s in status(store, now=now)}
    assert left["budi"] == 2
    # A fresh set needs a code and replaces the old one.
    new = regenerate_backup_codes(store, "budi", code(seed, now), now=now)
    with pytest.raises(Refused):
        verify(store, "budi", backups[2], now=now)
    assert verify(store, "budi", new[0], now=now).method == "backup"


def test_backup_codes_are_stored_hashed() -> None:
    stored = hash_backup_code("abcde-fghjk")
    assert "abcde" not in stored and stored.startswith("scrypt$4096$8$1$")
    assert verify_backup_hash("ABCDE FGHJK", stored)
    assert not verify_backup_hash("abcde-fghjm", stored)
    assert hash_backup_code("abcde-fghjk") != stored  # salted


def test_every_candidate_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(totp.hmac, "compare_digest", spy)
    seed = bytes(range(20))
    import base64

    good = code(base64.b32encode(seed).decode(), T0)
    step, replayed = totp.match_step(seed, good, T0, None)
    assert step == int(T0.timestamp()) // 30 and not replayed
    assert len(calls) == 3  # previous, current and next step, even after the match


def test_rotation_needs_a_current_code_and_switches_on_activation(store: Store) -> None:
    old, old_backups = enrol(store, "budi")
    now = T0 + 2 * STEP
    with pytest.raises(Refused, match="already has two-factor"):
        enroll(store, "budi", now=now)
    rotation = enroll(store, "budi", now=now, code=code(old, now))
    assert rotation.rotation
    new = seed_of(rotation.uri)
    assert new != old
    # The old app keeps working until the new seed is activated.
    later = now + STEP
    verify(store, "budi", code(old, later), now=later)
    even_later = later + STEP
    activate(store, "budi", code(new, even_later), now=even_later)
    last = even_later + STEP
    with pytest.raises(Refused, match="wrong code"):
        verify(store, "budi", code(old, last), now=last)
    with pytest.raises(Refused):
        verify(store, "budi", old_backups[3], now=last)
    assert verify(store, "budi", code(new, last), now=last).method == "totp"


def test_a_lost_phone_is_reset_by_another_owner_with_their_code(store: Store) -> None:
    ayu, _ = enrol(store, "ayu")  # global owner
    budi, _ = enrol(store, "budi")
    citra, _ = enrol(store, "citra")  # author only
    now = T0 + 2 * STEP
    with pytest.raises(Refused, match="not an active owner"):
        enroll(store, "budi", now=now, reset_by="citra", reset_code=code(citra, now))
    with pytest.raises(Refused, match="another person"):
        enroll(store, "ayu", now=now, reset_by="ayu", reset_code=code(ayu, now))
    with pytest.raises(Refused, match="wrong code"):
        enroll(store, "budi", now=now, reset_by="ayu", reset_code=code(budi, now))
    reset = enroll(store, "budi", now=now, reset_by="ayu", reset_code=code(ayu, now))
    assert reset.rotation
    events = audit_actions(store)
    assert ("2fa.enrolment_started", "ayu", {"how": "reset by ayu"}) in events


def test_departed_admins_cannot_enrol_or_verify(store: Store) -> None:
    from smguard.security.departure import depart

    seed, _ = enrol(store, "budi")
    depart(store, "budi", actor="security-officer", now=T0 + STEP)
    with pytest.raises(Refused, match="departed"):
        enroll(store, "budi", now=T0 + 2 * STEP)
    with pytest.raises(Refused):
        verify(store, "budi", code(seed, T0, 2), now=T0 + 2 * STEP)


def test_the_test_clock_is_on_a_step_boundary() -> None:
    assert int(T0.timestamp()) % 30 == 0
    assert os.environ.get("SMGUARD_SECRET_KEY") is None  # conftest cleans the environment


def _race_worker(url: str, given: str, at: Any, barrier: Any, results: Any) -> None:
    """One of two processes presenting the same code at the same moment."""
    from smguard.records.db import Database
    from tests.support.security import MIXED_CONFIG, make_store

    database = Database(url)
    racer = make_store(database, MIXED_CONFIG)
    barrier.wait()
    try:
        verify(racer, "budi", given, now=at)
        results.put("accepted")
    except Refused:
        results.put("refused")
    except Exception as exc:  # a lost race may also surface as a busy database
        results.put(f"error: {type(exc).__name__}")
    finally:
        database.dispose()


@pytest.mark.parametrize("kind", ["totp", "backup"])
def test_two_processes_racing_with_one_code_get_one_acceptance(
    store: Store, db_url: str, kind: str
) -> None:
    """Regression (issue 12): the row lock is a no-op on SQLite; both racers were accepted."""
    import multiprocessing

    seed, backups = enrol(store, "budi")
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        at = T0 + (20 + 5 * round_) * STEP
        given = code(seed, at) if kind == "totp" else backups[round_]
        barrier, results = ctx.Barrier(2), ctx.Queue()
        racers = [
            ctx.Process(target=_race_worker, args=(db_url, given, at, barrier, results))
            for _ in range(2)
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(60)
        outcomes = sorted(results.get(timeout=5) for _ in racers)
        assert outcomes.count("accepted") == 1, outcomes
