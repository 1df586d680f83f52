"""The review desk in a real headless Chromium (Debian's ``chromium``, driven by Playwright),
against the app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import LedgerEntry
from tests.server.conftest import SERVER_CONFIG, live_server
from tests.support.security import KEY, T0, audit_actions, enrol, make_store

CHROMIUM = "/usr/bin/chromium"

DESK_CONFIG: dict[str, Any] = {
    **SERVER_CONFIG,
    "storage": {"store_text": True},
    "server": {**SERVER_CONFIG["server"], "secure_cookies": False},
}


def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture
def desk_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    from smguard.security.sync import sync_inventory

    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    db = Database(f"sqlite:///{tmp_path / 'desk.db'}")
    store = make_store(db, DESK_CONFIG)
    sync_inventory(store, now=T0)
    yield store
    db.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def _next_code(seed: str) -> str:
    """The code of the next 30-second step: accepted (clock drift) and not a replay of the
    sign-in code of this step."""
    return pyotp.TOTP(seed).at(time.time() + 30)


def _sign_in(page: Any, base: str, admin: str, seed: str, lang: str = "en") -> None:
    page.goto(f"{base}/desk/login?lang={lang}")
    page.fill("#admin", admin)
    page.fill("#code", pyotp.TOTP(seed).now())
    page.click("#sign-in")
    page.wait_for_selector("#who")
    assert page.locator("#who").inner_text() == admin


def test_a_held_post_is_approved_from_the_desk_by_a_second_admin(
    desk_store: Store, browser: Any
) -> None:
    from smguard.client import Client
    from smguard.server.app import create_app
    from smguard.server.tokens import create_token

    seeds = {name: enrol(desk_store, name)[0] for name in ("budi", "citra")}
    token = create_token(desk_store, "scheduler", ["check", "record"], actor="test").token
    with live_server(create_app(store=desk_store)) as base:
        # The author's scheduler checks her post: held for review, recorded.
        with Client(base, token) as smg:
            held = smg.check(
                "Promo spesial! Info lengkap: bit.ly/abc123",
                record=True,
                account="kemenkeu_ri",
                author="citra",
            )
        assert held["decision"] == "review"
        check_id = held["check_id"]

        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        # The author cannot approve her own post from the desk either.
        _sign_in(page, base, "citra", seeds["citra"])
        card = page.locator(f"#check-{check_id}")
        card.locator("input.code").first.fill(_next_code(seeds["citra"]))
        card.locator("button.approve").click()
        assert "wrote this post" in page.locator("[role=alert]").inner_text()
        page.locator("header form button").click()  # sign out
        page.wait_for_selector("#sign-in")

        _sign_in(page, base, "budi", seeds["budi"])
        card = page.locator(f"#check-{check_id}")
        marked = card.locator(".post mark")
        assert marked.count() == 1 and "bit.ly/abc123" in marked.inner_text()
        assert "SMG-LINK-001" in (marked.get_attribute("title") or "")
        card.locator("input.code").first.fill(_next_code(seeds["budi"]))
        card.locator("button.approve").click()
        status = page.locator("[role=status]").inner_text()
        assert f"check {check_id} by budi" in status
        assert page.locator(f"#check-{check_id}").count() == 0  # off the queue

        page.goto(f"{base}/desk/audit")
        assert "chain holds" in page.locator("#chain").inner_text()
        assert "check.approved" in page.content()
        page.close()
    assert all(u.startswith(base) for u in fetched)  # nothing from the internet
    with desk_store.session() as s:
        entry = s.execute(select(LedgerEntry).where(LedgerEntry.check_id == check_id)).scalar_one()
        assert entry.approved_by == "budi"
    actions = [(a, actor) for a, actor, _ in audit_actions(desk_store)]
    assert ("desk.signed_in", "budi") in actions
    assert ("check.approved", "budi") in actions and ("post.published", "budi") in actions
    assert ("check.approval_refused", "citra") in actions


def test_an_incident_is_acknowledged_and_resolved_from_the_desk_in_indonesian(
    desk_store: Store, browser: Any
) -> None:
    from smguard.records.incidents import get
    from smguard.server.app import create_app
    from smguard.server.tokens import create_token

    seed = enrol(desk_store, "ayu")[0]
    token = create_token(desk_store, "cms", ["check", "record"], actor="test").token
    with live_server(create_app(store=desk_store)) as base:
        from smguard.client import Client

        with Client(base, token) as smg:
            blocked = smg.check("dasar anjing kamu", record=True, account="kemenkeu_ri")
        number = blocked["incident_id"]
        page = browser.new_page()
        _sign_in(page, base, "ayu", seed, lang="id")
        page.click("text=Insiden")
        page.click(f"a[href='/desk/incidents/{number}']")
        assert page.locator("#status").inner_text() == "open"
        assert page.locator("#acknowledge").inner_text() == "Akui"
        page.click("#acknowledge")
        page.wait_for_selector("#status:text('acknowledged')")
        page.fill("#resolve-reason", "Unggahan ditulis ulang oleh penulis")
        page.click("#resolve")
        page.wait_for_selector("#status:text('resolved')")
        timeline = page.locator("#timeline").inner_text()
        assert "Unggahan ditulis ulang" in timeline
        page.close()
    incident = get(desk_store, number)
    assert (incident.status, incident.acknowledged_by, incident.resolved_by) == (
        "resolved",
        "ayu",
        "ayu",
    )
    actions = [(a, actor) for a, actor, _ in audit_actions(desk_store)]
    assert ("incident.acknowledged", "ayu") in actions and ("incident.resolved", "ayu") in actions
