"""Meta "Download your information" (JSON format): Instagram and Facebook login history.

**Instagram** — ``login_activity.json`` (``account_history_login_history``), and where present
``logout_activity.json``, ``password_change_activity.json`` and the newer
``profile_activity.json`` (a ``label_values`` list per entry with a ``Type``: logins with a
location, profile and password changes, security e-mails, checkpoints). Each entry's
``string_map_data`` maps a *label* to ``{"href", "value", "timestamp"}``, and the labels are in
the account's language ("IP Address" / "IP-Adresse" / "IP 주소"). So the fields are recognised
by what their values look like — an IP address, a user agent, a language code, an epoch
timestamp, an opaque cookie — and a label is only a tie-breaker when two values could be the
same thing. An English and a German export of the same history give the same events.

**Facebook** — ``account_activity.json`` (``account_activity_v2``, older ``account_activity``)
and ``logins_and_logouts.json`` (``account_accesses_v2``, older ``account_accesses``). Their keys
are not localised; the ``action`` text is, and is mapped to an event kind by keywords in English,
German and Indonesian (anything else is kept as an ``other`` event with ``raw["action"]``). A
login listed in both files is one event (same time, IP address and kind).

Found anywhere in the export folder or zip: the paths moved between export vintages. An export
in HTML format is refused with a hint to download the JSON one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from smguard import safejson
from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource, stable_id, stream_json

from ._common import epoch, fix_mojibake, iso_time, text_or_none

__all__ = ["FacebookConnector", "InstagramConnector", "classify_fields", "normalise_ip"]

# -- recognising fields by their values ---------------------------------------------------------

_USER_AGENT = re.compile(
    r"[A-Za-z][\w.-]*/\d+(?:\.\d+)*|\b(?:Instagram|Android|iPhone|iOS|Windows|Macintosh|Linux)\b"
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?$")
_OPAQUE = re.compile(r"^[\w*+/=.:-]{6,}$")
#: Label words, by field, in the languages exports have been seen in (hints only).
_HINTS = {
    "ip": re.compile(r"\bip\b|ip-|ip\s|아이피|ip 주소|adresse ip|dirección ip", re.I),
    "user_agent": re.compile(r"agent|agente|navigateur|browser|브라우저|에이전트", re.I),
    "language": re.compile(r"lang|sprach|bahasa|idioma|언어|langue", re.I),
    "time": re.compile(r"time|zeit|waktu|hora|heure|시간|date|datum|tanggal", re.I),
    "cookie": re.compile(r"cookie|kuki|쿠키", re.I),
    "port": re.compile(r"port", re.I),
    "device_id": re.compile(r"device|gerät|perangkat|appareil|dispositivo|기기", re.I),
}


def _is_ip(value: str) -> bool:
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def normalise_ip(value: str | None) -> str | None:
    """One spelling per address: ``2001:DB8:0:0::7``, ``[2001:db8::7]`` and ``2001:db8::7`` are
    the same login, and an IPv4 address written as IPv6 (``::ffff:203.0.113.7``) is IPv4."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return value
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def _shape(value: str) -> set[str]:
    """What a value could be, judging by its looks alone."""
    text = value.strip()
    if not text:
        return set()
    if _is_ip(text):
        return {"ip"}
    if text.isdigit():
        return {"port"} if len(text) <= 5 and 0 < int(text) < 65536 else {"time"}
    if iso_time(text) is not None:
        return {"time"}
    if " " in text and _USER_AGENT.search(text):
        return {"user_agent"}
    if _LANGUAGE.fullmatch(text):
        return {"language"}
    if _OPAQUE.fullmatch(text):
        return {"cookie", "device_id"}
    return set()


def classify_fields(
    fields: Iterable[tuple[str, str, Any]],
) -> dict[str, str | datetime]:
    """``(label, value, timestamp)`` triples → ``{"ip": …, "time": datetime, "user_agent": …,
    "language": …, "cookie": …, "port": …, "device_id": …}`` (only what was found)."""
    out: dict[str, str | datetime] = {}
    candidates: dict[str, list[tuple[str, str]]] = {}
    for label, value, stamp in fields:
        label = fix_mojibake(label)
        when = epoch(stamp)
        if when is not None and "time" not in out:
            out["time"] = when
            continue
        if not isinstance(value, str):
            continue
        value = fix_mojibake(value).strip()
        for kind in _shape(value):
            candidates.setdefault(kind, []).append((label, value))
    taken: set[str] = set()
    for kind in ("ip", "user_agent", "language", "port", "cookie", "device_id", "time"):
        options = [(lab, val) for lab, val in candidates.get(kind, []) if val not in taken]
        if not options or kind in out:
            continue
        hinted = [o for o in options if _HINTS[kind].search(o[0])]
        # An opaque value named like the other opaque field belongs to that one.
        if kind in ("cookie", "device_id"):
            other = "device_id" if kind == "cookie" else "cookie"
            unclaimed = [o for o in options if not _HINTS[other].search(o[0])]
            options = unclaimed or options
        label, value = (hinted or options)[0]
        if kind == "time":
            parsed = iso_time(value) or epoch(value)
            if parsed is None:
                continue
            out[kind] = parsed
        else:
            out[kind] = value
        taken.add(value)
    return out


# -- Instagram ---------------------------------------------------------------------------------

_IG_FILES = {
    "login_activity.json": ("account_history_login_history", "login"),
    "logout_activity.json": ("account_history_logout_history", "logout"),
    "password_change_activity.json": ("account_history_password_change_history", "password_change"),
    "profile_activity.json": ("", "other"),  # newer exports; read by _profile_activity
}
_IG_ACTIVITY = "profile_activity.json"
_FB_FILES = {
    "account_activity.json": ("account_activity_v2", "account_activity"),
    "logins_and_logouts.json": ("account_accesses_v2", "account_accesses"),
}


def _members(source: ExportSource, wanted: Iterable[str]) -> list[str]:
    names = set(wanted)
    return [n for n in source.names if source.basename(n) in names]


def _html_only(source: ExportSource, wanted: Iterable[str]) -> bool:
    stems = {w.removesuffix(".json") for w in wanted}
    return any(
        source.basename(n).removesuffix(".html") in stems
        for n in source.names
        if n.endswith(".html")
    )


def _entries(source: ExportSource, name: str, keys: Sequence[str]) -> Iterator[Any]:
    """The entries of the list under the first of ``keys`` the file's object holds, streamed
    (one entry in memory at a time). Consume it to the end: a damage anywhere in the file raises
    :class:`ExportError` when it is met."""
    where = source.where(name)
    stream = safejson.ArrayStream(source.text_chunks(name), keys=keys)
    yield from stream_json(stream, where)
    if stream.key is None:
        expected = " or ".join(f"'{k}'" for k in keys)
        raise ExportError(f"{where}: no {expected} list (is this the right file?)")
    if not stream.found:
        raise ExportError(f"{where}: '{stream.key}' should be a list of entries")


def _pairs(entry: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """An entry's (label, value, timestamp) triples, from either export layout."""
    pairs: list[tuple[str, str, Any]] = []
    smd = entry.get("string_map_data")
    if isinstance(smd, Mapping):
        for label, cell in smd.items():
            if isinstance(cell, Mapping):
                pairs.append((str(label), str(cell.get("value") or ""), cell.get("timestamp")))
    # Newer exports: "label_values": [{"label": ..., "value": ..., "timestamp_value": ...}]
    for cell in entry.get("label_values") or []:
        if isinstance(cell, Mapping):
            stamp = cell.get("timestamp_value", cell.get("timestamp"))
            pairs.append((str(cell.get("label", "")), str(cell.get("value") or ""), stamp))
    return pairs


#: ``profile_activity.json`` (newer exports): each entry's ``Type`` → kind, first match wins.
_IG_TYPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("other", "checkpoint", re.compile(r"checkpoint|verif|pemeriksaan", re.I)),
    ("other", "security_email", re.compile(r"e-?mail.*(reset|suspicious|security|sent)|"
                                           r"(reset|suspicious|security).*e-?mail", re.I)),
    ("login_failed", "", re.compile(r"fail|gagal", re.I)),
    ("twofa_change", "", re.compile(r"two.factor|2fa|dua faktor|autenti", re.I)),
    ("password_change", "", re.compile(r"password|kata sandi", re.I)),
    ("recovery_change", "", re.compile(r"e-?mail|phone|telepon|ponsel", re.I)),
    ("profile_change", "", re.compile(r"bio|picture|photo|foto|name|nama|website|profil", re.I)),
    ("logout", "", re.compile(r"log ?out|keluar", re.I)),
    ("login", "", re.compile(r"log ?in|masuk|session|sesi", re.I)),
)  # fmt: skip
#: Labels of ``profile_activity.json`` that are not login fields.
_IG_NOT_FIELDS = frozenset({"type", "details", "jenis", "detail"})


def _ig_type(value: str) -> tuple[str, str]:
    for kind, what, pattern in _IG_TYPES:
        if pattern.search(value):
            return kind, what
    return "other", "profile_activity"


def _first_list(source: ExportSource, name: str) -> Iterator[Any]:
    """``profile_activity.json`` is a list, or an object holding one (the key varies): its
    entries, streamed as :func:`_entries` streams them."""
    stream = safejson.ArrayStream(source.text_chunks(name), any_key=True)
    yield from stream_json(stream, source.where(name))
    if not stream.found:
        raise ExportError(
            f"{source.where(name)}: expected a list of entries (is this the right file?)"
        )


def _details(entry: Mapping[str, Any]) -> dict[str, str]:
    """The ``Details`` cell's nested ``dict`` of label → value (Location, …)."""
    out: dict[str, str] = {}
    for cell in entry.get("label_values") or []:
        if not isinstance(cell, Mapping):
            continue
        for inner in cell.get("dict") or []:
            if isinstance(inner, Mapping) and inner.get("label") and inner.get("value"):
                out[fix_mojibake(str(inner["label"]))] = fix_mojibake(str(inner["value"]))
    return out


class InstagramConnector:
    name = "instagram"
    platform = "instagram"
    description = (
        "Instagram 'Download your information' (JSON): logins, logouts, password changes, "
        "profile activity"
    )

    def recognises(self, source: ExportSource) -> bool:
        return bool(_members(source, _IG_FILES)) or _html_only(source, _IG_FILES)

    def read(
        self, source: ExportSource, account: str | None, platform: str | None
    ) -> list[ActivityEvent]:
        if not account:
            raise ExportError("an Instagram export needs --account (the smguard account)")
        members = _members(source, _IG_FILES)
        if not members:
            if _html_only(source, _IG_FILES):
                raise ExportError(
                    f"{source.path}: this export is in HTML format; download it again from "
                    "Instagram choosing the JSON format"
                )
            raise ExportError(
                f"{source.path}: no login_activity.json or profile_activity.json in this export"
            )
        events: list[ActivityEvent] = []
        activity = [n for n in members if source.basename(n) == _IG_ACTIVITY]
        for name in members:
            if name in activity:
                continue
            key, kind = _IG_FILES[source.basename(name)]
            where = source.where(name)
            for n, entry in enumerate(_entries(source, name, (key,)), 1):
                if not isinstance(entry, Mapping):
                    raise ExportError(f"{where}: entry {n} is not an object")
                fields = classify_fields(_pairs(entry))
                when = fields.get("time")
                at = when if isinstance(when, datetime) else iso_time(entry.get("title"))
                at = at or epoch(entry.get("timestamp"))
                if at is None:
                    raise ExportError(f"{where}: entry {n} has no time")
                ip, agent = normalise_ip(_str(fields, "ip")), _str(fields, "user_agent")
                cookie = _str(fields, "cookie")
                raw: dict[str, Any] = {
                    "file": source.basename(name),
                    **{k: fields[k] for k in ("cookie", "language", "port", "device_id")
                       if k in fields},
                }  # fmt: skip
                events.append(
                    ActivityEvent(
                        id=f"instagram:{account}:{kind}:"
                        + stable_id(at.isoformat(), ip, agent, cookie),
                        account=account,
                        platform="instagram",
                        kind=kind,
                        at=at,
                        source=f"instagram:{source.basename(name)}",
                        ip=ip,
                        device=agent,
                        raw=raw,
                    )
                )
        for name in activity:
            events += self._profile_activity(source, name, account, events)
        return events

    def _profile_activity(
        self, source: ExportSource, name: str, account: str, known: list[ActivityEvent]
    ) -> list[ActivityEvent]:
        """Newer exports' ``profile_activity.json``: logins with their location, profile
        changes, password changes, security e-mails and checkpoints, one ``label_values`` list
        per entry with a ``Type`` label."""
        where = source.where(name)
        seen = {(e.kind, e.at, e.ip) for e in known}
        out: list[ActivityEvent] = []
        for n, entry in enumerate(_first_list(source, name), 1):
            if not isinstance(entry, Mapping):
                raise ExportError(f"{where}: entry {n} is not an object")
            cells = [c for c in entry.get("label_values") or [] if isinstance(c, Mapping)]
            labels = {str(c.get("label", "")).strip().lower(): c for c in cells}
            typ = fix_mojibake(str((labels.get("type") or labels.get("jenis") or {}).get("value")
                                   or ""))  # fmt: skip
            pairs = [p for p in _pairs({"label_values": cells})
                     if p[0].strip().lower() not in _IG_NOT_FIELDS]  # fmt: skip
            fields = classify_fields(pairs)
            when = epoch(entry.get("timestamp"))
            stamp = fields.get("time")
            at = when or (stamp if isinstance(stamp, datetime) else None)
            if at is None:
                raise ExportError(f"{where}: entry {n} ({typ or 'no Type'}) has no time")
            kind, what = _ig_type(typ)
            ip, agent = normalise_ip(_str(fields, "ip")), _str(fields, "user_agent")
            if (kind, at, ip) in seen:
                continue  # the same login as in login_activity.json
            seen.add((kind, at, ip))
            details = _details(entry)
            location = details.get("Location") or details.get("Lokasi")
            city, country = None, None
            if location:
                city, _, country = (p.strip() for p in location.rpartition(","))
                city, country = (city or country), (country if city else None)
            raw: dict[str, Any] = {
                "file": _IG_ACTIVITY,
                "type": f"instagram_{what}" if what else None,
                "action": typ or None,
                **({"details": details} if details else {}),
                **{k: fields[k] for k in ("cookie", "language", "port", "device_id")
                   if k in fields},
            }  # fmt: skip
            out.append(
                ActivityEvent(
                    id=f"instagram:{account}:{kind}:" + stable_id(at.isoformat(), ip, agent, typ),
                    account=account,
                    platform="instagram",
                    kind=kind,
                    at=at,
                    source=f"instagram:{_IG_ACTIVITY}",
                    ip=ip,
                    device=agent,
                    city=text_or_none(city, 200),
                    country=text_or_none(country, 100),
                    raw={k: v for k, v in raw.items() if v is not None},
                )
            )
        return out


def _str(fields: Mapping[str, Any], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) and value else None


# -- Facebook ----------------------------------------------------------------------------------

#: Action words → kind, checked in this order (the first that matches wins).
_ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("login_failed", re.compile(r"fail|fehlgeschlagen|gagal", re.I)),
    (
        "twofa_change",
        re.compile(r"two.factor|2fa|zwei.faktor|login approval|dua langkah|dua faktor", re.I),
    ),
    ("password_change", re.compile(r"password|passwort|kata sandi", re.I)),
    (
        "recovery_change",
        re.compile(r"e-?mail|phone|telefon|recovery|wiederherstell|pemulihan|telepon", re.I),
    ),
    (
        "logout",
        re.compile(r"log ?out|logged out|terminated|abmeld|abgemeldet|keluar|beendet", re.I),
    ),
    ("login", re.compile(r"^\s*(log ?in|logged in|anmeld|angemeldet|masuk)", re.I)),
)


def _fb_kind(action: str) -> str:
    for kind, pattern in _ACTIONS:
        if pattern.search(action):
            return kind
    return "other"


class FacebookConnector:
    name = "facebook"
    platform = "facebook"
    description = "Facebook 'Download your information' (JSON): account activity, logins, logouts"

    def recognises(self, source: ExportSource) -> bool:
        return bool(_members(source, _FB_FILES)) or _html_only(source, _FB_FILES)

    def read(
        self, source: ExportSource, account: str | None, platform: str | None
    ) -> list[ActivityEvent]:
        if not account:
            raise ExportError("a Facebook export needs --account (the smguard account)")
        members = _members(source, _FB_FILES)
        if not members:
            if _html_only(source, _FB_FILES):
                raise ExportError(
                    f"{source.path}: this export is in HTML format; download it again from "
                    "Facebook choosing the JSON format"
                )
            raise ExportError(f"{source.path}: no account_activity.json in this export")
        best: dict[str, ActivityEvent] = {}
        for name in members:
            where = source.where(name)
            for n, entry in enumerate(_entries(source, name, _FB_FILES[source.basename(name)]), 1):
                if not isinstance(entry, Mapping):
                    raise ExportError(f"{where}: entry {n} is not an object")
                event = self._event(entry, account, source.basename(name), where, n)
                known = best.get(event.id)
                if known is None or _richness(event) > _richness(known):
                    best[event.id] = event
        return list(best.values())

    def _event(
        self, entry: Mapping[str, Any], account: str, file: str, where: str, n: int
    ) -> ActivityEvent:
        at = epoch(entry.get("timestamp"))
        if at is None:
            raise ExportError(f"{where}: entry {n} has no timestamp: {entry.get('timestamp')!r}")
        action = fix_mojibake(str(entry.get("action") or ""))
        kind = _fb_kind(action)
        ip = normalise_ip(text_or_none(entry.get("ip_address"), 64))

        def text(key: str, limit: int = 200) -> str | None:
            value: Any = entry.get(key)
            return text_or_none(fix_mojibake(value) if isinstance(value, str) else value, limit)

        raw = {
            k: v
            for k, v in {
                "file": file,
                "action": action or None,
                "cookie": text("datr_cookie"),
                "site": text("site_name") or text("site"),
                "region": text("region"),
            }.items()
            if v is not None
        }
        return ActivityEvent(
            id=f"facebook:{account}:{kind}:{stable_id(at.isoformat(), ip)}",
            account=account,
            platform="facebook",
            kind=kind,
            at=at,
            source=f"facebook:{file}",
            ip=ip,
            device=text("user_agent", 2000),
            city=text("city"),
            country=text("country", 100),
            raw=raw,
        )


def _richness(event: ActivityEvent) -> int:
    return sum(v is not None for v in (event.ip, event.device, event.city, event.country)) + len(
        event.raw
    )
