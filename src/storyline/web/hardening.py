"""What protects ``storyline serve`` from requests that are not what they seem.

* :class:`HostCheck` answers 400 (SL603) to a request whose ``Host`` header is
  not one the server is known by: the served host, ``localhost``,
  ``127.0.0.1``, ``::1``, and the names in the ``serve_hosts`` setting. A page
  on another site that rebinds its DNS name to 127.0.0.1 (DNS rebinding)
  sends its own name as the Host, so it cannot read the API.
* :class:`HeaderTimeoutProtocol` closes a connection whose request headers
  have not all arrived ``serve_header_timeout`` seconds after it opened (or
  after its previous answer), with a 408: a client trickling header bytes
  (slowloris) cannot hold connections open. uvicorn has no such timeout of
  its own; its keep-alive timeout only covers an idle connection.
"""

from __future__ import annotations

import json
import socket
from typing import Any, Iterable

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import Codes

__all__ = ["HostCheck", "allowed_hosts", "HeaderTimeoutProtocol", "header_timeout_protocol", "WILDCARD_BINDS"]

#: addresses that listen on every interface: the served name is not known in advance
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::", "[::]"})
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _host_only(value: str) -> str:
    """``value`` without its port and brackets, lower-case, without a trailing dot."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_hosts(bind_host: str | None, extra: str | Iterable[str] = "") -> frozenset[str]:
    """The Host names a server bound to ``bind_host`` answers to; ``extra`` is the ``serve_hosts`` setting.

    ``extra`` holds comma-separated names; ``*`` allows any host and
    ``*.example.org`` any name under example.org. A server bound to every
    interface (0.0.0.0) also answers to the machine's own names.
    """
    names = [extra] if isinstance(extra, str) else list(extra)
    hosts = {_host_only(n) for value in names for n in value.split(",") if n.strip()}
    hosts.update(_LOOPBACK)
    if bind_host is not None and bind_host.strip() not in WILDCARD_BINDS:
        hosts.add(_host_only(bind_host if bind_host.count(":") <= 1 else f"[{bind_host}]"))
    elif bind_host is not None:
        hosts.update(_host_only(n) for n in (socket.gethostname(), socket.getfqdn()) if n)
    return frozenset(hosts)


def _allowed(host: str, allowed: frozenset[str]) -> bool:
    if "*" in allowed or host in allowed:
        return True
    return any(a.startswith("*.") and host.endswith(a[1:]) for a in allowed)


class HostCheck:
    """ASGI middleware: requests naming an unknown Host are refused with the JSON error shape."""

    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host")
        host = _host_only(raw.decode("latin-1")) if raw is not None else None
        if host is None or _allowed(host, self.allowed):  # no Host at all: not a browser, so not a rebinding page
            await self.app(scope, receive, send)
            return
        shown = host[:80].encode("ascii", "backslashreplace").decode("ascii")
        message = (f"this server does not answer to the host {shown!r}; start it with --host {shown} "
                   f"or add the name to the serve_hosts setting (--set serve_hosts={shown})")
        body = json.dumps({"error": {"code": Codes.BAD_HOST, "status": 400, "message": message}}).encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


_TIMEOUT_BODY = json.dumps({"error": {"code": Codes.HEADER_TIMEOUT, "status": 408,
                                      "message": "the request headers did not arrive in time"}}).encode()
_TIMEOUT_ANSWER = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
                   b"content-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n" + _TIMEOUT_BODY)


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request headers (see :func:`header_timeout_protocol`)."""

    header_timeout = 10.0

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        self._header_timer = None
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _cancel_header_timer(self) -> None:
        timer, self._header_timer = getattr(self, "_header_timer", None), None
        if timer is not None:
            timer.cancel()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        if not self.transport.is_closing():
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_deadline)

    def _header_deadline(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request's headers arrived: it is being answered
        self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for uvicorn's ``http=`` option with a header deadline of ``seconds``."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": float(seconds)})
