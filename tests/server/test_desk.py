"""The review desk without a browser: sessions, CSRF, lockout, the pages' languages."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from smguard.records.store import Store
from tests.support.security import audit_actions, enrol


@pytest.fixture
def desk(store: Store, app: Any) -> Any:
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as c:
        yield c


def _login_csrf(client: Any, lang: str = "en") -> str:
    page = client.get(f"/desk/login?lang={lang}")
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _sign_in(client: Any, admin: str, code: str, lang: str = "en") -> Any:
    csrf = _login_csrf(client, lang)
    return client.post(
        "/desk/login", data={"csrf": csrf, "admin": admin, "code": code, "lang": lang}
    )


def test_pages_need_a_session(desk: Any) -> None:
    for path in ("/desk/queue", "/desk/incidents", "/desk/audit", "/desk/report"):
        answer = desk.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/desk/login"


def test_sign_in_needs_the_admins_own_code_and_locks_out_like_the_cli(
    desk: Any, store: Store
) -> None:
    seed = enrol(store, "budi")[0]
    for _ in range(3):  # lockout_after = 3 in the test configuration
        answer = _sign_in(
            desk, "budi", "000000" if pyotp.TOTP(seed).now() != "000000" else "111111"
        )
        assert answer.status_code == 303 and "error=" in answer.headers["location"]
    locked = _sign_in(desk, "budi", pyotp.TOTP(seed).now())
    assert "locked" in locked.headers["location"]
    assert "smguard_desk" not in locked.cookies
    actions = [a for a, _, _ in audit_actions(store)]
    assert actions.count("2fa.failed") == 3 and "2fa.locked" in actions


def test_a_form_without_the_csrf_token_changes_nothing(desk: Any, store: Store) -> None:
    seed = enrol(store, "budi")[0]
    # Signing in without the login form's token is refused.
    refused = desk.post("/desk/login", data={"admin": "budi", "code": pyotp.TOTP(seed).now()})
    assert refused.status_code == 403
    signed = _sign_in(desk, "budi", pyotp.TOTP(seed).now())
    assert signed.status_code == 303 and signed.headers["location"] == "/desk/queue"
    queue = desk.get("/desk/queue")
    assert queue.status_code == 200 and "budi" in queue.text
    before = len(audit_actions(store))
    forged = desk.post("/desk/incidents/1/acknowledge", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert len(audit_actions(store)) == before
    assert queue.headers["x-frame-options"] == "DENY"


def test_the_desk_speaks_indonesian(desk: Any, store: Store) -> None:
    seed = enrol(store, "budi")[0]
    login = desk.get("/desk/login?lang=id")
    assert "Masuk" in login.text and 'lang="id"' in login.text
    _sign_in(desk, "budi", pyotp.TOTP(seed).now(), lang="id")
    page = desk.get("/desk/queue")
    assert "Unggahan ditahan" in page.text and "Tidak ada yang menunggu tinjauan." in page.text
    report = desk.get("/desk/report")
    assert report.status_code == 200 and 'lang="id"' in report.text
    audit = desk.get("/desk/audit")
    assert "Rantai log audit utuh" in audit.text and "Kebersihan 2FA" in audit.text


def test_highlight_marks_every_span_and_escapes_the_text() -> None:
    from smguard.server.html import highlight

    text = "<b>beli</b> di bit.ly/x sekarang"
    findings = [
        {"rule": "A", "span": [15, 23], "message": {"en": "link"}},
        {"rule": "B", "span": [18, 21], "message": {"en": "inside"}},
        {"rule": "C", "span": None},
    ]
    out = highlight(text, findings, "en")
    assert out.count("<mark") == 1 and "&lt;b&gt;" in out
    assert '<mark title="A: link; B: inside">bit.ly/x</mark>' in out
