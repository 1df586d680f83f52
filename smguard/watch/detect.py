"""Account-watch detectors: turn what connectors saw on an account into incidents.

The connectors store :class:`~smguard.types.ActivityEvent` s and hand the *new* ones to
:func:`process_events`, which runs every registered detector over each of them (oldest first)::

    events ──▶ detectors ──▶ detections of one event, merged ──▶ open_incident (or a sighting)
                 │                                                   └─▶ alerts (same transaction)
                 └─ history ("seen before?"), the publish ledger, the guard, the vault

* A **detector** (:class:`Detector`) looks at events of some kinds and returns
  :class:`Detection` s. Built-in ones come from the ``detectors`` plugin: declarative YAML files
  (``rules/detectors/*.yaml``: a pattern, a first-seen value or a count in a window, in the spirit
  of Sigma) and a few in code (the publish ledger, impossible travel, working hours, the vault).
  Plugins add theirs with ``register_detectors(register)``.
* Everything one event sets off becomes **one incident**: an unapproved post that is also porn is
  one critical ``unauthorized_post`` incident carrying both facts, not two incidents. The kind is
  the most serious one among the detections (:data:`INCIDENT_ORDER`), the severity the highest.
* The **dedupe key** names the cause ("unauthorised posts on this account", "logins from this
  new IP range"): while that incident is unresolved, the same cause again is a sighting.
* A table of detections (``detections``: detector × event) makes a re-run add nothing: an event
  a detector already reported is not reported again.

Tuning lives in ``[detectors]`` of ``smguard.toml`` (see :func:`detector_settings` and
docs/detectors.md)::

    [detectors]
    disable = ["SMG-DET-014"]                  # detector ids (or [plugins] disable = ["detectors"])
    since = "2026-06-01T00:00:00+07:00"        # events before this are history, not examined
    paths = ["./my-detectors"]                 # more YAML detector files or folders

    [detectors.SMG-DET-020]                    # per detector: level and its own settings
    level = "high"
    count = 20
    within = "5m"
"""

from __future__ import annotations

import bisect
import copy
import logging
import math
import re
import string
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from smguard.errors import ConfigError, PluginError
from smguard.types import EVENT_KINDS, ActivityEvent, Severity, localized

if TYPE_CHECKING:
    import pluggy
    from sqlalchemy.orm import Session

    from smguard.config import AccountSettings, Config
    from smguard.guard.engine import Guard
    from smguard.records.store import Store
    from smguard.records.tables import LedgerEntry
    from smguard.security.vault import CodeIssue
    from smguard.types import Verdict

__all__ = [
    "ACTOR",
    "CONTAINMENT",
    "INCIDENT_ORDER",
    "STATUSES",
    "DetectContext",
    "Detection",
    "DetectionResult",
    "Detector",
    "DetectorSet",
    "DetectorSettings",
    "History",
    "HistoryFetch",
    "LedgerMatch",
    "detector_settings",
    "format_duration",
    "load_detectors",
    "parse_duration",
    "process_events",
    "verdict_facts",
]

log = logging.getLogger("smguard.watch.detect")
T = TypeVar("T")

#: Who opens the incidents (the audit log's actor).
ACTOR = "watch"
#: A detector's maturity, as in Sigma.
STATUSES: tuple[str, ...] = ("stable", "test", "experimental", "deprecated")
#: When one event sets off several detectors, the incident takes the first kind in this order.
INCIDENT_ORDER: tuple[str, ...] = (
    "unauthorized_post",
    "unsafe_post_published",
    "account_change",
    "suspicious_login",
    "activity_burst",
)
_TEXT_IN_EVIDENCE = 1000
#: Events whose incidents are written in one transaction.
_CHUNK = 100

#: The containment checklist an unauthorised-post incident carries (``{account}`` filled in).
CONTAINMENT: Mapping[str, tuple[str, ...]] = {
    "en": (
        "Remove the post from {account} (take a screenshot and keep its link for the record "
        "first).",
        "Change the account's password now, from a trusted device.",
        'End every other login session on the platform ("log out of all devices").',
        "Rotate the 2FA seed: reset two-step verification on the platform and store the new seed "
        "with `smguard vault add {account} --as OWNER --replace`; check who took codes with "
        "`smguard vault log {account} --since 7d`.",
        "Check the connected apps and remove any the team does not know.",
        "Check the recovery e-mail and phone number and put back the organisation's own.",
        "Publish a clarification in both languages (the commands are under 'clarification').",
    ),
    "id": (
        "Hapus unggahan itu dari {account} (simpan dulu tangkapan layar dan tautannya sebagai "
        "bukti).",
        "Segera ganti kata sandi akun dari perangkat yang tepercaya.",
        'Putuskan semua sesi login lain di platform ("keluar dari semua perangkat").',
        "Ganti seed 2FA: atur ulang verifikasi dua langkah di platform lalu simpan seed baru "
        "dengan `smguard vault add {account} --as OWNER --replace`; periksa siapa yang mengambil "
        "kode dengan `smguard vault log {account} --since 7d`.",
        "Periksa aplikasi yang terhubung dan cabut yang tidak dikenal tim.",
        "Periksa e-mail dan nomor telepon pemulihan, kembalikan ke milik organisasi.",
        "Terbitkan klarifikasi dalam dua bahasa (perintahnya ada di bagian 'clarification').",
    ),
}
_CLARIFY_KINDS = frozenset({"unauthorized_post", "unsafe_post_published"})


# -- durations ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any, key: str) -> timedelta:
    """``"30s"``, ``"10m"``, ``"24h"``, ``"90d"`` → a timedelta; ConfigError naming ``key``."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) <= 0:
        raise ConfigError(f"{key}: {value!r} is not a duration like 10m, 24h or 90d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


# -- what detectors return ---------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """One detector's finding about one event."""

    detector: str
    #: The incident kind it calls for (``unauthorized_post``, ``suspicious_login`` …).
    incident: str
    severity: Severity
    #: Names the cause: while its incident is unresolved, the same key again is a sighting.
    dedupe_key: str
    #: What happened, for people: ``{"en": …, "id": …}``.
    message: Mapping[str, str]
    #: What the detector looked at and what history said (JSON-serialisable).
    facts: Mapping[str, Any] = field(default_factory=dict)
    category: str | None = None
    name: str = ""


@dataclass(frozen=True)
class DetectionResult:
    """What :func:`process_events` did for one event: the incident opened or sighted."""

    incident_id: int
    created: bool
    kind: str
    severity: str
    #: The detector whose detection leads the incident, then every detector that fired.
    detector: str
    detectors: tuple[str, ...]
    event_id: str
    account: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "created": self.created,
            "kind": self.kind,
            "severity": self.severity,
            "detector": self.detector,
            "detectors": list(self.detectors),
            "event_id": self.event_id,
            "account": self.account,
        }


# -- detectors ---------------------------------------------------------------------------------


class Detector:
    """Base class of every detector. Subclasses set the metadata and implement :meth:`detect`.

    :cvar options: the detector's own settings with their defaults (``[detectors.ID]``), and
        :cvar option_types: how each is read (``duration``, ``int`` (1 or more), ``whole``
        (0 or more), ``number``, ``kinds``).
    """

    id: str = ""
    name: str = ""
    level: Severity = Severity.MEDIUM
    status: str = "stable"
    #: The incident kind this detector opens.
    incident: str = "suspicious_login"
    #: Event kinds it looks at, and the kinds of earlier events it reads as history.
    kinds: frozenset[str] = frozenset()
    history_kinds: frozenset[str] = frozenset()
    #: ``{"en": …, "id": …}``: what it catches (docs, ``smguard detectors show``).
    description: Mapping[str, str] = {}
    #: ``{"en": …, "id": …}`` with ``{placeholders}`` filled from the event and facts.
    message: Mapping[str, str] = {}
    falsepositives: tuple[str, ...] = ()
    #: Where it comes from: a YAML file, or the module that defines it.
    source: str = ""
    engine: str = "code"
    #: Whether it needs the guard's verdict on live posts (checked once per batch).
    needs_guard: bool = False
    options: Mapping[str, Any] = {}
    option_types: ClassVar[Mapping[str, str]] = {}
    #: Documented examples (YAML detectors run theirs as tests).
    examples: tuple[Any, ...] = ()

    @property
    def lookback(self) -> timedelta:
        """How far back this detector reads history (before the oldest event of a batch)."""
        return timedelta(0)

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        """The detections this event sets off (usually none)."""
        raise NotImplementedError

    # -- tuning ------------------------------------------------------------------------------

    def tuned(self, table: Mapping[str, Any], where: str) -> Detector:
        """A copy with ``[detectors.ID]`` applied; ConfigError naming the key when it is bad."""
        known = {"level", *self.options}
        for key in table:
            if key not in known:
                raise ConfigError(
                    f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})"
                )
        out = copy.copy(self)
        if "level" in table:
            try:
                out.level = Severity.parse(table["level"])
            except ValueError as exc:
                raise ConfigError(f"{where}.level: {exc}") from None
        values = dict(self.options)
        for key, value in table.items():
            if key != "level":
                values[key] = _option(value, self.option_types.get(key, "number"), f"{where}.{key}")
        out.options = values
        out.validate_options(where)
        return out

    def validate_options(self, where: str) -> None:
        """Check the options together (e.g. a count of at least 2); raise ConfigError."""

    # -- building detections -----------------------------------------------------------------

    def detection(
        self,
        event: ActivityEvent,
        *,
        key: Iterable[object] = (),
        facts: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
        incident: str | None = None,
        message: Mapping[str, str] | None = None,
        category: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Detection:
        """A detection of ``event``: its key is ``incident:account:detector[:key…]``.

        ``facts`` are stored with the incident; the message's placeholders are filled from the
        event's fields, ``values`` (not stored) and ``facts``.
        """
        kind = incident or self.incident
        parts = [kind, event.account, self.id, *(str(p) for p in key)]
        values = {**event_values(event), **(values or {}), **(facts or {})}
        texts = message or self.message
        return Detection(
            detector=self.id,
            incident=kind,
            severity=severity if severity is not None else self.level,
            dedupe_key=_key(parts),
            message={lang: fill(text, values) for lang, text in texts.items()},
            facts=dict(facts or {}),
            category=category,
            name=self.name,
        )


def _option(value: Any, kind: str, key: str) -> Any:
    if kind == "duration":
        return parse_duration(value, key)
    if kind in ("int", "whole"):
        least = 1 if kind == "int" else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{key}: must be a whole number of at least {least}")
        return value
    if kind == "kinds":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or any(v not in EVENT_KINDS for v in value):
            raise ConfigError(f"{key}: must be a list of event kinds ({', '.join(EVENT_KINDS)})")
        return frozenset(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key}: must be a positive number")
    return float(value)


def _key(parts: Sequence[str]) -> str:
    key = ":".join(parts)
    if len(key) <= 300:
        return key
    import hashlib

    head = ":".join(parts[:3])[:200]
    return f"{head}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with ``{name}`` filled from ``values`` (``?`` when unknown)."""
    clean = _Missing({k: ("?" if v is None else v) for k, v in values.items()})
    try:
        return string.Formatter().vformat(template, (), clean)
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def event_values(event: ActivityEvent) -> dict[str, Any]:
    """The event's fields as message placeholders."""
    return {
        "account": event.account,
        "platform": event.platform,
        "kind": event.kind,
        "actor": event.actor,
        "ip": event.ip,
        "device": event.device,
        "country": event.country,
        "city": event.city,
        "url": event.url,
    }


# -- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectorSettings:
    """``[detectors]``: which detectors run and how each is tuned."""

    disable: frozenset[str] = frozenset()
    #: Events before this time are history only (the watch started then).
    since: datetime | None = None
    paths: tuple[Path, ...] = ()
    #: ``[detectors.ID]`` tables, validated against the detector when it loads.
    tuning: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


def detector_settings(config: Config) -> DetectorSettings:
    """Validate the ``[detectors]`` table (ids are checked against the loaded detectors)."""
    table: Mapping[str, Any] = config.detectors
    where = f"{config.source}: detectors"
    tuning: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key in ("disable", "since", "paths"):
            continue
        if not _ID.match(key):
            raise ConfigError(
                f"{where}.{key}: unknown setting (known: disable, paths, since, or a detector id "
                "such as SMG-DET-020 for its own settings)"
            )
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}.{key}: must be a table ([detectors.{key}])")
        tuning[key] = value
    disable = table.get("disable", [])
    if isinstance(disable, str):
        disable = [disable]
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise ConfigError(f'{where}.disable: must be a list of detector ids, e.g. ["SMG-DET-014"]')
    since: datetime | None = None
    if "since" in table:
        raw = table["since"]
        if isinstance(raw, str):
            try:
                raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raw = None
        if not isinstance(raw, datetime) or raw.tzinfo is None:
            raise ConfigError(
                f"{where}.since: must be a time with its zone, e.g. 2026-06-01T00:00:00+07:00"
            )
        since = raw
    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}.paths: must be a list of files or folders")
    base = config.path.parent if config.path else Path.cwd()
    resolved = tuple((base / p).resolve() for p in paths)
    for p in resolved:
        if not p.exists():
            raise ConfigError(f"{where}.paths: file or folder not found: {p}")
    return DetectorSettings(
        disable=frozenset(d.strip().upper() for d in disable),
        since=since,
        paths=resolved,
        tuning=tuning,
    )


@dataclass(frozen=True)
class DetectorSet:
    """Every registered detector (tuned) and the enabled ones, in id order."""

    all: tuple[Detector, ...]
    enabled: tuple[Detector, ...]
    settings: DetectorSettings

    def get(self, detector_id: str) -> Detector | None:
        wanted = detector_id.strip().upper()
        return next((d for d in self.all if d.id == wanted), None)

    @property
    def needs_guard(self) -> bool:
        return any(d.needs_guard for d in self.enabled)


def load_detectors(config: Config, pm: pluggy.PluginManager | None = None) -> DetectorSet:
    """Collect the registered detectors (plus ``[detectors] paths``), tune and validate them."""
    if pm is None:
        from smguard.manager import get_plugin_manager

        pm = get_plugin_manager(config.disabled_plugins)
    settings = detector_settings(config)
    found: list[Detector] = []

    def register(detector: Any) -> None:
        if not isinstance(detector, Detector):
            raise PluginError(
                f"register_detectors got {detector!r}, which is not a smguard.watch.detect.Detector"
            )
        found.append(detector)

    pm.hook.register_detectors(register=register)
    if settings.paths:
        found.extend(yaml_engine().load_paths(settings.paths))
    seen: dict[str, Detector] = {}
    for d in found:
        if not d.id or not _ID.match(d.id):
            raise PluginError(f"detector {d!r} has no id like SMG-DET-001 ({d.source})")
        if d.id in seen:
            raise PluginError(
                f"detector id {d.id} is registered twice ({seen[d.id].source} and {d.source})"
            )
        seen[d.id] = d
    where = f"{config.source}: detectors"
    for key in sorted(set(settings.tuning) | settings.disable):
        if key not in seen:
            what = "disable" if key in settings.disable else key
            raise ConfigError(
                f"{where}.{what}: unknown detector id {key} (`smguard detectors list` shows them)"
            )
    tuned = tuple(
        seen[i].tuned(settings.tuning[i], f"{where}.{i}") if i in settings.tuning else seen[i]
        for i in sorted(seen)
    )
    enabled = tuple(d for d in tuned if d.id not in settings.disable and d.status != "deprecated")
    return DetectorSet(all=tuned, enabled=enabled, settings=settings)


def yaml_engine() -> Any:
    """The YAML detector engine (``smguard.plugins.detectors.yamlrules``)."""
    import importlib

    return importlib.import_module("smguard.plugins.detectors.yamlrules")


# -- history -----------------------------------------------------------------------------------

#: ``fetch(account, kinds, since, until)`` → stored events of those kinds in that time range.
HistoryFetch = Callable[[str, Sequence[str], datetime, datetime], Sequence[ActivityEvent]]


def _order(event: ActivityEvent) -> tuple[datetime, str]:
    return (event.at, event.id)


class History:
    """Earlier events of an account, fetched once per (account, kind) and batch, then sliced."""

    def __init__(self, fetch: HistoryFetch) -> None:
        self._fetch = fetch
        self._events: dict[tuple[str, str], list[ActivityEvent]] = {}
        self._keys: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        self._ranges: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        #: Goes up with every fetch: an index built over the loaded events is stale after one.
        self.version = 0

    def load(self, account: str, kind: str, since: datetime, until: datetime) -> None:
        key = (account, kind)
        have = self._ranges.get(key)
        if have is not None and have[0] <= since and have[1] >= until:
            return
        if have is not None:
            since, until = min(since, have[0]), max(until, have[1])
        events = sorted(
            (e for e in self._fetch(account, [kind], since, until) if e.kind == kind),
            key=_order,
        )
        self._events[key] = events
        self._keys[key] = [_order(e) for e in events]
        self._ranges[key] = (since, until)
        self.version += 1

    def between(
        self,
        account: str,
        kinds: Iterable[str],
        since: datetime,
        until: datetime,
        *,
        before: tuple[datetime, str] | None = None,
        last: int | None = None,
    ) -> list[ActivityEvent]:
        """Stored events of ``kinds`` with ``since <= at <= until``, oldest first; only those
        ordered before ``before`` (time, id) and only the ``last`` ones when given."""
        out: list[ActivityEvent] = []
        for kind in kinds:
            self.load(account, kind, since, until)
            keys, events = self._keys[(account, kind)], self._events[(account, kind)]
            lo = bisect.bisect_left(keys, (since, ""))
            hi = bisect.bisect_right(keys, (until, "\uffff"))
            if before is not None:
                hi = min(hi, bisect.bisect_left(keys, before))
            if last is not None:
                lo = max(lo, hi - last)
            out.extend(events[lo:hi])
        out.sort(key=_order)
        return out[-last:] if last is not None and last < len(out) else out

    def ensure(self, account: str, kinds: Iterable[str], since: datetime, until: datetime) -> None:
        """Make sure events of ``kinds`` from ``since`` to ``until`` are loaded."""
        for kind in kinds:
            self.load(account, kind, since, until)

    def loaded(self, account: str, kinds: Iterable[str]) -> list[ActivityEvent]:
        """Every event of ``kinds`` fetched so far for ``account``, oldest first."""
        out = [e for kind in kinds for e in self._events.get((account, kind), [])]
        out.sort(key=_order)
        return out


def _store_fetch(store: Store) -> HistoryFetch:
    def fetch(
        account: str, kinds: Sequence[str], since: datetime, until: datetime
    ) -> Sequence[ActivityEvent]:
        from smguard.watch.activity import recent_events

        return recent_events(store, account, kinds=list(kinds), since=since, until=until)

    return fetch


# -- the context detectors see -----------------------------------------------------------------


@dataclass(frozen=True)
class LedgerMatch:
    """Whether a live post is in the publish ledger, and how that was decided."""

    matched: bool
    fingerprint: str
    how: str | None = None
    #: Ledger entries the account has (0: the ledger is empty for it).
    entries: int = 0


@dataclass
class _Ledger:
    fingerprints: set[str]
    urls: set[str]
    post_ids: set[str]
    entries: int
    #: When the account's earliest recorded publication was approved or published.
    starts: datetime | None = None


#: A post this long before the ledger's first entry may still have gone through smguard.
LEDGER_GRACE = timedelta(hours=1)


class DetectContext:
    """What a detector may consult: the account's settings, its history, the publish ledger,
    the guard's verdict on a live post and the vault's log. Built once per batch."""

    def __init__(
        self,
        config: Config,
        history: History,
        *,
        store: Store | None = None,
        now: datetime | None = None,
        guard: Guard | None = None,
    ) -> None:
        self.config = config
        self.history = history
        self.store = store
        self.now = now or datetime.now(UTC)
        self._guard = guard
        self._verdicts: dict[str, Verdict] = {}
        self._ledgers: dict[str, _Ledger] = {}
        self._seeds: dict[str, datetime | None] = {}
        self._memo: dict[Hashable, Any] = {}
        self._codes: dict[str, tuple[datetime, datetime, list[CodeIssue]]] = {}
        #: The newest event of the batch: vault look-ups load codes up to it at once.
        self.until_hint: datetime | None = None
        #: ``[detectors] since``: from when the ledger is complete (None: not configured).
        self.since: datetime | None = None

    def account(self, name: str) -> AccountSettings:
        return self.config.account(name)

    def local_time(self, event: ActivityEvent) -> str:
        """The event's time as the account's team reads it, e.g. ``2026-06-01 02:13 WIB``."""
        return event.at.astimezone(self.account(event.account).tz).strftime("%Y-%m-%d %H:%M %Z")

    def earlier(
        self,
        event: ActivityEvent,
        kinds: Iterable[str],
        within: timedelta | None = None,
        *,
        last: int | None = None,
    ) -> list[ActivityEvent]:
        """Events of ``kinds`` on the event's account before it (the event itself excluded),
        oldest first; only the last ``within`` and the ``last`` ones when given."""
        since = event.at - within if within is not None else datetime(1970, 1, 1, tzinfo=UTC)
        return self.history.between(
            event.account, kinds, since, event.at, before=_order(event), last=last
        )

    def window(
        self, event: ActivityEvent, kinds: Iterable[str], within: timedelta
    ) -> list[ActivityEvent]:
        """Events of ``kinds`` in the ``within`` up to and including ``event``, oldest first."""
        return [e for e in self.earlier(event, kinds, within) if e.at > event.at - within] + [event]

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value detectors compute once per batch (an index over the loaded history), built
        again when more history was fetched since."""
        full = (key, self.history.version)
        if full not in self._memo:
            self._memo[full] = build()
        return cast("T", self._memo[full])

    # -- the guard ---------------------------------------------------------------------------

    @property
    def guard(self) -> Guard:
        if self._guard is None:
            if self.store is None:
                from smguard.guard.engine import Guard

                self._guard = Guard(self.config)
            else:
                self._guard = guard_for(self.store)
        return self._guard

    def check_posts(self, events: Sequence[ActivityEvent]) -> None:
        """Run the guard over the live posts of a batch at once (model engines like batches)."""
        from smguard.types import Post

        todo = [e for e in events if e.kind == "post_published" and e.id not in self._verdicts]
        posts = []
        for e in todo:
            text = post_text(e.text or "")
            # A content warning is read before the post (and can carry the bait itself).
            warning = e.raw.get("spoiler_text") if isinstance(e.raw, Mapping) else None
            if isinstance(warning, str) and warning.strip():
                text = f"{warning.strip()}\n\n{text}"
            posts.append(
                Post(
                    text=text if text.strip() else "(no text)",
                    id=e.id,
                    account=e.account,
                    platform=e.platform,
                    links=tuple(e.links),
                )
            )
        for event, verdict in zip(todo, self.guard.check_many(posts), strict=True):
            self._verdicts[event.id] = verdict

    def verdict(self, event: ActivityEvent) -> Verdict:
        """The guard's verdict on a live post's text and links."""
        if event.id not in self._verdicts:
            self.check_posts([event])
        return self._verdicts[event.id]

    def checked(self, event: ActivityEvent) -> Verdict | None:
        """The verdict on ``event`` if the guard has checked it (None otherwise)."""
        return self._verdicts.get(event.id)

    # -- the publish ledger ------------------------------------------------------------------

    def _ledger(self, account: str) -> _Ledger:
        if account not in self._ledgers:
            rows: Sequence[LedgerEntry] = []
            if self.store is not None:
                from sqlalchemy import select

                from smguard.records.tables import LedgerEntry

                with self.store.session() as session:
                    rows = list(
                        session.execute(
                            select(LedgerEntry).where(LedgerEntry.account == account)
                        ).scalars()
                    )
            times = [t for r in rows for t in (r.approved_at, r.published_at) if t is not None]
            self._ledgers[account] = _Ledger(
                fingerprints={r.fingerprint for r in rows},
                urls={_url_key(r.url) for r in rows if r.url},
                post_ids={r.platform_post_id for r in rows if r.platform_post_id},
                entries=len(rows),
                starts=min(times, default=None),
            )
        return self._ledgers[account]

    def ledger_covers(self, event: ActivityEvent) -> bool:
        """Can the publish ledger vouch for this post? Yes when ``[detectors] since`` says from
        when it is complete; otherwise only from the account's first recorded publication on:
        the posts an account had before smguard are history, not unauthorised posts."""
        if self.since is not None:
            return event.at >= self.since
        starts = self._ledger(event.account).starts
        return starts is not None and event.at >= starts - LEDGER_GRACE

    def in_ledger(self, event: ActivityEvent) -> LedgerMatch:
        """Was this live post approved and recorded? By content fingerprint (as the platform
        shows it, with its links expanded), or by its URL or platform id."""
        from smguard.guard.fingerprint import fingerprint

        ledger = self._ledger(event.account)
        text = event.text or ""
        candidates = _link_maps(event)
        prints = [fingerprint(text, links) for links in candidates]
        if post_text(text).strip():  # an image-only post is matched by its URL or id only
            for fp in prints:
                if fp in ledger.fingerprints:
                    return LedgerMatch(True, fp, "fingerprint", ledger.entries)
        if event.url and _url_key(event.url) in ledger.urls:
            return LedgerMatch(True, prints[0], "url", ledger.entries)
        raw = event.raw if isinstance(event.raw, Mapping) else {}
        for post_id in (raw.get("id"), raw.get("id_str")):
            if post_id is not None and str(post_id) in ledger.post_ids:
                return LedgerMatch(True, prints[0], "platform_post_id", ledger.entries)
        return LedgerMatch(False, prints[0], None, ledger.entries)

    # -- the vault ---------------------------------------------------------------------------

    def vault_seed_since(self, account: str) -> datetime | None:
        """When the account's platform 2FA seed went into the vault (None: it is not there)."""
        if account not in self._seeds:
            added: datetime | None = None
            if self.store is not None:
                from sqlalchemy import select

                from smguard.records.tables import SecAccount, SecVaultSeed

                with self.store.session() as session:
                    added = session.execute(
                        select(SecVaultSeed.added_at)
                        .join(SecAccount, SecAccount.id == SecVaultSeed.account_id)
                        .where(SecAccount.name == account)
                    ).scalar_one_or_none()
            self._seeds[account] = added
        return self._seeds[account]

    def codes_issued(self, account: str, since: datetime, until: datetime) -> list[CodeIssue]:
        """Vault codes handed out for ``account`` with ``since <= at <= until``, oldest first
        (read once per batch and account, up to the batch's newest event)."""
        if self.store is None:
            return []
        have = self._codes.get(account)
        if have is None or have[0] > since or have[1] < until:
            from smguard.security.vault import codes_issued

            lo = since if have is None else min(since, have[0])
            hi = max(until, self.until_hint or until, have[1] if have else until)
            self._codes[account] = (lo, hi, codes_issued(self.store, account, lo, hi))
        issued = self._codes[account][2]
        return [c for c in issued if since <= c.at <= until]


_MAX_FINDINGS = 10


def verdict_facts(verdict: Verdict) -> dict[str, Any]:
    """The guard's verdict as evidence: the decision and the worst findings, both languages."""
    findings = sorted(verdict.findings, key=lambda f: -int(f.severity))[:_MAX_FINDINGS]
    return {
        "decision": verdict.decision,
        "findings": [
            {
                "rule": f.rule,
                "category": f.category,
                "severity": f.severity.label,
                "message": dict(f.message),
            }
            for f in findings
        ],
    }


def _url_key(url: str) -> str:
    return url.strip().rstrip("/").lower().removeprefix("https://").removeprefix("http://")


_WRAPPED = re.compile(r"https?://(?:t\.co|lnkd\.in)/[A-Za-z0-9]+", re.I)


def _link_maps(event: ActivityEvent) -> list[dict[str, str] | None]:
    """Ways to expand the platform's wrapped links (``t.co``) of a post: the connector's
    ``raw["link_expansions"]``, an archive's own ``entities.urls``, else the event's ``links``
    in order; plain as a last resort."""
    maps: list[dict[str, str] | None] = []
    raw = event.raw if isinstance(event.raw, Mapping) else {}
    expansions = raw.get("link_expansions")
    if isinstance(expansions, Mapping) and expansions:
        maps.append({str(k): str(v) for k, v in expansions.items()})
    entities = raw.get("entities")
    urls = entities.get("urls") if isinstance(entities, Mapping) else None
    if isinstance(urls, list):
        pairs = {
            str(u["url"]): str(u["expanded_url"])
            for u in urls
            if isinstance(u, Mapping) and u.get("url") and u.get("expanded_url")
        }
        if pairs:
            maps.append(pairs)
    wrapped = _WRAPPED.findall(event.text or "")
    expanded = [link for link in event.links if not _WRAPPED.fullmatch(link)]
    if wrapped and len(wrapped) == len(expanded):
        maps.append(dict(zip(wrapped, expanded, strict=True)))
    maps.append(None)
    return maps


# -- post text ---------------------------------------------------------------------------------


def post_text(text: str) -> str:
    """A live post as a reader sees it: Mastodon's HTML read as text, link anchors shown as
    their address (so that the guard's link rules see where they go)."""
    if "<" not in text or not re.search(r"</?[a-zA-Z][^<>]*>", text):
        import html

        return html.unescape(text)
    from html.parser import HTMLParser

    blocks = {"p", "br", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}

    class _Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.anchor: dict[str, str] | None = None
            self.anchor_text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in blocks:
                self.out.append("\n")
            elif tag == "a" and self.anchor is None:
                self.anchor = {k: v or "" for k, v in attrs}
                self.anchor_text = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "a" and self.anchor is not None:
                shown = "".join(self.anchor_text).strip()
                classes = self.anchor.get("class", "").split()
                href = self.anchor.get("href", "")
                word = "mention" in classes or "hashtag" in classes or shown[:1] in ("@", "#")
                self.out.append(f" {shown if word or not href else href} ")
                self.anchor = None
            elif tag in blocks:
                self.out.append("\n")

        def handle_data(self, data: str) -> None:
            (self.anchor_text if self.anchor is not None else self.out).append(data)

    reader = _Reader()
    reader.feed(text)
    reader.close()
    lines = ("".join(reader.out)).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


# -- running -----------------------------------------------------------------------------------

_SETS: weakref.WeakKeyDictionary[Store, DetectorSet] = weakref.WeakKeyDictionary()
_GUARDS: weakref.WeakKeyDictionary[Store, Guard] = weakref.WeakKeyDictionary()


def detectors_for(store: Store) -> DetectorSet:
    """The store's detectors, loaded once per store (process)."""
    found = _SETS.get(store)
    if found is None:
        found = load_detectors(store.config, store.pm)
        _SETS[store] = found
    return found


def guard_for(store: Store) -> Guard:
    """The guard every live post runs through, built once per store (process)."""
    found = _GUARDS.get(store)
    if found is None:
        from smguard.guard.engine import Guard

        found = Guard(store.config, store.pm)
        _GUARDS[store] = found
    return found


def process_events(
    store: Store,
    events: Sequence[ActivityEvent],
    *,
    now: datetime | None = None,
    history: HistoryFetch | None = None,
    guard: Guard | None = None,
) -> list[DetectionResult]:
    """Run every enabled detector over ``events`` (new, already stored), oldest first; open an
    incident or add a sighting for each event that sets one off. Returns what was done.

    :param history: where earlier events come from (default: :func:`smguard.watch.activity.
        recent_events` on ``store``).
    :param guard: the guard for live posts (default: one per store, built on first use).
    """
    if not events:
        return []
    detectors = detectors_for(store)
    settings = detectors.settings
    todo = sorted(
        (e for e in events if settings.since is None or e.at >= settings.since), key=_order
    )
    if not todo or not detectors.enabled:
        return []
    hist = History(history or _store_fetch(store))
    _prefetch(hist, todo, detectors.enabled)
    ctx = DetectContext(store.config, hist, store=store, now=now, guard=guard)
    ctx.until_hint = todo[-1].at + timedelta(days=1)
    ctx.since = settings.since
    if detectors.needs_guard:
        ctx.check_posts(todo)
    done = _already_detected(store, [e.id for e in todo])
    results: list[DetectionResult] = []
    pending: list[tuple[ActivityEvent, list[Detection]]] = []
    for event in todo:
        found: list[Detection] = []
        for detector in detectors.enabled:
            if event.kind not in detector.kinds or (detector.id, event.id) in done:
                continue
            try:
                found.extend(detector.detect(event, ctx))
            except Exception as exc:  # one broken detector must not blind the others
                log.exception("detector %s failed on event %s", detector.id, event.id)
                results.append(_detector_failed(store, detector, event, exc))
        if found:
            pending.append((event, found))
    # Incidents, their alerts and the detection records of up to _CHUNK events commit together.
    for start in range(0, len(pending), _CHUNK):
        with store.session() as session:
            for event, found in pending[start : start + _CHUNK]:
                result = _record(store, session, ctx, event, found)
                if result is not None:
                    results.append(result)
    return results


def _prefetch(
    hist: History, events: Sequence[ActivityEvent], detectors: Sequence[Detector]
) -> None:
    """One history query per (account, kind) for the whole batch."""
    lookback: dict[str, timedelta] = {}
    for d in detectors:
        for kind in d.history_kinds:
            lookback[kind] = max(lookback.get(kind, timedelta(0)), d.lookback)
    spans: dict[str, tuple[datetime, datetime]] = {}
    for e in events:
        lo, hi = spans.get(e.account, (e.at, e.at))
        spans[e.account] = (min(lo, e.at), max(hi, e.at))
    for account, (lo, hi) in spans.items():
        for kind, back in lookback.items():
            hist.load(account, kind, lo - back, hi + timedelta(seconds=1))


def _already_detected(store: Store, event_ids: Sequence[str]) -> set[tuple[str, str]]:
    from sqlalchemy import select

    from smguard.records.tables import DetectionRecord

    done: set[tuple[str, str]] = set()
    with store.session() as session:
        for start in range(0, len(event_ids), 500):
            chunk = list(event_ids[start : start + 500])
            rows = session.execute(
                select(DetectionRecord.detector, DetectionRecord.event_id).where(
                    DetectionRecord.event_id.in_(chunk)
                )
            ).all()
            done.update((d, e) for d, e in rows)
    return done


def _rank(kind: str) -> int:
    return INCIDENT_ORDER.index(kind) if kind in INCIDENT_ORDER else len(INCIDENT_ORDER)


def _event_evidence(event: ActivityEvent, ctx: DetectContext) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "kind": event.kind,
        "platform": event.platform,
        "source": event.source,
        "at": event.at.astimezone(UTC).isoformat(),
        "local_time": ctx.local_time(event),
    }
    for name in ("actor", "ip", "device", "country", "city", "latitude", "longitude", "url"):
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    if event.text:
        text = post_text(event.text) if event.kind == "post_published" else event.text
        out["text"] = text if len(text) <= _TEXT_IN_EVIDENCE else text[:_TEXT_IN_EVIDENCE] + "…"
    if event.links:
        out["links"] = list(event.links)
    return out


def _record(
    store: Store,
    session: Session,
    ctx: DetectContext,
    event: ActivityEvent,
    found: Sequence[Detection],
) -> DetectionResult | None:
    """Merge one event's detections into one incident; record them so a re-run skips them."""
    from smguard.records.incidents import open_incident_in

    lead = min(found, key=lambda d: (_rank(d.incident), -int(d.severity), d.detector))
    severity = max(d.severity for d in found)
    lang = store.config.guard.ui_language
    # What the person on duty reads first: what happened, then what to do, then the details.
    evidence: dict[str, Any] = {"summary": dict(lead.message)}
    if lead.incident == "unauthorized_post":
        evidence["containment"] = {
            lang_: [
                f"{n}. {fill(step, {'account': event.account})}" for n, step in enumerate(steps, 1)
            ]
            for lang_, steps in CONTAINMENT.items()
        }
    evidence["event"] = _event_evidence(event, ctx)
    verdict = ctx.checked(event)
    if verdict is not None:
        evidence["guard"] = verdict_facts(verdict)
    evidence["detections"] = [
        {
            "detector": d.detector,
            "name": d.name,
            "severity": d.severity.label,
            "message": dict(d.message),
            **({"facts": dict(d.facts)} if d.facts else {}),
        }
        for d in sorted(found, key=lambda d: (-int(d.severity), d.detector))
    ]
    title = localized(lead.message, lang)
    inserted = _claim(session, found, event)
    if not inserted:
        return None  # another watcher reported this event meanwhile
    row, created = open_incident_in(
        store,
        session,
        kind=lead.incident,
        severity=severity.label,
        title=title,
        dedupe_key=lead.dedupe_key,
        evidence=evidence,
        actor=ACTOR,
        account=event.account,
        category=lead.category,
    )
    if created and lead.incident in _CLARIFY_KINDS:
        # The incident's number is known only now: add the clarification commands.
        commands = {lng: f"smguard clarify draft {row.id} --lang {lng}" for lng in ("id", "en")}
        head = ("summary", "containment")
        row.evidence = {
            **{k: v for k, v in row.evidence.items() if k in head},
            "clarification": commands,
            **{k: v for k, v in row.evidence.items() if k not in head},
        }
    _link(session, inserted, row.id)
    return DetectionResult(
        incident_id=row.id,
        created=created,
        kind=row.kind,
        severity=row.severity,
        detector=lead.detector,
        detectors=tuple(sorted({d.detector for d in found})),
        event_id=event.id,
        account=event.account,
    )


def _claim(session: Session, found: Sequence[Detection], event: ActivityEvent) -> list[int]:
    """Insert a detection row per detector; the ones another watcher holds already are
    skipped (the unique (detector, event) index decides)."""
    from smguard.records.tables import DetectionRecord, utcnow

    now = utcnow()
    rows = [
        {
            "detector": detector,
            "event_id": event.id,
            "account": event.account,
            "event_at": event.at,
            "created_at": now,
        }
        for detector in sorted({d.detector for d in found})
    ]
    from smguard.records.upsert import insert_for

    stmt = insert_for(session, DetectionRecord).values(rows).on_conflict_do_nothing()
    return [int(i) for i in session.execute(stmt.returning(DetectionRecord.id)).scalars()]


def _link(session: Session, ids: Sequence[int], incident_id: int) -> None:
    from sqlalchemy import update

    from smguard.records.tables import DetectionRecord

    session.execute(
        update(DetectionRecord).where(DetectionRecord.id.in_(ids)).values(incident_id=incident_id)
    )


_FAILED = {
    "en": "Detector {detector} failed on an event of {account}: {error}",
    "id": "Detektor {detector} gagal memeriksa aktivitas {account}: {error}",
}


def _detector_failed(
    store: Store, detector: Detector, event: ActivityEvent, exc: Exception
) -> DetectionResult:
    """A crashed detector is an ``engine_failure`` incident: the watch is partly blind."""
    from smguard.records.incidents import open_incident

    error = f"{type(exc).__name__}: {exc}"[:300]
    values = {"detector": detector.id, "account": event.account, "error": error}
    incident, created = open_incident(
        store,
        kind="engine_failure",
        severity="medium",
        title=fill(localized(_FAILED, store.config.guard.ui_language), values),
        dedupe_key=f"engine_failure:detector:{detector.id}",
        evidence={
            "detector": detector.id,
            "event_id": event.id,
            "account": event.account,
            "error": error,
            "summary": {lang: fill(t, values) for lang, t in _FAILED.items()},
        },
        actor=ACTOR,
        account=event.account,
        category="integrity",
    )
    return DetectionResult(
        incident_id=incident.id,
        created=created,
        kind=incident.kind,
        severity=incident.severity,
        detector=detector.id,
        detectors=(detector.id,),
        event_id=event.id,
        account=event.account,
    )
