"""``smguard watch``: poll one account — claim it, store each page with its cursor, run the
detectors — and count its failures until they become an incident."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smguard.errors import SmguardError
from smguard.types import ActivityEvent
from smguard.watch.connectors import PollingConnector, PollJob, WatchStopped
from smguard.watch.cursors import LeaseLost, claim_cursor, release_cursor, set_cursor
from smguard.watch.events import insert_new_events
from smguard.watch.pipeline import process_left_behind, run_detectors

if TYPE_CHECKING:
    import httpx

    from smguard.records.store import Store

__all__ = ["WATCH_ACTOR", "PollReport", "poll_account", "watched_accounts"]

log = logging.getLogger("smguard.watch.poll")

#: Who the watch acts as in the audit log and on incidents it opens.
WATCH_ACTOR = "smguard-watch"


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
