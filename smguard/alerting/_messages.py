"""What an alert says, in words a social-media desk reads at a glance (English or Indonesian).

Sinks turn an :class:`AlertMessage` into their own format; they must escape every field, since
an incident's title can quote text an attacker posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from smguard.types import localized, long_date

__all__ = ["Alert", "AlertMessage", "event_name", "render_message"]

_T = Mapping[str, str]

_KIND: dict[str, _T] = {
    "blocked_post": {"en": "Post blocked before publication",
                     "id": "Unggahan diblokir sebelum terbit"},
    "unsafe_post_published": {"en": "Unsafe post published",
                              "id": "Unggahan berbahaya telah terbit"},
    "unauthorized_post": {"en": "Post published without approval",
                          "id": "Unggahan terbit tanpa persetujuan"},
    "suspicious_login": {"en": "Suspicious login", "id": "Login mencurigakan"},
    "account_change": {"en": "Account settings changed", "id": "Pengaturan akun berubah"},
    "twofa_hygiene": {"en": "Two-factor authentication problem",
                      "id": "Masalah verifikasi dua langkah (2FA)"},
    "engine_failure": {"en": "A checking engine failed", "id": "Mesin pemeriksa gagal"},
    "alert_delivery_failure": {"en": "Alerts could not be delivered",
                               "id": "Peringatan gagal terkirim"},
    "test": {"en": "Test alert from smguard", "id": "Peringatan uji coba dari smguard"},
}  # fmt: skip

_ADVICE: dict[str, _T] = {
    "unauthorized_post": {
        "en": "Open the account now. If nobody on the team approved this post, take it down, "
        "change the password and sign out every other session.",
        "id": "Buka akun sekarang. Jika tidak ada anggota tim yang menyetujui unggahan ini, "
        "hapus unggahan, ganti kata sandi, dan keluarkan semua sesi lain.",
    },
    "unsafe_post_published": {
        "en": "Open the account now and consider taking the post down; prepare a clarification "
        "with `smguard clarify draft`.",
        "id": "Buka akun sekarang dan pertimbangkan menghapus unggahan; siapkan klarifikasi "
        "dengan `smguard clarify draft`.",
    },
    "suspicious_login": {
        "en": "Check the account's active sessions. If you do not recognise this login, change "
        "the password and sign out every other session.",
        "id": "Periksa sesi aktif akun. Jika login ini tidak dikenal, ganti kata sandi dan "
        "keluarkan semua sesi lain.",
    },
    "account_change": {
        "en": "Make sure someone on the team made this change; if not, treat the account as "
        "taken over.",
        "id": "Pastikan perubahan ini dilakukan anggota tim; jika tidak, anggap akun telah "
        "diambil alih.",
    },
    "twofa_hygiene": {
        "en": "Turn on two-factor authentication for every admin of this account.",
        "id": "Aktifkan verifikasi dua langkah untuk setiap admin akun ini.",
    },
    "blocked_post": {
        "en": "Nothing was published. Review the post and the reason it was blocked.",
        "id": "Tidak ada yang terbit. Tinjau unggahan dan alasan pemblokirannya.",
    },
    "engine_failure": {
        "en": "Posts may be going out without a full check; look at the smguard logs.",
        "id": "Unggahan mungkin terbit tanpa pemeriksaan lengkap; periksa log smguard.",
    },
    "alert_delivery_failure": {
        "en": "An alert channel is not working. Check its webhook settings, then run "
        "`smguard alerts list --status dead` and `smguard alerts retry --all-dead`.",
        "id": "Sebuah kanal peringatan tidak berfungsi. Periksa pengaturan webhook-nya, lalu "
        "jalankan `smguard alerts list --status dead` dan `smguard alerts retry --all-dead`.",
    },
    "test": {
        "en": "Nothing to do: this only checks that alerts reach this channel.",
        "id": "Tidak perlu tindakan: ini hanya menguji bahwa peringatan sampai ke kanal ini.",
    },
}
_DEFAULT_ADVICE: _T = {"en": "Look into it now.", "id": "Segera periksa."}

_EVENT: dict[str, _T] = {
    "opened": {"en": "New incident", "id": "Insiden baru"},
    "escalated": {"en": "Severity raised", "id": "Tingkat bahaya naik"},
    "sighting": {"en": "Seen again", "id": "Terlihat lagi"},
    "reopened": {"en": "Reopened", "id": "Dibuka kembali"},
    "acknowledged": {"en": "Acknowledged", "id": "Sedang ditangani"},
    "resolved": {"en": "Resolved", "id": "Selesai"},
    "test": {"en": "Test", "id": "Uji coba"},
}

_SEVERITY: dict[str, _T] = {
    "info": {"en": "info", "id": "info"},
    "low": {"en": "low", "id": "rendah"},
    "medium": {"en": "medium", "id": "sedang"},
    "high": {"en": "high", "id": "tinggi"},
    "critical": {"en": "critical", "id": "kritis"},
}

_LABEL: dict[str, _T] = {
    "what": {"en": "What happened", "id": "Apa yang terjadi"},
    "severity": {"en": "Severity", "id": "Tingkat bahaya"},
    "account": {"en": "Account", "id": "Akun"},
    "category": {"en": "Category", "id": "Kategori"},
    "when": {"en": "When", "id": "Waktu"},
    "incident": {"en": "Incident", "id": "Insiden"},
    "next": {"en": "What to do next", "id": "Langkah berikutnya"},
    "seen": {"en": "seen {n} times", "id": "terlihat {n} kali"},
    "details": {"en": "Details: `{show}` · mark it as being handled: `{ack}`",
                "id": "Rincian: `{show}` · tandai sedang ditangani: `{ack}`"},
    "none": {"en": "—", "id": "—"},
}  # fmt: skip


def event_name(event: str) -> str:
    """``incident.escalated:critical`` → ``escalated``: what routes and wording key on."""
    return event.split(":", 1)[0].removeprefix("incident.")


@dataclass(frozen=True)
class Alert:
    """One alert as a sink sees it: an incident snapshot taken when the alert was queued."""

    key: str
    sink: str
    event: str
    incident: Mapping[str, Any]
    created_at: datetime
    outbox_id: int | None = None
    test: bool = False
    #: Time zone that times are shown in (the incident's account's, else ``guard.timezone``).
    timezone: str = "UTC"
    #: A digest (``smguard report --send``) brings its own words, by language, instead of an
    #: incident's; ``report`` is its data, sent as such by the JSON sink.
    messages: Mapping[str, AlertMessage] | None = None
    report: Mapping[str, Any] | None = None

    @property
    def incident_id(self) -> int | None:
        value = self.incident.get("id")
        return value if isinstance(value, int) else None

    def message(self, language: str) -> AlertMessage:
        """The alert in words, in ``language`` (``en`` or ``id``)."""
        if self.messages:
            return self.messages.get(language) or next(iter(self.messages.values()))
        try:
            tz = ZoneInfo(self.timezone)
        except (ValueError, KeyError):
            tz = ZoneInfo("UTC")
        return render_message(self, language, tz)

    def as_json(self) -> dict[str, Any]:
        data = {
            "idempotency_key": self.key,
            "event": self.event,
            "test": self.test,
            "queued_at": self.created_at.astimezone(UTC).isoformat(),
            "incident": dict(self.incident),
        }
        if self.report is not None:
            data["report"] = dict(self.report)
        return data


@dataclass(frozen=True)
class AlertMessage:
    """The human side of an alert; every field is plain text, unescaped."""

    language: str
    severity: str
    headline: str
    summary: str
    facts: tuple[tuple[str, str], ...]
    next_step: str
    command: str | None
    labels: Mapping[str, str]

    def plain_text(self) -> str:
        lines = [self.headline, f"{self.labels['what']}: {self.summary}"]
        lines += [f"{label}: {value}" for label, value in self.facts]
        lines.append(f"{self.labels['next']}: {self.next_step}")
        return "\n".join(lines)


def _when(value: Any, tz: ZoneInfo, lang: str) -> str:
    if not isinstance(value, str):
        return localized(_LABEL["none"], lang)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(tz)
    return f"{long_date(local, lang)}, {local:%H:%M} {local.tzname()}"


def render_message(alert: Alert, lang: str, tz: ZoneInfo) -> AlertMessage:
    """Words for ``alert`` in ``lang`` (``en``/``id``), times shown in ``tz``."""
    inc = alert.incident
    kind = str(inc.get("kind") or "incident")
    severity = str(inc.get("severity") or "info")
    sev_word = localized(_SEVERITY.get(severity, {"en": severity}), lang)
    kind_text = localized(_KIND.get(kind, {"en": kind.replace("_", " ").capitalize()}), lang)
    event = event_name(alert.event)
    event_text = localized(_EVENT.get(event, {"en": event.replace("_", " ")}), lang)
    account = inc.get("account")
    headline = f"[{sev_word.upper()}] {kind_text}"
    if account:
        headline += f" — {account}"
    if event not in ("opened", "test"):
        headline = f"{event_text}: {headline}"
    labels = {k: localized(v, lang) for k, v in _LABEL.items()}
    facts: list[tuple[str, str]] = [
        (labels["severity"], sev_word),
        (labels["account"], str(account) if account else labels["none"]),
    ]
    if inc.get("category"):
        facts.append((labels["category"], str(inc["category"])))
    seen_at = inc.get("last_seen_at") if event == "sighting" else inc.get("created_at")
    facts.append((labels["when"], _when(seen_at or inc.get("created_at"), tz, lang)))
    number = alert.incident_id
    command = None
    incident_fact = f"#{number}" if number is not None else labels["none"]
    sightings = inc.get("sightings")
    if isinstance(sightings, int) and sightings > 1:
        incident_fact += f" ({labels['seen'].format(n=sightings)})"
    facts.append((labels["incident"], f"{incident_fact} · {event_text}"))
    next_step = localized(_ADVICE.get(kind, _DEFAULT_ADVICE), lang)
    if number is not None:
        command = f"smguard incidents show {number}"
        ack = f"smguard incidents ack {number}"
        next_step += " " + labels["details"].format(show=command, ack=ack)
    return AlertMessage(
        language=lang,
        severity=severity,
        headline=headline,
        summary=str(inc.get("title") or kind_text),
        facts=tuple(facts),
        next_step=next_step,
        command=command,
        labels=labels,
    )
