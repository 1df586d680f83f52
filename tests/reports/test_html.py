"""The HTML report in a real headless Chromium: its charts are drawn, nothing is fetched, no
console errors. Debian's ``chromium`` (``.ci/run`` installs it), driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smguard.records.db import Database
from smguard.records.tables import utcnow
from smguard.reports import build_report
from smguard.reports.demo import create_demo
from smguard.reports.page import render_html
from smguard.reports.period import previous_period
from tests.reports.conftest import make_store

CHROMIUM = "/usr/bin/chromium"


def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return CHROMIUM


@pytest.mark.parametrize("lang", ["en", "id"])
def test_report_opens_offline_with_its_charts(tmp_path: Path, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    store = make_store(db)
    now = utcnow()
    create_demo(store, now=now)
    report = build_report(store, previous_period("week", now, "Asia/Jakarta"))
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report, lang), encoding="utf-8")
    db.dispose()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            fetched: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: fetched.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_selector(".chart .main-svg", timeout=20_000)
            charts = page.locator("[data-chart]")
            assert charts.count() >= 4
            for n in range(charts.count()):  # every chart drew its plot
                assert charts.nth(n).locator(".main-svg").count() >= 1
            heatmap = page.locator('[data-chart="engagement-demo_kemcontoh"]')
            assert heatmap.locator(".hm, .heatmaplayer").count() >= 1
            demo_note = page.locator(".demo").inner_text()
            assert ("DEMO DATA" if lang == "en" else "DATA DEMO") in demo_note
            assert page.locator("html").get_attribute("lang") == lang
            if lang == "en":
                page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert [u for u in fetched if not u.startswith("file:")] == []  # nothing from a network
