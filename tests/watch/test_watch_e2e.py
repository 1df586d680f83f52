"""The account watch end to end, as the motivating incident happened.

A ministry's Mastodon account (a real HTTP server on 127.0.0.1 speaking the statuses API with
``Link`` pagination) has a long history, one post the team approved, and one post nobody approved:
pornographic bait with a link to a bank lookalike. ``smguard watch --once`` must open exactly one
critical unauthorised-post incident, a second run must add nothing, ``smguard alerts deliver
--once`` must deliver one alert to a local webhook, and the team must get the containment
checklist and clarification drafts in Indonesian and English.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.ledger import record_publication
from smguard.records.store import Store
from tests.support.mastodon_server import MastodonServer, mastodon_html

APPROVED = (
    "Selamat pagi, Sobat Pajak! Layanan tatap muka buka pukul 08.00 WIB. Jadwal lengkap: "
    "https://www.pajak.go.id/layanan #InfoPajak"
)
HIJACKED = (
    "Video viral bokep terbaru gratis 18+! Klik https://bca-verifikasi.com/login sekarang "
    "sebelum dihapus"
)
#: When the watch started: the older posts are the account's history, not examined.
WATCH_SINCE = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every JSON body it is sent."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/soc"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _config(server: MastodonServer) -> str:
    return f"""
[guard]
ui_language = "en"

[accounts.kemcontoh]
platform = "mastodon"
handle = "@kemcontoh"
mastodon_url = "{server.url}"
timezone = "Asia/Jakarta"
language = "id"

[watch]
backfill = 100
retries = 0

[detectors]
since = "{WATCH_SINCE.isoformat()}"

[alerts]
allow_private_targets = true
timeout_s = 2

[alerts.sinks.soc]
type = "json"
url_env = "SOC_WEBHOOK_URL"
secret_env = "SOC_WEBHOOK_SECRET"

[clarify]
organisation = "Kementerian Contoh"
contact = "DM @kemcontoh atau call center 1500-000"
"""


@pytest.fixture
def watched(
    tmp_path: Path,
    db_url: str,
    mastodon_server: MastodonServer,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Path, MastodonServer]]:
    server = mastodon_server
    # Forty-five posts from before the watch started: more than one page of the API.
    for n in range(45):
        server.add_status(
            mastodon_html(f"Arsip pengumuman nomor {n} untuk Sobat Pajak"),
            created_at=WATCH_SINCE - timedelta(days=45 - n),
        )
    server.add_status(mastodon_html(APPROVED), created_at=WATCH_SINCE + timedelta(hours=1))
    server.add_status(mastodon_html(HIJACKED), created_at=WATCH_SINCE + timedelta(hours=19))
    config = tmp_path / "smguard.toml"
    config.write_text(_config(server), encoding="utf-8")
    monkeypatch.setenv("SMGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SMGUARD_CONFIG", str(config))
    monkeypatch.setenv("SOC_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("SOC_WEBHOOK_SECRET", "e2e-test-secret")
    monkeypatch.setenv("SMGUARD_ACTOR", "ayu")
    # The team approved and published one post through smguard: it is in the ledger.
    database = Database(db_url)
    try:
        store = Store(Config.load(config), database)
        record_publication(
            store, account="kemcontoh", approved_by="budi", text=APPROVED, platform="mastodon"
        )
    finally:
        database.dispose()
    yield config, server


def smguard(*args: str) -> Result:
    from smguard.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def incidents() -> list[dict[str, Any]]:
    result = smguard("incidents", "list", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)
    return found


def test_watch_opens_one_critical_incident_alerts_once_and_hands_over_the_response(
    watched: tuple[Path, MastodonServer], receiver: Receiver
) -> None:
    _, server = watched

    first = smguard("watch", "--once", "--no-alerts")
    assert first.exit_code == 0, first.output
    assert "47 new" in first.output
    # The first poll paged back through the Link header to read the whole history.
    assert any("max_id" in q for q in server.status_requests())

    [incident] = incidents()
    assert (incident["kind"], incident["severity"]) == ("unauthorized_post", "critical")
    assert incident["status"] == "open" and incident["sightings"] == 1
    evidence = incident["evidence"]
    # The post as a reader saw it (not Mastodon's HTML), with where its link goes.
    assert evidence["event"]["text"] == HIJACKED
    assert evidence["guard"]["decision"] == "block"
    assert evidence["event"]["local_time"] == "2026-06-02 02:00 WIB"
    assert sorted(d["detector"] for d in evidence["detections"]) == ["SMG-DET-001", "SMG-DET-002"]
    assert f"#{incident['id']} opened: critical unauthorized_post" in first.output

    # A second run reads nothing new and adds nothing.
    second = smguard("watch", "--once", "--no-alerts")
    assert second.exit_code == 0, second.output
    assert incidents() == [incident]

    # Nothing is sent until the delivery runs; then exactly one alert.
    assert receiver.bodies == []
    delivered = smguard("alerts", "deliver", "--once")
    assert delivered.exit_code == 0, delivered.output
    assert len(receiver.bodies) == 1
    alert = receiver.bodies[0]
    assert alert["incident"]["id"] == incident["id"]
    assert alert["incident"]["severity"] == "critical"
    assert alert["incident"]["evidence"]["containment"]["id"]
    assert smguard("alerts", "deliver", "--once").exit_code == 0
    assert len(receiver.bodies) == 1

    # The person on duty sees the containment checklist in both languages.
    shown = smguard("incidents", "show", str(incident["id"]))
    assert shown.exit_code == 0, shown.output
    for line in (
        "Remove the post from kemcontoh",
        "Change the account's password",
        "End every other login session",
        "smguard vault add kemcontoh --as OWNER --replace",
        "Check the connected apps",
        "Check the recovery e-mail and phone number",
        "Hapus unggahan itu dari kemcontoh",
        "Segera ganti kata sandi",
        f"smguard clarify draft {incident['id']} --lang id",
        f"smguard clarify draft {incident['id']} --lang en",
    ):
        assert line in shown.output, line

    # Clarification drafts in Indonesian and English work on it.
    in_id = smguard("clarify", "draft", str(incident["id"]), "--lang", "id")
    assert in_id.exit_code == 0, in_id.output
    for phrase in (
        "tidak dibuat dan tidak disetujui oleh Kementerian Contoh",
        "sudah kami hapus",
        "akun sudah kami amankan",
        "mohon maaf",
        "jangan membuka tautannya",
        "jangan mengirim uang",
        "DM @kemcontoh atau call center 1500-000",
    ):
        assert phrase in in_id.output, phrase
    in_en = smguard("clarify", "draft", str(incident["id"]), "--lang", "en")
    assert in_en.exit_code == 0, in_en.output
    for phrase in (
        "did not write or approve",
        "We have removed the post",
        "secured the account",
        "We apologise",
        "do not open its links",
        "do not send money",
    ):
        assert phrase in in_en.output, phrase


def test_a_post_made_after_the_first_run_is_a_sighting_of_the_same_takeover(
    watched: tuple[Path, MastodonServer], receiver: Receiver
) -> None:
    _, server = watched
    assert smguard("watch", "--once").exit_code == 0
    assert len(receiver.bodies) == 1
    server.add_status(
        mastodon_html("Slot gacor maxwin, deposit 10rb, link alternatif situs resmi"),
        created_at=WATCH_SINCE + timedelta(hours=19, minutes=5),
    )
    again = smguard("watch", "--once")
    assert again.exit_code == 0, again.output
    [incident] = incidents()
    assert incident["sightings"] == 2 and incident["severity"] == "critical"
    assert len(receiver.bodies) == 1  # a sighting does not alert again
