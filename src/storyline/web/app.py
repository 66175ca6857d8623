"""The web server: one FastAPI app with the REST API (``/api/``) and the web UI.

Both surfaces call the same engine methods; only the renderer differs. Reads
run in the server's worker threads, each on its own read-only connection to
the store (SQLite in WAL mode: readers never wait for a writer, so the server
keeps answering while ``storyline ingest`` runs in another process). Writes
(``POST /api/articles``) go through one engine behind a lock and need the
token given at start-up.

Every error, from the library or from HTTP itself, is answered with one JSON
shape (``/api/``) or an error page (the UI) carrying a stable code::

    {"error": {"code": "SL401", "status": 404, "message": "no story 'S99'"}}
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AccessError, Codes, InputError, NotFoundError, StoreLocked, StorylineError, StoreUnavailable
from ..settings import Options
from . import docs
from .state import ServerState

__all__ = ["create_app", "ServerState", "error_body", "CSP"]

log = logging.getLogger("storyline.web")

#: The page may load scripts, styles and images from this server only; no inline
#: script or style, no plug-ins, no framing, forms post only here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: the API explorer's pages only: Swagger UI sets inline style attributes
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_STATUS = {  # library error class -> HTTP status
    NotFoundError: 404,
    AccessError: 401,
    InputError: 400,
    StoreLocked: 503,  # another process holds the writer role: try again when it is done
    StoreUnavailable: 503,  # the store's server was lost during the read: the next request connects again
}
#: seconds a client is told to wait before retrying a write refused with 503 (SL203)
RETRY_AFTER = 5


def error_body(code: str, status: int, message: str, **extra: Any) -> dict[str, Any]:
    """The one JSON error shape of the REST API."""
    return {"error": {"code": code, "status": status, "message": message, **extra}}


class _BodyTooLarge(Exception):
    pass


class _Guard:
    """ASGI middleware: security headers on every answer; request bodies capped at ``max_body`` bytes."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                headers = _SECURITY_HEADERS
                if scope.get("path", "").startswith(docs.DOCS_PREFIX):
                    headers = {**headers, "Content-Security-Policy": DOCS_CSP}
                extra = [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower().encode() not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large(scope, send_with_headers)
            return
        seen = 0

        async def counted_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, send_with_headers)

    async def _too_large(self, scope: dict, send: Any) -> None:
        body = error_body(Codes.TOO_LARGE, 413, f"the request body is larger than {self.max_body} bytes")
        await JSONResponse(body, status_code=413)(scope, _no_receive, send)


async def _no_receive() -> dict:
    return {"type": "http.disconnect"}


def create_app(db: str | Path, options: Options | None = None, *, token: str | None = None,
               embedder: Any | None = None, entity_extractor: Any | None = None,
               max_body: int | None = None, allowed_hosts: frozenset[str] | None = None,
               watch: list[str] | None = None, on_watch: Any = None) -> FastAPI:
    """The Storyline web app over the store ``db``: REST API under ``/api/``, UI at ``/``.

    ``watch``: folders whose new files the server ingests while it runs (through its one writer).

    ``allowed_hosts``: the Host names it answers to (by default the loopback
    names and the ``serve_hosts`` setting; see :mod:`storyline.web.hardening`).
    """
    from . import api, pages
    from .cache import CacheMiddleware, ResponseCache, Watch
    from .hardening import HostCheck
    from .hardening import allowed_hosts as default_hosts

    state = ServerState(db, options, token=token, embedder=embedder, entity_extractor=entity_extractor)
    versions = Watch(state.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..watch import watch_in_thread

        watching = watch_in_thread(state.ingest_paths, list(watch), str(db) + ".watch", on_event=on_watch) if watch else None
        yield
        if watching is not None:
            watching.stop()
        versions.close()
        state.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Storyline",
        summary="Events and stories from dated news articles, with provenance.",
        version=_version(),
        docs_url=None,  # served by web/docs.py from this server (no CDN)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses={400: {"description": "Bad parameter"}},
    )
    app.state.storyline = state
    app.mount("/static", StaticFiles(directory=str(resources.files("storyline.web") / "static")), name="static")
    assets = docs.assets_dir()
    if assets is not None:
        app.mount(f"{docs.DOCS_PREFIX}/assets", StaticFiles(directory=str(assets)), name="api-docs-assets")
    app.include_router(docs.router)
    app.include_router(api.router)
    app.include_router(pages.router)

    _answer_errors(app, pages.error_page)
    limit = int(max_body if max_body is not None else state.options.serve_max_body_bytes)
    # innermost: a kept answer is served after the Host check, and the guard adds its headers to it
    app.add_middleware(CacheMiddleware, cache=ResponseCache(int(state.options.serve_cache_bytes)), watch=versions)
    app.add_middleware(HostCheck, allowed=allowed_hosts or default_hosts(None, state.options.serve_hosts))
    # the guard wraps everything, including the error handlers' own answers
    app.add_middleware(_Guard, max_body=limit)
    return app


def _answer_errors(app: FastAPI, error_page: Any) -> None:
    """Every error as one shape: JSON under ``/api/``, an HTML page elsewhere (``error_page``)."""

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/api"

    def answer(request: Request, code: str, status: int, message: str, headers: dict[str, str] | None = None,
               **extra: Any) -> Response:
        headers = dict(headers or {})  # e.g. the Allow header of a 405
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        elif status == 503:
            headers["Retry-After"] = str(RETRY_AFTER)
        if wants_json(request):
            return JSONResponse(error_body(code, status, message, **extra), status_code=status, headers=headers or None)
        page = error_page(request, code, status, message)
        page.headers.update(headers)
        return page

    @app.exception_handler(StorylineError)
    async def _library_error(request: Request, exc: StorylineError) -> Response:
        status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 500)
        if status == 500:
            log.error("error answering %s: %s", request.url.path, exc)
        return answer(request, exc.code, status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return answer(request, Codes.BAD_PARAMETER, 400, "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: Codes.NOT_FOUND, 405: Codes.METHOD_NOT_ALLOWED, 401: Codes.UNAUTHORIZED}.get(exc.status_code, Codes.BAD_PARAMETER)
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else f"no page at {request.url.path}"
        return answer(request, code, exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error answering %s", request.url.path)
        return answer(request, Codes.INTERNAL, 500, "internal error; the server log has the details")


def _version() -> str:
    from .. import __version__

    return __version__
