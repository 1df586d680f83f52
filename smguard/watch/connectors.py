"""Connectors: how smguard reads what happened on an account, and the registry of them.

Connectors are registered through the ``register_connectors`` hook and come in two kinds:

* an :class:`ExportConnector` reads a platform's export (an X archive, Meta's "Download your
  information", a JSONL feed) from a folder, a zip or a single file (an :class:`ExportSource`):
  ``smguard ingest``;
* a :class:`PollingConnector` reads a live API page by page from a cursor (Mastodon):
  ``smguard watch``.

Both return :class:`~smguard.types.ActivityEvent` objects with *stable* ids (:func:`stable_id`
for events whose platform gives them none). Connector-specific facts live in
``ActivityEvent.raw``; the keys shared across connectors are documented in ``docs/watch.md``
(``raw["link_expansions"]`` maps an X ``t.co`` link to where it goes — pass it to
:func:`smguard.guard.fingerprint.fingerprint`; ``raw["cookie"]`` is a browser cookie id from a Meta
export; ``raw["app"]`` describes a connected application).

Imports only the kernel (errors, types), so that loading a connector stays cheap.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Protocol, runtime_checkable

from smguard import safejson
from smguard.errors import InputError, PluginError, SmguardError
from smguard.types import ActivityEvent

if TYPE_CHECKING:
    import httpx
    import pluggy

    from smguard.config import AccountSettings, WatchSettings

__all__ = [
    "ConnectorError",
    "ExportConnector",
    "ExportError",
    "ExportSource",
    "PollJob",
    "PollPage",
    "PollingConnector",
    "WatchStopped",
    "connectors",
    "export_connectors",
    "load_json",
    "polling_connectors",
    "stable_id",
    "stream_json",
]


# -- errors ------------------------------------------------------------------------------------


class ExportError(InputError):
    """An export cannot be read: names the file and, where known, the line and column."""


class ConnectorError(SmguardError):
    """Polling one account failed (server down, token refused, account not found)."""


class WatchStopped(SmguardError):
    """The watch was asked to stop while a connector waited (between retries)."""


# -- helpers for connectors --------------------------------------------------------------------


def stable_id(*parts: object) -> str:
    """A short, stable hash of ``parts`` for events whose platform gives them no id."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: What reading a member of a zip or a file can raise (an encrypted member: RuntimeError).
_READ_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    OSError,
)


#: Where ``str.splitlines`` ends a line.
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"


def _export_error(err: safejson.SafeJsonError, where: str) -> ExportError:
    """``err`` as one line naming the file and, for a damaged document, the line and column."""
    if err.decode is None:
        return ExportError(f"{where}: refused: {err}")
    if err.truncated:
        why = "the file ends too early (truncated?)"
    else:
        why = f"{err.decode.msg.lower()} (damaged?)"
    return ExportError(f"{where}: not valid JSON at line {err.line}, column {err.column}: {why}")


def load_json(text: str, where: str, *, start: int = 0) -> Any:
    """``text[start:]`` read as JSON (strictly, see :mod:`smguard.safejson`); a damaged or
    hostile document raises :class:`ExportError` naming ``where`` and, for a damaged one, the
    line and column in ``text`` (so a file with a prefix counts it too)."""
    try:
        return safejson.loads(text, start)
    except safejson.SafeJsonError as err:
        raise _export_error(err, where) from None


def stream_json(stream: safejson.ArrayStream, where: str) -> Iterator[Any]:
    """The elements ``stream`` yields; a damaged or hostile document raises the
    :class:`ExportError` :func:`load_json` would raise for the whole text."""
    try:
        yield from stream
    except safejson.SafeJsonError as err:
        raise _export_error(err, where) from None


class ExportSource:
    """An export as a set of files: a folder, a zip, or one file (``names`` are POSIX paths)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: What a connector noticed but could still read past: ``(english, indonesian)``.
        self.warnings: list[tuple[str, str]] = []
        self._zip: zipfile.ZipFile | None = None
        self._read_so_far = 0
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

    def warn(self, en: str, id_: str) -> None:
        """Note something read past (a missing field): ``smguard ingest`` prints it."""
        if (en, id_) not in self.warnings:
            self.warnings.append((en, id_))

    def basename(self, name: str) -> str:
        return PurePosixPath(name).name

    #: Most bytes read from one member of an export, and from all of them together. A zip of a
    #: few megabytes can expand to gigabytes; reading stops at the limit, whatever the zip
    #: claims. Large JSON is streamed (:meth:`text_chunks`), so memory no longer grows with
    #: these: they bound the time an ingest takes and the events it holds before storing them.
    #: An X archive's tweets.js holds about 1,000 posts per megabyte; a larger export can be
    #: split, or these raised (``ExportSource.max_member_bytes``) in an integration.
    max_member_bytes = 32 << 20
    max_total_bytes = 256 << 20
    #: Bytes read at a time from a member when it is streamed.
    chunk_bytes = 64 << 10

    def _too_big(self, name: str, limit: int) -> ExportError:
        if limit == self.max_member_bytes:
            return ExportError(
                f"{self.where(name)}: larger than {_mib(self.max_member_bytes)} unpacked, "
                f"the most smguard reads from one file of an export"
            )
        return ExportError(
            f"{self.where(name)}: the export unpacks to more than "
            f"{_mib(self.max_total_bytes)} in all, the most smguard reads from one export"
        )

    def _open(self, name: str) -> tuple[IO[bytes], int]:
        """A member opened for reading, and the size its zip entry or file claims."""
        if self._zip is not None:
            return self._zip.open(name), self._zip.getinfo(name).file_size
        path = self.path if self.kind == "file" else self.path / name
        handle = path.open("rb")
        return handle, os.fstat(handle.fileno()).st_size

    def _unreadable(self, name: str, exc: Exception) -> ExportError:
        if isinstance(exc, RuntimeError) and not isinstance(exc, NotImplementedError):
            # an encrypted member (an unknown compression method is NotImplementedError)
            return ExportError(f"{self.where(name)}: cannot read: {exc}")
        if isinstance(exc, OSError):
            return ExportError(f"{self.where(name)}: cannot read: {exc.strerror or exc}")
        return ExportError(f"{self.where(name)}: damaged inside the zip ({exc})")

    def chunks(self, name: str, size: int | None = None) -> Iterator[bytes]:
        """A member's bytes, ``size`` (:attr:`chunk_bytes`) at a time, no further than
        :attr:`max_member_bytes` and the total. A member whose zip entry or file claims more is
        refused before anything is read; one that holds more than it claims, at the limit."""
        limit = min(self.max_member_bytes, self.max_total_bytes - self._read_so_far)
        size = size or self.chunk_bytes
        try:
            handle, claimed = self._open(name)
        except _READ_ERRORS as exc:
            raise self._unreadable(name, exc) from None
        with handle:
            if claimed > limit:
                raise self._too_big(name, limit)
            read = 0
            while True:
                try:
                    data = handle.read(min(size, limit + 1 - read))
                except _READ_ERRORS as exc:
                    raise self._unreadable(name, exc) from None
                if not data:
                    return
                read += len(data)
                if read > limit:
                    raise self._too_big(name, limit)
                self._read_so_far += len(data)
                yield data

    def text_chunks(self, name: str, size: int | None = None) -> Iterator[str]:
        """A member's text (UTF-8, a leading byte-order mark dropped), chunk by chunk, read as
        :meth:`chunks` reads it."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        fed = 0  # bytes given to the decoder, after the byte-order mark
        first: bytes | None = b""  # the first bytes, until it is known whether they are a mark
        try:
            for data in self.chunks(name, size):
                if first is not None:
                    first += data
                    if len(first) < len(codecs.BOM_UTF8) and codecs.BOM_UTF8.startswith(first):
                        continue
                    data, first = first.removeprefix(codecs.BOM_UTF8), None
                text = decoder.decode(data)
                fed += len(data)
                if text:
                    yield text
            text = decoder.decode(first or b"", final=True)
        except UnicodeDecodeError as exc:
            byte = fed - len(decoder.getstate()[0]) + exc.start + 1
            raise ExportError(
                f"{self.where(name)}: not UTF-8 text (byte {byte}): is this the right file?"
            ) from None
        if text:
            yield text

    def lines(self, name: str, size: int | None = None) -> Iterator[str]:
        """A member's lines, as ``read_text(name).splitlines()`` gives them, read chunk by
        chunk (one line and one chunk in memory at a time)."""
        pending: list[str] = []  # the line read so far, maybe ending in half of a "\r\n"
        for text in self.text_chunks(name, size):
            if _LINE_BREAK.search(text) is None and not (pending and pending[-1][-1] == "\r"):
                pending.append(text)
                continue
            pieces = ("".join(pending) + text).splitlines(keepends=True)
            pending = [pieces.pop()]
            for piece in pieces:
                yield piece.splitlines()[0]
        yield from "".join(pending).splitlines()

    def read_bytes(self, name: str) -> bytes:
        """A member's bytes, read no further than :attr:`max_member_bytes` (and the total)."""
        return b"".join(self.chunks(name, 1 << 20))

    def read_text(self, name: str) -> str:
        return "".join(self.text_chunks(name, 1 << 20))

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
    """Reads an export (``smguard ingest``); ``name`` is what ``--from`` selects."""

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
