"""Logins and account activity that need code: speed between places, working hours, the vault."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time, timedelta
from typing import Any, ClassVar

from smguard.types import ActivityEvent, Severity
from smguard.watch.context import DetectContext
from smguard.watch.detectors import Detection, Detector, format_duration, haversine_km

__all__ = ["ImpossibleTravel", "LoginWithoutVaultCode", "OffHours"]

#: Half the Earth's circumference: no two places are further apart.
_MAX_KM = 20_040.0
#: Earlier logins a login is compared with (the most recent ones): bounded work per login.
_COMPARED = 50


class ImpossibleTravel(Detector):
    """Two logins from places further apart than anyone can travel in the time between."""

    id = "SMG-DET-013"
    name = "Impossible travel between logins"
    level = Severity.HIGH
    incident = "suspicious_login"
    kinds = frozenset({"login"})
    history_kinds = frozenset({"login"})
    source = __name__
    options: Mapping[str, Any] = {"speed_kmh": 900.0, "min_distance_km": 500.0}
    option_types: ClassVar[Mapping[str, str]] = {
        "speed_kmh": "number",
        "min_distance_km": "number",
    }
    description: Mapping[str, str] = {
        "en": "A login from a place that cannot be reached from the place of an earlier login in "
        "the time between them (faster than a plane, 900 km/h by default). Only for logins whose "
        "location (latitude and longitude) the platform reports.",
        "id": "Login dari tempat yang mustahil dicapai dari tempat login sebelumnya dalam selang "
        "waktunya (lebih cepat dari pesawat, bawaan 900 km/jam). Hanya untuk login yang lokasinya "
        "(lintang dan bujur) dilaporkan platform.",
    }
    message: Mapping[str, str] = {
        "en": "Impossible travel on {account}: a login from {city} {hours} h after one from "
        "{from_city}, {distance_km} km away ({speed_kmh} km/h)",
        "id": "Perjalanan mustahil di {account}: login dari {city} {hours} jam setelah login "
        "dari {from_city}, berjarak {distance_km} km ({speed_kmh} km/jam)",
    }
    falsepositives = (
        "VPNs and mobile carriers whose addresses geolocate far from the person",
        "two admins in different cities sharing one account (give each their own role instead)",
        "rough IP geolocation: nearby places are ignored below min_distance_km (500 km)",
    )

    @property
    def lookback(self) -> timedelta:
        return timedelta(hours=min(_MAX_KM / float(self.options["speed_kmh"]), 24 * 7))

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        if event.latitude is None or event.longitude is None:
            return ()
        speed_limit = float(self.options["speed_kmh"])
        min_km = float(self.options["min_distance_km"])
        worst: tuple[float, ActivityEvent, float, float] | None = None
        for earlier in ctx.earlier(event, self.kinds, self.lookback, last=_COMPARED):
            if earlier.latitude is None or earlier.longitude is None:
                continue
            km = haversine_km(earlier.latitude, earlier.longitude, event.latitude, event.longitude)
            if km < min_km:
                continue
            hours = (event.at - earlier.at).total_seconds() / 3600
            speed = km / hours if hours > 0 else float("inf")
            if speed > speed_limit and (worst is None or speed > worst[0]):
                worst = (speed, earlier, km, hours)
        if worst is None:
            return ()
        speed, earlier, km, hours = worst
        facts = {
            "city": event.city or event.country or f"{event.latitude:.2f},{event.longitude:.2f}",
            "from_city": earlier.city
            or earlier.country
            or f"{earlier.latitude:.2f},{earlier.longitude:.2f}",
            "distance_km": round(km),
            "hours": round(hours, 2),
            "speed_kmh": "∞" if speed == float("inf") else round(speed),
            "limit_kmh": round(speed_limit),
            "previous_login": {
                "event_id": earlier.id,
                "at": earlier.at.isoformat(),
                "local_time": ctx.local_time(earlier),
                "ip": earlier.ip,
                "city": earlier.city,
                "country": earlier.country,
                "latitude": earlier.latitude,
                "longitude": earlier.longitude,
            },
        }
        return (
            self.detection(event, key=[round(event.latitude), round(event.longitude)], facts=facts),
        )


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CHANGES = frozenset(
    {
        "login", "password_change", "profile_change", "recovery_change", "twofa_change",
        "app_authorised", "admin_added",
    }
)  # fmt: skip


def _inside(t: time, start: time, end: time) -> bool:
    if start == end:
        return True
    if start < end:
        return start <= t < end
    return t >= start or t < end  # wraps midnight (22:00-05:00)


def _span(hours: tuple[time, time]) -> str:
    return f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"


class OffHours(Detector):
    """A login or account change outside the team's working hours, in the account's time zone."""

    id = "SMG-DET-014"
    name = "Activity outside working hours"
    level = Severity.LOW
    incident = "suspicious_login"
    kinds = _CHANGES
    source = __name__
    options: Mapping[str, Any] = {"kinds": _CHANGES}
    option_types: ClassVar[Mapping[str, str]] = {"kinds": "kinds"}
    description: Mapping[str, str] = {
        "en": "A login or a change to the account outside the team's working hours, in the "
        "account's own time zone (WIB, WITA, WIT …): [accounts.NAME] working_hours and "
        "working_days, or, when those are not set, inside its quiet_hours. Published posts are "
        "not checked (scheduled posts go out at night).",
        "id": "Login atau perubahan akun di luar jam kerja tim, menurut zona waktu akun itu "
        "sendiri (WIB, WITA, WIT …): working_hours dan working_days di [accounts.NAMA], atau, "
        "jika tidak diatur, di dalam quiet_hours-nya. Unggahan tidak diperiksa (unggahan "
        "terjadwal terbit malam hari).",
    }
    message: Mapping[str, str] = {
        "en": "{what} on {account} outside working hours: {local_time} (working hours {working})",
        "id": "{what_id} di {account} di luar jam kerja: {local_time} (jam kerja {working})",
    }
    falsepositives = (
        "admins on call or travelling in another time zone",
        "a platform that reports session refreshes as logins",
        "accounts whose working_hours are not configured: only quiet_hours count",
    )

    def validate_options(self, where: str) -> None:
        self.kinds = frozenset(self.options["kinds"])

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        account = ctx.account(event.account)
        local = event.at.astimezone(account.tz)
        if account.working_hours is not None:
            off = (
                not _inside(local.time(), *account.working_hours)
                or local.weekday() not in account.working_days
            )
            days = ",".join(_DAYS[d] for d in account.working_days)
            working = _span(account.working_hours) + ("" if len(days) == 27 else f" {days}")
        else:
            off = _inside(local.time(), *account.quiet_hours)
            working = f"not {_span(account.quiet_hours)}"
        if not off:
            return ()
        login = event.kind in ("login", "login_failed")
        facts = {"timezone": account.timezone, "working": working}
        values = {
            "local_time": ctx.local_time(event),
            "what": "A login" if login else f"A {event.kind.replace('_', ' ')}",
            "what_id": "Login" if login else f"Aktivitas {event.kind}",
        }
        return (
            self.detection(
                event,
                facts=facts,
                values=values,
                incident="suspicious_login" if login else "account_change",
            ),
        )


class LoginWithoutVaultCode(Detector):
    """A platform login while the account's 2FA seed is in the vault, with no code handed out."""

    id = "SMG-DET-015"
    name = "Login without a vault code"
    level = Severity.HIGH
    incident = "suspicious_login"
    kinds = frozenset({"login"})
    source = __name__
    options: Mapping[str, Any] = {"window": timedelta(minutes=10), "after": timedelta(minutes=2)}
    option_types: ClassVar[Mapping[str, str]] = {"window": "duration", "after": "duration"}
    description: Mapping[str, str] = {
        "en": "The account's platform 2FA seed is in the team vault, so every legitimate login "
        "needs a code from `smguard vault code`. A login with no code handed out to an "
        "authorised admin in the 10 minutes before it (window; 2 minutes after it are allowed "
        "for clock differences) did not go through the vault: someone else holds the seed or "
        "got past 2FA.",
        "id": "Seed 2FA platform akun ini tersimpan di vault tim, jadi setiap login yang sah "
        "memerlukan kode dari `smguard vault code`. Login tanpa kode yang diberikan kepada admin "
        "berwenang dalam 10 menit sebelumnya (window; 2 menit sesudahnya masih diterima karena "
        "selisih jam) tidak melalui vault: ada pihak lain yang memegang seed atau lolos 2FA.",
    }
    message: Mapping[str, str] = {
        "en": "Login on {account} at {local_time} with no vault code handed out in the "
        "{window} before it",
        "id": "Login di {account} pada {local_time} tanpa kode vault yang diberikan dalam "
        "{window} sebelumnya",
    }
    falsepositives = (
        "platforms that do not ask for 2FA on a remembered device (the login report still lists "
        "the login): turn on 'ask every time' where the platform allows it",
        "an admin who kept a copy of the seed in a personal authenticator (rotate the seed)",
        "session refreshes reported as logins",
    )

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        seeded = ctx.vault_seed_since(event.account)
        if seeded is None or seeded > event.at:
            return ()
        window: timedelta = self.options["window"]
        after: timedelta = self.options["after"]
        if ctx.codes_issued(event.account, event.at - window, event.at + after):
            return ()
        last = ctx.codes_issued(event.account, event.at - timedelta(days=7), event.at - window)
        facts: dict[str, Any] = {
            "window": format_duration(window),
            "vault": {
                "seed_in_vault_since": seeded.isoformat(),
                "codes_in_window": 0,
                "last_code_before": (
                    {"at": last[-1].at.isoformat(), "admin": last[-1].admin} if last else None
                ),
            },
        }
        return (self.detection(event, facts=facts, values={"local_time": ctx.local_time(event)}),)
