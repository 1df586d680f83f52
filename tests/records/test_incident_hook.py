"""The ``incident_changed`` hook: every change of an incident, inside its own transaction."""

from __future__ import annotations

from typing import Any

import pluggy
import pytest
from sqlalchemy import select

from smguard import hookimpl, hookspecs
from smguard.config import Config
from smguard.records import incidents as inc
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, Incident, IncidentNote


class Recorder:
    """A plugin that notes each call, and whether the change was already in its transaction."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[int, str, str, bool, list[str]]] = []
        self.fail_on = fail_on

    @hookimpl
    def incident_changed(self, store: Any, session: Any, incident: Any, event: str) -> None:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        self.calls.append((incident.id, event, incident.status, incident in session, actions))
        if event == self.fail_on:
            raise RuntimeError(f"subscriber failed on {event}")


def store_with(db: Any, plugin: Recorder) -> Store:
    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    pm.register(plugin, name="recorder")
    return Store(Config.from_dict({}), db, pm=pm)


def open_one(store: Store, severity: str = "medium") -> inc.Incident:
    incident, _ = inc.open_incident(
        store,
        kind="suspicious_login",
        severity=severity,
        title="Login from a new country",
        dedupe_key="login:kemkes:203.0.113.9",
        evidence={"ip": "203.0.113.9"},
        actor="watch",
        account="kemkes",
    )
    return incident


def test_every_step_of_the_lifecycle_is_announced_in_its_transaction(db: Any) -> None:
    recorder = Recorder()
    store = store_with(db, recorder)
    first = open_one(store)
    open_one(store)  # the same cause again: a sighting
    open_one(store, severity="critical")  # worse: an escalation
    inc.acknowledge(store, first.id, actor="budi")
    inc.add_note(store, first.id, "Password reset", actor="budi")
    inc.resolve(store, first.id, actor="ani", reason="Secured")
    assert [(i, event, status, inside) for i, event, status, inside, _ in recorder.calls] == [
        (first.id, "incident.opened", "open", True),
        (first.id, "incident.sighting", "open", True),
        (first.id, "incident.escalated:critical", "open", True),
        (first.id, "incident.acknowledged", "acknowledged", True),
        (first.id, "incident.noted", "acknowledged", True),
        (first.id, "incident.resolved", "resolved", True),
    ]
    # Called after the change's own audit event was written, before the commit.
    audit_so_far = [actions for *_, actions in recorder.calls]
    assert [a[-1] for a in audit_so_far] == [
        "incident.opened",
        "incident.sighting",
        "incident.sighting",
        "incident.acknowledged",
        "incident.noted",
        "incident.resolved",
    ]


@pytest.mark.parametrize("event", ["incident.opened", "incident.resolved"])
def test_a_failing_subscriber_rolls_the_change_back(db: Any, event: str) -> None:
    recorder = Recorder(fail_on=event)
    store = store_with(db, recorder)
    if event == "incident.opened":
        with pytest.raises(RuntimeError, match="subscriber failed"):
            open_one(store)
        with db.session() as s:
            assert list(s.scalars(select(Incident))) == []
            assert list(s.scalars(select(IncidentNote))) == []
            assert list(s.scalars(select(AuditEvent))) == []
        return
    incident = open_one(store)
    with pytest.raises(RuntimeError, match="subscriber failed"):
        inc.resolve(store, incident.id, actor="ani", reason="Secured")
    after = inc.get(store, incident.id)
    assert after.status == "open" and [n.kind for n in after.notes] == ["opened"]
