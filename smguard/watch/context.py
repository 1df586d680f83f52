"""What a detector may consult while it looks at one batch of events: the :class:`DetectContext`.

The account's settings, its earlier events (:class:`History`: fetched once per account, kind and
batch, then sliced), the publish ledger (was this live post approved?), the guard's verdict on a
live post and the vault's log of codes handed out.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from smguard.types import ActivityEvent
from smguard.watch.posttext import carried_text, link_maps, post_text, url_key

if TYPE_CHECKING:
    from smguard.config import AccountSettings, Config
    from smguard.guard.engine import Guard
    from smguard.records.store import Store
    from smguard.records.tables import LedgerEntry
    from smguard.security.vault import CodeIssue
    from smguard.types import Verdict

__all__ = [
    "LEDGER_GRACE",
    "DetectContext",
    "History",
    "HistoryFetch",
    "LedgerMatch",
    "event_order",
    "guard_for",
    "once_per_store",
]

T = TypeVar("T")

#: ``fetch(account, kinds, since, until)`` → stored events of those kinds in that time range.
HistoryFetch = Callable[[str, Sequence[str], datetime, datetime], Sequence[ActivityEvent]]


def event_order(event: ActivityEvent) -> tuple[datetime, str]:
    """How events are ordered: by time, then id (two events at the same second keep an order)."""
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
            key=event_order,
        )
        self._events[key] = events
        self._keys[key] = [event_order(e) for e in events]
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
        out.sort(key=event_order)
        return out[-last:] if last is not None and last < len(out) else out

    def ensure(self, account: str, kinds: Iterable[str], since: datetime, until: datetime) -> None:
        """Make sure events of ``kinds`` from ``since`` to ``until`` are loaded."""
        for kind in kinds:
            self.load(account, kind, since, until)

    def loaded(self, account: str, kinds: Iterable[str]) -> list[ActivityEvent]:
        """Every event of ``kinds`` fetched so far for ``account``, oldest first."""
        out = [e for kind in kinds for e in self._events.get((account, kind), [])]
        out.sort(key=event_order)
        return out


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
            event.account, kinds, since, event.at, before=event_order(event), last=last
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
            carried = carried_text(e.raw) if isinstance(e.raw, Mapping) else []
            if carried:  # poll options, image descriptions: read after the post
                text = "\n\n".join([text, *carried])
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
                urls={url_key(r.url) for r in rows if r.url},
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
        candidates = link_maps(event)
        prints = [fingerprint(text, links) for links in candidates]
        if post_text(text).strip():  # an image-only post is matched by its URL or id only
            for fp in prints:
                if fp in ledger.fingerprints:
                    return LedgerMatch(True, fp, "fingerprint", ledger.entries)
        if event.url and url_key(event.url) in ledger.urls:
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


def once_per_store(
    cache: weakref.WeakKeyDictionary[Store, T], store: Store, build: Callable[[], T]
) -> T:
    """``cache[store]``, built the first time it is asked for (and forgotten with the store)."""
    found = cache.get(store)
    if found is None:
        found = cache[store] = build()
    return found


_GUARDS: weakref.WeakKeyDictionary[Store, Guard] = weakref.WeakKeyDictionary()


def guard_for(store: Store) -> Guard:
    """The guard every live post runs through, built once per store (process)."""

    def build() -> Guard:
        from smguard.guard.engine import Guard

        return Guard(store.config, store.pm)

    return once_per_store(_GUARDS, store, build)
