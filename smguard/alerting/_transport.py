"""Sending webhooks safely: timeouts everywhere, no redirects, no private targets, no leaks.

* Every request has connect/read/write/pool timeouts (``[alerts] timeout_s``), and at most
  16 KiB of an answer is read, within twice that time. (Name resolution uses the system
  resolver and its own timeout.)
* Redirects are never followed: a 3xx is a failed delivery (a redirect could point inside the
  network, and it usually means the webhook URL is wrong).
* Unless ``[alerts] allow_private_targets = true``, a target whose host resolves to a loopback,
  private, link-local, shared, multicast or otherwise non-global address is refused. The check
  happens in the connection layer, on the very address the socket connects to, so a DNS answer
  that changes between "check" and "connect" (DNS rebinding) cannot slip through.
* Error messages name the target as ``scheme://host`` only and are scrubbed of every secret the
  sink used (webhook URL, its path, bot token, HMAC key); so are httpx's own log records, which
  would otherwise print each request's full URL.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from smguard._version import __version__
from smguard.errors import SmguardError
from smguard.httputil import retry_after

__all__ = [
    "AlertHttp",
    "DeliveryError",
    "TargetRefused",
    "WebhookRequest",
    "is_public_address",
    "redact_url",
    "scrub",
]

_MAX_DETAIL = 200
_MAX_BODY = 16 * 1024


class DeliveryError(SmguardError):
    """An alert could not be delivered; the message is safe to log (no secrets)."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TargetRefused(DeliveryError):
    """The target resolves to an address alerts may not be sent to."""


@dataclass(frozen=True)
class WebhookRequest:
    """One HTTP POST a sink wants sent; ``secrets`` are scrubbed from any error about it."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: Sequence[str] = ()


def redact_url(url: str) -> str:
    """``scheme://host[:port]`` — never the path, query or credentials that hold the secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    if ":" in host:
        host = f"[{host}]"
    scheme = parts.scheme or "?"
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and the path part of secret URLs) replaced by ``***``."""
    pieces: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        if "://" in secret:
            try:
                parts = urlsplit(secret)
            except ValueError:  # a malformed URL: the whole of it is already a piece
                continue
            for piece in (parts.path, parts.query, parts.username, parts.password):
                if piece and len(piece) >= 4:
                    pieces.add(piece)
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, "***")
    return text


def _checked_scheme(url: str, target: str) -> str:
    """The URL's scheme, or a :class:`DeliveryError` naming what is malformed (no traceback)."""
    try:
        parts = urlsplit(url)
        _ = parts.port
        if parts.hostname is None:
            raise ValueError("no host")
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        reason = str(exc).replace(url, target)
        raise DeliveryError(f"{target}: not a valid URL ({reason[:200]})") from None
    return parts.scheme.lower()


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses; False for loopback, private, link-local…"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if any(ip in net for net in _NEVER_PUBLIC if net.version == ip.version):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global and not ip.is_multicast


#: Ranges the standard library may call global (depending on the Python version) that still
#: reach a private network: the IETF protocol block, and deprecated site-local IPv6.
_NEVER_PUBLIC = (
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("fec0::/10"),
)
#: IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (well-known and local
#: use) and the old IPv4-compatible form ``::a.b.c.d``. The IPv4 address decides.
_IPV4_IN_LAST_32 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in net for net in _IPV4_IN_LAST_32):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to addresses that pass the target rule."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise DeliveryError(f"cannot find the address of {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self._allow_private:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                raise TargetRefused(
                    f"{host} resolves to a loopback, private or link-local address "
                    f"({blocked[0]}); alerts are not sent there unless "
                    "[alerts] allow_private_targets = true"
                )
        error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address
                error = exc
            except httpcore.ConnectTimeout as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise TargetRefused("alerts are not sent to Unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()


class _ScrubSecrets(logging.Filter):
    """httpx logs every request's full URL at INFO level; for a Slack or Discord webhook (or a
    Telegram bot URL) that URL *is* the secret. Rewrite such records before any handler sees
    them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _known_secrets:
            return True
        message = record.getMessage()
        with _secrets_lock:
            secrets = list(_known_secrets)
        clean = scrub(message, secrets)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_SCRUBBER = _ScrubSecrets()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_SCRUBBER)


def _remember(secrets: Iterable[str]) -> None:
    with _secrets_lock:
        _known_secrets.update(s for s in secrets if s)


class AlertHttp:
    """An httpx client that follows the rules above; share one across deliveries."""

    def __init__(
        self, *, allow_private: bool = False, timeout_s: float = 10.0, max_connections: int = 8
    ) -> None:
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        transport = httpx.HTTPTransport(trust_env=False)
        # httpx has no public switch for the network backend, so swap the pool it built for one
        # that connects through the guarded backend (same options, TLS verification on).
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow_private),
        )
        self.client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=False,
            # Identity encoding: the size cap below then holds for what is decoded, too.
            headers={
                "User-Agent": f"smguard/{__version__} (alerts)",
                "Accept-Encoding": "identity",
            },
        )

    def __enter__(self) -> AlertHttp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def post(self, request: WebhookRequest) -> int:
        """POST ``request``; return the 2xx status or raise :class:`DeliveryError`."""
        target = redact_url(request.url)
        secrets = [request.url, *request.secrets]
        _remember(secrets)
        scheme = _checked_scheme(request.url, target)
        if scheme not in ("http", "https"):
            raise DeliveryError(f"{target}: only http and https targets are supported")
        if scheme == "http" and not self.allow_private:
            raise TargetRefused(
                f"{target}: plain http is refused (secrets and signatures would travel in "
                "clear); use https, or [alerts] allow_private_targets = true for a local receiver"
            )
        try:
            status, headers, text = self._exchange(request)
        except DeliveryError as exc:
            raise type(exc)(scrub(f"{target}: {exc}", secrets)) from None
        except (httpx.InvalidURL, ValueError) as exc:
            raise DeliveryError(f"{target}: not a valid URL ({scrub(str(exc), secrets)})") from None
        except httpx.TimeoutException as exc:
            phase = type(exc).__name__.removesuffix("Timeout").lower() or "request"
            raise DeliveryError(f"{target} did not answer in time ({phase} timeout)") from None
        except httpx.HTTPError as exc:
            reason = scrub(str(exc) or type(exc).__name__, secrets)
            raise DeliveryError(f"cannot reach {target}: {reason}") from None
        if 200 <= status < 300:
            return status
        if 300 <= status < 400:
            raise DeliveryError(
                f"{target} answered with a redirect (HTTP {status}); redirects are not followed, "
                "check the webhook URL",
                status=status,
            )
        detail = scrub(" ".join(text[:_MAX_DETAIL].split()), secrets)
        raise DeliveryError(
            f"{target} answered HTTP {status}" + (f": {detail}" if detail else ""),
            status=status,
            retry_after=retry_after(headers.get("retry-after")),
        )

    def _exchange(self, request: WebhookRequest) -> tuple[int, httpx.Headers, str]:
        """Send, and read at most a few KiB of the answer within the time allowed.

        A receiver that streams an endless or very slow body must not hold a worker (and its
        claim) for longer than the timeouts promise.
        """
        deadline = time.monotonic() + 2 * self.timeout_s
        with self.client.stream(
            "POST", request.url, content=request.body, headers=dict(request.headers)
        ) as response:
            received = bytearray()
            for chunk in response.iter_raw():
                received += chunk
                if len(received) >= _MAX_BODY or time.monotonic() > deadline:
                    break
            text = bytes(received[:_MAX_BODY]).decode("utf-8", "replace")
            return response.status_code, response.headers, text
