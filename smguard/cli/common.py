"""What the records commands share.

These helpers are used by ``smguard incidents``, ``clarify`` and ``audit``: opening the
store, who is acting (``--as NAME``, else ``$SMGUARD_ACTOR``, else the login name), reading times
(``7d``, ``24h``, ``2026-06-01``) and showing them in the account's time zone, and errors in the
user's language.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from smguard.cli.deprecated import RenamingGroup
from smguard.cli.main import Problem, State, ui_lang
from smguard.types import localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "RecordsGroup",
    "actor_option",
    "default_actor",
    "format_time",
    "open_store",
    "parse_since",
    "parse_time",
    "resolve_actor",
    "say",
]

F = TypeVar("F", bound=Callable[..., Any])


class RecordsGroup(RenamingGroup):
    """A command group whose refusals (``RecordError``) speak the user's language."""

    def invoke(self, ctx: click.Context) -> Any:
        from smguard.records.incidents import RecordError

        try:
            return super().invoke(ctx)
        except RecordError as exc:
            if os.environ.get("SMGUARD_DEBUG"):
                raise
            raise Problem(exc.text(ui_lang(ctx))) from None


def open_store(state: State) -> Store:
    """The store (configuration + database) for this invocation, opened once."""
    root = click.get_current_context().find_root()
    store: Store | None = root.meta.get("smguard.records.store")
    if store is None:
        from smguard.records.store import Store

        store = Store(state.config)
        root.meta["smguard.records.store"] = store
        root.call_on_close(store.db.dispose)
    return store


def default_actor() -> str:
    name = os.environ.get("SMGUARD_ACTOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def actor_option(required: bool = False) -> Callable[[F], F]:
    help_text = "Who is doing this (default: $SMGUARD_ACTOR, else your login name)."
    if required:
        help_text = "The name of the admin who does this (required)."
    return click.option("--as", "actor", required=required, metavar="NAME", help=help_text)


def resolve_actor(actor: str | None) -> str:
    return actor if actor is not None else default_actor()


def _zone(state: State, account: str | None = None) -> ZoneInfo:
    return state.config.account(account).tz  # type: ignore[no-any-return]


_RELATIVE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, state: State) -> datetime:
    """``7d`` / ``24h`` / ``30m`` / ``2w`` ago, or an ISO date or time (local zone if none)."""
    match = _RELATIVE.fullmatch(value.strip().lower())
    if match:
        amount, unit = match.groups()
        return datetime.now(_zone(state)) - timedelta(**{_UNITS[unit]: int(amount)})
    return parse_time(value, state, "--since")


def parse_time(value: str, state: State, option: str) -> datetime:
    """An ISO 8601 date or time; without a zone it is read in ``guard.timezone``."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Problem(say(_BAD_TIME, state, option=option, value=value)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_zone(state))
    return when


_BAD_TIME = {
    "en": "{option}: {value!r} is not a time: use 7d, 24h, 2026-06-01 or 2026-06-01T07:00+07:00",
    "id": "{option}: {value!r} bukan waktu: gunakan 7d, 24h, 2026-06-01 atau "
    "2026-06-01T07:00+07:00",
}


def format_time(when: datetime | None, state: State, account: str | None = None) -> str:
    """A stored (UTC) time as people read it: the account's zone, minutes, zone name."""
    if when is None:
        return "—"
    return when.astimezone(_zone(state, account)).strftime("%Y-%m-%d %H:%M %Z")


def say(texts: dict[str, str], state: State, **fields: Any) -> str:
    """Pick the user's language from ``{"en": …, "id": …}`` and fill in ``fields``."""
    return localized(texts, state.lang).format(**fields)
