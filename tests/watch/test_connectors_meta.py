"""Meta "Download your information" exports: Instagram in English and German, Facebook."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from smguard.plugins.connectors.meta import (
    FacebookConnector,
    InstagramConnector,
    classify_fields,
)

from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource

EXPORTS = Path(__file__).parents[1] / "data" / "exports"
LOGIN_DIR = "security_and_login_information/login_and_account_creation"


def instagram(path: Path) -> list[ActivityEvent]:
    with ExportSource.open(path) as source:
        assert InstagramConnector().recognises(source)
        assert not FacebookConnector().recognises(source)
        return InstagramConnector().read(source, "kem_ig", "instagram")


def facebook(path: Path) -> list[ActivityEvent]:
    with ExportSource.open(path) as source:
        assert FacebookConnector().recognises(source)
        return FacebookConnector().read(source, "kem_fb", "facebook")


def test_instagram_english_export() -> None:
    events = instagram(EXPORTS / "instagram_en")
    assert [(e.kind, e.at, e.ip) for e in events] == [
        ("login", datetime(2024, 3, 5, 8, 12, 44, tzinfo=UTC), "203.0.113.7"),
        ("login", datetime(2024, 3, 7, 19, 40, 2, tzinfo=UTC), "198.51.100.23"),
        ("logout", datetime(2024, 3, 5, 9, 0, tzinfo=UTC), "203.0.113.7"),
        ("password_change", datetime(2024, 3, 7, 19, 45, tzinfo=UTC), "198.51.100.23"),
    ]
    first, second = events[0], events[1]
    assert first.device is not None and first.device.startswith("Instagram 300.0.0.0 Android")
    assert first.raw == {"file": "login_activity.json", "cookie": "****************abc",
                         "language": "id"}  # fmt: skip
    assert second.device is not None and second.device.startswith("Mozilla/5.0 (Windows")
    assert second.raw["port"] == "52011"
    assert second.raw["device_id"] == "3f2a9c1e-0000-4000-8000-00000000beef"
    assert second.raw["cookie"] == "****************xyz"


def test_german_labels_give_the_same_events() -> None:
    """Labels "IP-Adresse", "Sprachcode", "Zeit" (with a localised date as its value), fields in
    another order and a mis-encoded "GerÃ¤te-ID": the same events as the English export."""
    raw = (EXPORTS / "instagram_de" / LOGIN_DIR / "login_activity.json").read_text("utf-8")
    assert "IP-Adresse" in raw and "Sprachcode" in raw and "IP Address" not in raw
    assert instagram(EXPORTS / "instagram_de") == instagram(EXPORTS / "instagram_en")


def test_korean_labels_and_unknown_labels_do_not_matter(tmp_path: Path) -> None:
    entry = {
        "title": "",
        "media_map_data": {},
        "string_map_data": {
            "시간": {"href": "", "value": "", "timestamp": 1709626364},
            "IP 주소": {"href": "", "value": "203.0.113.7", "timestamp": 0},
            "쿠키 이름": {"href": "", "value": "****************abc", "timestamp": 0},
            "언어 코드": {"href": "", "value": "id", "timestamp": 0},
            "사용자 에이전트": {"href": "", "value": "Instagram 300.0.0.0 Android (x)",
                               "timestamp": 0},
        },
    }  # fmt: skip
    (tmp_path / "login_activity.json").write_text(
        json.dumps({"account_history_login_history": [entry]}), encoding="utf-8"
    )
    (event,) = instagram(tmp_path / "login_activity.json")
    assert (event.ip, event.at, event.device) == (
        "203.0.113.7",
        datetime(2024, 3, 5, 8, 12, 44, tzinfo=UTC),
        "Instagram 300.0.0.0 Android (x)",
    )
    assert event.raw["cookie"] == "****************abc" and event.raw["language"] == "id"


def test_values_decide_and_labels_only_break_ties() -> None:
    fields = classify_fields(
        [
            ("Mystery A", "198.51.100.4", 0),
            ("Mystery B", "Mozilla/5.0 (X11; Linux) Firefox/123.0", 0),
            ("Gerät", "device-0001-abc", 0),
            ("Kuki", "cookie-0002-xyz", 0),
            ("Whatever", "", 1709626364),
        ]
    )
    assert fields["ip"] == "198.51.100.4"
    assert fields["user_agent"] == "Mozilla/5.0 (X11; Linux) Firefox/123.0"
    assert fields["cookie"] == "cookie-0002-xyz" and fields["device_id"] == "device-0001-abc"
    assert fields["time"] == datetime(2024, 3, 5, 8, 12, 44, tzinfo=UTC)


def test_instagram_zip_export(tmp_path: Path) -> None:
    target = tmp_path / "instagram-kemcontoh-2024-03-08.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for file in (EXPORTS / "instagram_de").rglob("*.json"):
            zf.write(file, file.relative_to(EXPORTS / "instagram_de").as_posix())
    assert instagram(target) == instagram(EXPORTS / "instagram_en")


def test_html_export_is_refused_with_a_hint() -> None:
    with pytest.raises(ExportError, match=r"HTML format; download it again .* JSON format"):
        instagram(EXPORTS / "instagram_html")


def test_wrong_top_level_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "login_activity.json").write_text('{"something_else": []}', encoding="utf-8")
    with pytest.raises(ExportError, match=r"no 'account_history_login_history' list"):
        instagram(tmp_path / "login_activity.json")


def test_facebook_account_activity_v2_and_logins_and_logouts() -> None:
    events = facebook(EXPORTS / "facebook_v2")
    kinds = [(e.kind, e.at.isoformat(), e.ip) for e in events]
    assert kinds == [
        ("login", "2024-03-05T08:12:44+00:00", "203.0.113.7"),
        ("other", "2024-03-05T09:13:20+00:00", "203.0.113.7"),
        ("password_change", "2024-03-07T19:45:00+00:00", "198.51.100.23"),
        ("login", "2024-03-07T19:40:02+00:00", "198.51.100.23"),
        ("logout", "2024-03-05T12:00:00+00:00", "203.0.113.7"),
    ]
    # The login listed in both files is one event, with the richer account_activity details.
    first = events[0]
    assert first.device == "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0"
    assert (first.city, first.country, first.raw["cookie"]) == ("Bandung", "ID", "AbCdEfGhIjKl")
    assert events[2].city == "München"  # Meta's mis-encoded UTF-8 is repaired
    assert events[1].raw["action"] == "Session updated"


def test_facebook_older_export_and_german_action() -> None:
    (event,) = facebook(EXPORTS / "facebook_old")
    assert (event.kind, event.ip, event.raw["action"]) == ("login", "203.0.113.50", "Anmelden")


def test_facebook_entry_without_timestamp(tmp_path: Path) -> None:
    (tmp_path / "account_activity.json").write_text(
        json.dumps({"account_activity_v2": [{"action": "Login", "ip_address": "203.0.113.1"}]}),
        encoding="utf-8",
    )
    with pytest.raises(ExportError, match=r"account_activity.json: entry 1 has no timestamp"):
        facebook(tmp_path / "account_activity.json")


# -- what real exports hold besides the documented basics (issue 11) ----------------------------


def test_one_facebook_login_written_with_two_ipv6_spellings_is_one_event() -> None:
    events = facebook(EXPORTS / "facebook_ipv6")
    logins = [e for e in events if e.kind == "login"]
    assert len(logins) == 1
    assert logins[0].ip == "2001:db8::7a" and logins[0].city == "Surabaya"
    (logout,) = [e for e in events if e.kind == "logout"]
    assert logout.ip == "203.0.113.9"  # an IPv4 address written as IPv6


def test_instagram_profile_activity_label_values_layout() -> None:
    events = instagram(EXPORTS / "instagram_2024")
    got = sorted((e.at.isoformat(), e.kind, e.raw.get("type")) for e in events)
    assert got == [
        ("2024-06-01T07:00:00+00:00", "login", None),
        ("2024-06-01T08:48:20+00:00", "other", "instagram_checkpoint"),
        ("2024-06-01T08:50:00+00:00", "other", "instagram_security_email"),
        ("2024-06-01T08:55:00+00:00", "other", "instagram_security_email"),
        ("2024-06-01T09:00:00+00:00", "profile_change", None),
        ("2024-06-01T09:01:00+00:00", "profile_change", None),
        ("2024-06-01T09:05:00+00:00", "password_change", None),
    ]
    login = min(events, key=lambda e: e.at)
    assert (login.ip, login.city, login.country) == ("203.0.113.41", "Jakarta", "Indonesia")
    assert login.device is not None and login.device.startswith("Instagram 330")
    assert login.raw["port"] == "51234"
    checkpoint = next(e for e in events if e.raw.get("type") == "instagram_checkpoint")
    assert (checkpoint.city, checkpoint.country) == ("Lagos", "Nigeria")
    bio = next(e for e in events if e.raw.get("action") == "Biography changed")
    assert bio.ip == "198.51.100.88"


def test_a_login_in_both_login_activity_and_profile_activity_is_one_event(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "security_and_login_information" / "login_and_profile_creation"
    folder.mkdir(parents=True)
    login = {"title": "2024-06-01T06:40:00+00:00", "media_map_data": {}, "string_map_data": {
        "IP Address": {"href": "", "value": "203.0.113.41", "timestamp": 0},
        "Time": {"href": "", "value": "", "timestamp": 1717224000},
    }}  # fmt: skip
    (folder / "login_activity.json").write_text(
        json.dumps({"account_history_login_history": [login]}), encoding="utf-8"
    )
    activity = [
        {
            "timestamp": 1717224000,
            "label_values": [
                {"label": "Type", "value": "Login"},
                {"label": "IP address", "value": "203.0.113.41"},
            ],
        }
    ]
    (folder / "profile_activity.json").write_text(json.dumps(activity), encoding="utf-8")
    assert [e.kind for e in instagram(tmp_path)] == ["login"]
