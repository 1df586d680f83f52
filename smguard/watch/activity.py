"""Account activity: what connectors saw on an account, stored once, and where polling left off.

Connectors are registered through the ``register_connectors`` hook and come in two kinds:

* an :class:`ExportConnector` reads a platform's export (an X archive, Meta's "Download your
  information", a JSONL feed) from a folder, a zip or a single file: ``smguard ingest``;
* a :class:`PollingConnector` reads a live API page by page from a cursor (Mastodon):
  ``smguard watch``.

Both return :class:`~smguard.types.ActivityEvent` objects with *stable* ids. This module stores
them (:func:`store_events` drops an id that is already stored, race-free on PostgreSQL through the
primary key and ``ON CONFLICT DO NOTHING``), hands the new ones to the detectors
(``smguard.watch.detect.process_events``), and keeps one cursor per account and connector in the
database (:func:`get_cursor`, :func:`set_cursor`), with a lease (:func:`claim_cursor`) so that two
``smguard watch`` processes on one PostgreSQL never poll the same account at once.

For detectors: :func:`recent_events` answers "what happened on this account before?", newest
first. Connector-specific facts live in ``ActivityEvent.raw``; the keys shared across connectors
are documented in ``docs/watch.md`` (``raw["link_expansions"]`` maps an X ``t.co`` link to where
it goes — pass it to :func:`smguard.guard.fingerprint.fingerprint`; ``raw["cookie"]`` is a browser
cookie id from a Meta export; ``raw["app"]`` describes a connected application).

Crash safety: an event is stored with ``processed_at`` empty and marked once the detectors have run
over it. Events that a crashed process stored but never processed are picked up again by the next
``watch`` cycle or ``ingest`` of the account (after :data:`PENDING_GRACE`, so that a run still in
progress elsewhere is not doubled).
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from smguard.errors import InputError, PluginError, SmguardError
from smguard.records.tables import ActivityEventRow, Base, WatchCursor, utcnow
from smguard.records.upsert import insert_for
from smguard.types import ActivityEvent

if TYPE_CHECKING:
    import httpx
    import pluggy

    from smguard.config import AccountSettings, WatchSettings
    from smguard.records.store import Store

__all__ = [
    "PENDING_GRACE",
    "ConnectorError",
    "CursorState",
    "ExportConnector",
    "ExportError",
    "ExportSource",
    "IngestReport",
    "LeaseLost",
    "PollJob",
    "PollPage",
    "PollReport",
    "PollingConnector",
    "WatchStopped",
    "claim_cursor",
    "connectors",
    "export_connectors",
    "get_cursor",
    "ingest",
    "load_json",
    "poll_account",
    "polling_connectors",
    "recent_events",
    "release_cursor",
    "run_detectors",
    "set_cursor",
    "stable_id",
    "store_events",
    "watched_accounts",
]

log = logging.getLogger("smguard.watch.activity")

#: Events stored this long ago and still not processed were left behind by a crashed run.
PENDING_GRACE = timedelta(minutes=5)
#: Rows per INSERT statement (SQLite allows 32,766 bound values; 19 columns × 500 stays below).
_CHUNK = 500
#: Who the watch acts as in the audit log and on incidents it opens.
WATCH_ACTOR = "smguard-watch"


# -- errors ------------------------------------------------------------------------------------


class ExportError(InputError):
    """An export cannot be read: names the file and, where known, the line and column."""


class ConnectorError(SmguardError):
    """Polling one account failed (server down, token refused, account not found)."""


class WatchStopped(SmguardError):
    """The watch was asked to stop while a connector waited (between retries)."""


class LeaseLost(SmguardError):
    """Another watcher took the account over (this one held it past its lease)."""


# -- helpers for connectors --------------------------------------------------------------------


def stable_id(*parts: object) -> str:
    """A short, stable hash of ``parts`` for events whose platform gives them no id."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def load_json(text: str, where: str, *, start: int = 0) -> Any:
    """``json.loads(text[start:])``; a damaged document raises :class:`ExportError` naming
    ``where`` and the line and column in ``text`` (so a file with a prefix counts it too)."""
    try:
        return json.loads(text[start:] if start else text)
    except json.JSONDecodeError as exc:
        pos = start + exc.pos
        line, col = _line_col(text, pos)
        if not text[pos:].strip() or exc.msg.startswith("Unterminated string"):
            why = "the file ends too early (truncated?)"
        else:
            why = f"{exc.msg.lower()} (damaged?)"
        raise ExportError(f"{where}: not valid JSON at line {line}, column {col}: {why}") from None


class ExportSource:
    """An export as a set of files: a folder, a zip, or one file (``names`` are POSIX paths)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            self.kind = "folder"
            self.names = sorted(
                p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()
            )
        elif zipfile.is_zipfile(path):
            self.kind = "zip"
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ExportError(f"{path}: not a readable zip file ({exc})") from None
            self.names = sorted(i.filename for i in self._zip.infolist() if not i.is_dir())
        elif path.is_file():
            self.kind = "file"
            self.names = [path.name]
        elif path.exists():
            raise ExportError(f"{path}: neither a file nor a folder")
        else:
            raise ExportError(f"{path}: no such file or folder")
        if self.kind == "file" and path.suffix.lower() == ".zip":
            raise ExportError(f"{path}: not a readable zip file (truncated download?)")

    @classmethod
    def open(cls, path: str | Path) -> ExportSource:
        return cls(Path(path))

    def where(self, name: str) -> str:
        """How a member is named in messages: ``export.zip:data/tweets.js``, ``dir/data/x.js``."""
        if self.kind == "zip":
            return f"{self.path.name}:{name}"
        if self.kind == "file":
            return str(self.path)
        return str(self.path / name)

    def basename(self, name: str) -> str:
        return PurePosixPath(name).name

    def read_text(self, name: str) -> str:
        try:
            if self._zip is not None:
                data = self._zip.read(name)
            elif self.kind == "file":
                data = self.path.read_bytes()
            else:
                data = (self.path / name).read_bytes()
        except (zipfile.BadZipFile, EOFError) as exc:
            raise ExportError(f"{self.where(name)}: damaged inside the zip ({exc})") from None
        except OSError as exc:
            raise ExportError(f"{self.where(name)}: cannot read: {exc.strerror or exc}") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportError(
                f"{self.where(name)}: not UTF-8 text (byte {exc.start + 1}): "
                "is this the right file?"
            ) from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- connectors --------------------------------------------------------------------------------


@runtime_checkable
class ExportConnector(Protocol):
    """Reads an export (``smguard ingest``); ``name`` is what ``--format`` selects."""

    name: str
    platform: str
    description: str

    def recognises(self, source: ExportSource) -> bool:
        """Whether ``source`` looks like this connector's export (cheap: file names only)."""

    def read(
        self, source: ExportSource, account: str | None, platform: str | None
    ) -> list[ActivityEvent]:
        """Every event of the export; raise :class:`ExportError` on anything malformed.

        ``account`` is ``--account`` (a JSONL feed may name accounts per line instead);
        ``platform`` is the account's configured platform, if any.
        """


@dataclass
class PollJob:
    """What a polling connector gets for one account in one cycle."""

    account: str
    settings: AccountSettings
    watch: WatchSettings
    #: The connector's last saved cursor for this account (``None`` before the first poll).
    cursor: Mapping[str, Any] | None
    http: httpx.Client
    #: Pause between retries; returns True when the watch is asked to stop meanwhile.
    sleep: Callable[[float], bool]


@dataclass(frozen=True)
class PollPage:
    """Events read since the cursor, and the cursor to save once they are stored."""

    events: Sequence[ActivityEvent]
    cursor: Mapping[str, Any]


@runtime_checkable
class PollingConnector(Protocol):
    """Reads a live API for ``smguard watch``, resuming from a saved cursor."""

    name: str
    platform: str
    description: str

    def watches(self, settings: AccountSettings) -> bool:
        """Whether the account's configuration asks this connector to poll it."""

    def poll(self, job: PollJob) -> Iterator[PollPage]:
        """Yield pages in order; each page's cursor is saved with its events before the next
        page is requested. Raise :class:`ConnectorError` with a one-line reason on failure."""


def connectors(pm: pluggy.PluginManager) -> dict[str, Any]:
    """Every registered connector by name (a duplicate name is a plugin error)."""
    found: dict[str, Any] = {}

    def register(connector: Any) -> None:
        name = getattr(connector, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"connector {connector!r} has no name")
        if not isinstance(connector, ExportConnector | PollingConnector):
            raise PluginError(
                f"connector {name!r} is neither an export connector (recognises, read) "
                "nor a polling connector (watches, poll)"
            )
        if name in found:
            raise PluginError(f"two connectors are named {name!r}")
        found[name] = connector

    pm.hook.register_connectors(register=register)
    return found


def export_connectors(pm: pluggy.PluginManager) -> dict[str, ExportConnector]:
    return {n: c for n, c in connectors(pm).items() if isinstance(c, ExportConnector)}


def polling_connectors(pm: pluggy.PluginManager) -> dict[str, PollingConnector]:
    return {n: c for n, c in connectors(pm).items() if isinstance(c, PollingConnector)}


# -- storing events ----------------------------------------------------------------------------


def _row(event: ActivityEvent, now: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "account": event.account,
        "platform": event.platform,
        "kind": event.kind,
        "at": event.at,
        "source": event.source,
        "actor": event.actor,
        "ip": event.ip,
        "device": event.device,
        "country": event.country,
        "city": event.city,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "text": event.text,
        "url": event.url,
        "links": list(event.links),
        "raw": dict(event.raw),
        "ingested_at": now,
        "processed_at": None,
    }


def _event(row: ActivityEventRow) -> ActivityEvent:
    return ActivityEvent(
        id=row.id,
        account=row.account,
        platform=row.platform,
        kind=row.kind,
        at=row.at,
        source=row.source,
        actor=row.actor,
        ip=row.ip,
        device=row.device,
        country=row.country,
        city=row.city,
        latitude=row.latitude,
        longitude=row.longitude,
        text=row.text,
        url=row.url,
        links=tuple(row.links or ()),
        raw=row.raw or {},
    )


def _insert(session: Session, model: type[Base]) -> Any:
    """The dialect's INSERT (with ON CONFLICT) for ``model``'s table (see :func:`insert_for`)."""
    return insert_for(session, model.metadata.tables[model.__tablename__])


def insert_new_events(session: Session, events: Iterable[ActivityEvent]) -> list[ActivityEvent]:
    """:func:`store_events` inside an open transaction."""
    unique: dict[str, ActivityEvent] = {}
    for event in events:
        unique.setdefault(event.id, event)
    if not unique:
        return []
    now = utcnow()
    batch = list(unique.values())
    if session.get_bind().dialect.name == "postgresql":
        inserted = _insert_postgresql(session, batch, now)
    else:
        stmt = (
            _insert(session, ActivityEventRow)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(ActivityEventRow.id)
        )
        inserted = set()
        for start in range(0, len(batch), _CHUNK):
            rows = [_row(e, now) for e in batch[start : start + _CHUNK]]
            inserted.update(session.execute(stmt, rows).scalars())
    return [e for e in batch if e.id in inserted]


_COLUMNS = tuple(ActivityEventRow.metadata.tables[ActivityEventRow.__tablename__].columns.keys())
_JSON_COLUMNS = frozenset({"links", "raw"})
#: Rows per pipelined executemany on PostgreSQL (bounds the parameters held in memory).
_PG_CHUNK = 2000


def _insert_postgresql(session: Session, batch: Sequence[ActivityEvent], now: datetime) -> set[str]:
    """psycopg's pipelined ``executemany`` of one short prepared INSERT: the multi-row VALUES
    that SQLAlchemy renders costs psycopg more to parse in Python than the database to run."""
    from psycopg.types.json import Json

    sql = (
        f"INSERT INTO {ActivityEventRow.__tablename__} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT (id) DO NOTHING RETURNING id"
    )
    inserted: set[str] = set()
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a live psycopg connection inside the session's transaction
    with driver.cursor() as cursor:
        for start in range(0, len(batch), _PG_CHUNK):
            params = []
            for event in batch[start : start + _PG_CHUNK]:
                row = _row(event, now)
                params.append(
                    tuple(Json(row[c]) if c in _JSON_COLUMNS else row[c] for c in _COLUMNS)
                )
            cursor.executemany(sql, params, returning=True)
            while True:
                inserted.update(r[0] for r in cursor.fetchall())
                if not cursor.nextset():
                    break
    return inserted


def store_events(
    store: Store, events: Sequence[ActivityEvent], *, session: Session | None = None
) -> list[ActivityEvent]:
    """Store ``events`` in one transaction; return only those not stored before, in order.

    Two processes storing the same event at once both succeed and exactly one of them gets it
    back as new. ``session``: use this open transaction instead of a new one.
    """
    if session is not None:
        return insert_new_events(session, events)
    with store.session() as own:
        return insert_new_events(own, events)


def recent_events(
    store: Store,
    account: str,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[ActivityEvent]:
    """The account's stored events, newest first: ``since`` <= at < ``until``, of ``kinds``."""
    query = select(ActivityEventRow).where(ActivityEventRow.account == account)
    if kinds is not None:
        query = query.where(ActivityEventRow.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(ActivityEventRow.at >= since)
    if until is not None:
        query = query.where(ActivityEventRow.at < until)
    query = query.order_by(ActivityEventRow.at.desc(), ActivityEventRow.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [_event(row) for row in session.scalars(query)]


# -- detectors ---------------------------------------------------------------------------------


def _detector() -> Callable[..., list[Any]]:
    """``smguard.watch.detect.process_events`` (imported on first use; tests stand in for it)."""
    from smguard.watch.detect import process_events

    return process_events


def _mark_processed(store: Store, ids: Sequence[str]) -> None:
    now = utcnow()
    with store.session() as session:
        for start in range(0, len(ids), _CHUNK):
            session.execute(
                update(ActivityEventRow)
                .where(ActivityEventRow.id.in_(ids[start : start + _CHUNK]))
                .values(processed_at=now)
            )


def run_detectors(
    store: Store, events: Sequence[ActivityEvent], *, now: datetime | None = None
) -> list[Any]:
    """Run the detectors over stored, new ``events`` and mark them processed."""
    if not events:
        return []
    results = _detector()(store, events, now=now)
    _mark_processed(store, [e.id for e in events])
    return results


def _left_behind(store: Store, account: str, limit: int = 5000) -> list[ActivityEvent]:
    """Events of ``account`` that a crashed run stored but never handed to the detectors."""
    cutoff = utcnow() - PENDING_GRACE
    query = (
        select(ActivityEventRow)
        .where(
            ActivityEventRow.account == account,
            ActivityEventRow.processed_at.is_(None),
            ActivityEventRow.ingested_at < cutoff,
        )
        .order_by(ActivityEventRow.at, ActivityEventRow.id)
        .limit(limit)
    )
    with store.session() as session:
        return [_event(row) for row in session.scalars(query)]


def process_left_behind(store: Store, account: str) -> list[Any]:
    return run_detectors(store, _left_behind(store, account))


# -- ingest ------------------------------------------------------------------------------------


@dataclass
class IngestReport:
    path: str
    format: str
    #: Events in the export (after dropping repeats within it).
    total: int
    new: list[ActivityEvent]
    detections: list[Any] = field(default_factory=list)

    @property
    def known(self) -> int:
        return self.total - len(self.new)


def _pick_connector(
    available: Mapping[str, ExportConnector], source: ExportSource, fmt: str, platform: str | None
) -> ExportConnector:
    if fmt != "auto":
        if fmt not in available:
            raise InputError(
                f"--format {fmt}: unknown export format (one of auto, {', '.join(available)})"
            )
        return available[fmt]
    matches = [c for c in available.values() if c.recognises(source)]
    if len(matches) > 1 and platform:
        same = [c for c in matches if c.platform == platform]
        matches = same or matches
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ExportError(
            f"{source.path}: not an export smguard knows (an X archive with data/tweets.js, an "
            "Instagram or Facebook 'Download your information' JSON export, or a .jsonl feed); "
            "name the format with --format"
        )
    names = ", ".join(c.name for c in matches)
    raise ExportError(f"{source.path}: could be more than one format ({names}); use --format")


def ingest(
    store: Store,
    path: str | Path,
    *,
    account: str | None,
    fmt: str = "auto",
    actor: str,
    now: datetime | None = None,
) -> IngestReport:
    """Read a whole export, then store its events in one transaction and run the detectors.

    A damaged export raises :class:`ExportError` before anything is stored.
    """
    platform = store.config.account(account).platform if account else None
    with ExportSource.open(path) as source:
        connector = _pick_connector(export_connectors(store.pm), source, fmt, platform)
        events = connector.read(source, account, platform)
    total = len({e.id for e in events})
    with store.session() as session:
        new = insert_new_events(session, events)
        store.audit(
            session,
            "activity.ingested",
            actor=actor,
            subject=f"account:{account}" if account else None,
            details={
                "file": Path(path).name,
                "format": connector.name,
                "events": total,
                "new": len(new),
                "kinds": dict(Counter(e.kind for e in new)),
            },
        )
    detections: list[Any] = []
    for name in sorted({e.account for e in new}):
        detections += process_left_behind(store, name)
    detections += run_detectors(store, new, now=now)
    return IngestReport(str(path), connector.name, total, new, detections)


# -- cursors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CursorState:
    """An account's cursor row as one watcher claimed it."""

    cursor: Mapping[str, Any] | None
    failures: int
    last_error: str | None
    last_ok_at: datetime | None


def _ensure_row(session: Session, account: str, connector: str, now: datetime) -> None:
    session.execute(
        _insert(session, WatchCursor)
        .values(account=account, connector=connector, cursor={}, updated_at=now, failures=0)
        .on_conflict_do_nothing(index_elements=["account", "connector"])
    )


def get_cursor(store: Store, account: str, connector: str) -> dict[str, Any] | None:
    """The saved cursor of ``account`` for ``connector`` (``None`` before its first poll)."""
    with store.session() as session:
        row = session.get(WatchCursor, (account, connector))
        return dict(row.cursor) if row is not None and row.cursor else None


def set_cursor(
    store: Store,
    account: str,
    connector: str,
    cursor: Mapping[str, Any],
    *,
    owner: str | None = None,
    lease_s: float | None = None,
    session: Session | None = None,
) -> None:
    """Save a cursor. With ``owner``, only while that watcher still holds the account's lease
    (renewed by ``lease_s``); otherwise :class:`LeaseLost` is raised and nothing is saved."""
    if session is None:
        with store.session() as own:
            set_cursor(store, account, connector, cursor, owner=owner, lease_s=lease_s, session=own)
        return
    now = utcnow()
    value = dict(cursor)
    if owner is None:
        session.execute(
            _insert(session, WatchCursor)
            .values(account=account, connector=connector, cursor=value, updated_at=now, failures=0)
            .on_conflict_do_update(
                index_elements=["account", "connector"],
                set_={"cursor": value, "updated_at": now},
            )
        )
        return
    changes: dict[str, Any] = {"cursor": value, "updated_at": now}
    if lease_s is not None:
        changes["lease_until"] = now + timedelta(seconds=lease_s)
    done = session.execute(
        update(WatchCursor)
        .where(
            WatchCursor.account == account,
            WatchCursor.connector == connector,
            WatchCursor.lease_owner == owner,
            WatchCursor.lease_until >= now,
        )
        .values(**changes)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise LeaseLost(
            f"{account}: another watcher took this account over; this one stops polling it"
        )


def claim_cursor(
    store: Store,
    account: str,
    connector: str,
    owner: str,
    *,
    lease_s: float,
    now: datetime | None = None,
) -> CursorState | None:
    """Take the account's lease for ``lease_s`` seconds; ``None`` while another watcher has it.

    One conditional UPDATE decides, so on PostgreSQL two watchers racing for an account end with
    one holder (the loser's update finds the lease taken once the winner commits).
    """
    at = now or utcnow()
    with store.session() as session:
        _ensure_row(session, account, connector, at)
        done = session.execute(
            update(WatchCursor)
            .where(
                WatchCursor.account == account,
                WatchCursor.connector == connector,
                or_(
                    WatchCursor.lease_until.is_(None),
                    WatchCursor.lease_until < at,
                    WatchCursor.lease_owner == owner,
                ),
            )
            .values(lease_owner=owner, lease_until=at + timedelta(seconds=lease_s))
        )
        if getattr(done, "rowcount", 0) != 1:
            return None
        row = session.get(WatchCursor, (account, connector))
        assert row is not None
        return CursorState(
            cursor=dict(row.cursor) if row.cursor else None,
            failures=row.failures,
            last_error=row.last_error,
            last_ok_at=row.last_ok_at,
        )


def release_cursor(
    store: Store,
    account: str,
    connector: str,
    owner: str,
    *,
    error: str | None = None,
    session: Session | None = None,
) -> int:
    """Give the lease back and record the cycle's outcome; returns failures in a row (0: ok)."""
    if session is None:
        with store.session() as own:
            return release_cursor(store, account, connector, owner, error=error, session=own)
    now = utcnow()
    row = session.get(WatchCursor, (account, connector))
    if row is None:
        return 0
    if error is None:
        changes: dict[str, Any] = {"failures": 0, "last_error": None, "last_ok_at": now}
    else:
        changes = {"failures": row.failures + 1, "last_error": error, "last_error_at": now}
    session.execute(
        update(WatchCursor)
        .where(
            and_(
                WatchCursor.account == account,
                WatchCursor.connector == connector,
                or_(WatchCursor.lease_owner == owner, WatchCursor.lease_owner.is_(None)),
            )
        )
        .values(lease_owner=None, lease_until=None, **changes)
    )
    return int(changes["failures"])


# -- polling -----------------------------------------------------------------------------------


@dataclass
class PollReport:
    """How one account's poll went."""

    account: str
    connector: str
    #: ok, failed, busy (another watcher has it) or stopped (asked to stop between pages).
    status: str = "ok"
    new: list[ActivityEvent] = field(default_factory=list)
    error: str | None = None
    failures: int = 0
    #: Failures in a row before this good poll (0: the last poll was fine too).
    recovered_after: int = 0
    incident_id: int | None = None
    detections: list[Any] = field(default_factory=list)


def watched_accounts(
    store: Store, available: Mapping[str, PollingConnector]
) -> list[tuple[str, PollingConnector]]:
    """(account, connector) for every configured account that a polling connector watches."""
    out: list[tuple[str, PollingConnector]] = []
    for name, settings in store.config.accounts.items():
        for connector in available.values():
            if connector.watches(settings):
                out.append((name, connector))
    return out


def _open_failure_incident(store: Store, report: PollReport) -> int | None:
    from smguard.records.incidents import open_incident

    incident, _created = open_incident(
        store,
        kind="engine_failure",
        severity="high",
        title=f"smguard cannot watch {report.account} ({report.connector}): {report.error}",
        dedupe_key=f"watch_failure:{report.account}:{report.connector}",
        evidence={
            "account": report.account,
            "connector": report.connector,
            "error": report.error,
            "failures_in_a_row": report.failures,
        },
        actor=WATCH_ACTOR,
        account=report.account,
        category="integrity",
    )
    return incident.id


def poll_account(
    store: Store,
    connector: PollingConnector,
    account: str,
    *,
    owner: str,
    http: httpx.Client,
    sleep: Callable[[float], bool],
    stopping: Callable[[], bool] = lambda: False,
    now: datetime | None = None,
) -> PollReport:
    """Poll one account: claim it, store each page with its cursor, run the detectors.

    Never raises for the account's own trouble (a dead server, a refused token, a bug in a
    connector): the report says what went wrong, the failure is counted on the cursor row and
    audited, and after ``[watch] failures_before_incident`` failures in a row an
    ``engine_failure`` incident is opened (a sighting every so many failures after that).
    """
    watch = store.config.watch
    report = PollReport(account, connector.name)
    state = claim_cursor(store, account, connector.name, owner, lease_s=watch.lease_s)
    if state is None:
        report.status = "busy"
        return report
    job = PollJob(
        account=account,
        settings=store.config.account(account),
        watch=watch,
        cursor=state.cursor,
        http=http,
        sleep=sleep,
    )
    error: str | None = None
    try:
        pages = connector.poll(job)
        try:
            for page in pages:
                with store.session() as session:
                    new = insert_new_events(session, page.events)
                    set_cursor(
                        store, account, connector.name, page.cursor,
                        owner=owner, lease_s=watch.lease_s, session=session,
                    )  # fmt: skip
                    if new:
                        store.audit(
                            session,
                            "activity.polled",
                            actor=WATCH_ACTOR,
                            subject=f"account:{account}",
                            details={
                                "connector": connector.name,
                                "new": len(new),
                                "kinds": dict(Counter(e.kind for e in new)),
                            },
                        )
                report.new += new
                if stopping():
                    report.status = "stopped"
                    break
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
    except WatchStopped:
        report.status = "stopped"
    except LeaseLost as exc:
        report.status, report.error = "busy", str(exc)
        return report
    except SmguardError as exc:  # ConnectorError, or the database refusing a page
        error = str(exc)
    except Exception as exc:  # a connector's bug must not stop the other accounts
        log.exception("connector %s failed on account %s", connector.name, account)
        error = f"internal error in connector {connector.name}: {type(exc).__name__}: {exc}"
    try:
        report.detections = process_left_behind(store, account) + run_detectors(
            store, report.new, now=now
        )
    except Exception as exc:
        log.exception("the detectors failed on %d new events of %s", len(report.new), account)
        error = error or f"the detectors failed: {type(exc).__name__}: {exc}"
    if report.status == "stopped" and error is None:
        release_cursor(store, account, connector.name, owner)
        return report
    with store.session() as session:
        report.failures = release_cursor(
            store, account, connector.name, owner, error=error, session=session
        )
        if error is not None:
            report.status, report.error = "failed", error
            if report.failures == 1 or error != state.last_error:
                store.audit(
                    session,
                    "watch.failed",
                    actor=WATCH_ACTOR,
                    subject=f"account:{account}",
                    details={
                        "connector": connector.name,
                        "error": error,
                        "failures": report.failures,
                    },
                )
        elif state.failures:
            report.recovered_after = state.failures
            store.audit(
                session,
                "watch.recovered",
                actor=WATCH_ACTOR,
                subject=f"account:{account}",
                details={"connector": connector.name, "after_failures": state.failures},
            )
    threshold = watch.failures_before_incident
    if error is not None and report.failures >= threshold and report.failures % threshold == 0:
        report.incident_id = _open_failure_incident(store, report)
    return report
