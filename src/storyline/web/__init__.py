"""The web surface: REST API under ``/api/`` and the web UI, served by ``storyline serve``.

Needs the ``web`` extra (``pip install 'storyline[web]'``). :func:`create_app`
builds the ASGI app over a store; :func:`serve` runs it with uvicorn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DependencyMissing

__all__ = ["create_app", "serve"]


def create_app(db: str | Path, options: Any = None, **kwargs: Any) -> Any:
    """The FastAPI app over the store ``db`` (see :func:`storyline.web.app.create_app`)."""
    try:
        from .app import create_app as build
    except ImportError as exc:  # fastapi, jinja2 or uvicorn missing
        raise DependencyMissing(f"The web server ({exc.name})", "web") from None
    return build(db, options, **kwargs)


def serve(db: str | Path, options: Any = None, *, host: str = "127.0.0.1", port: int = 8000,
          token: str | None = None, log_level: str = "info", watch: list[str] | None = None, on_watch: Any = None) -> None:
    """Serve the store ``db`` until interrupted; ``watch``: folders to ingest new files from meanwhile."""
    try:
        import uvicorn

        from .hardening import allowed_hosts, header_timeout_protocol
    except ImportError:
        raise DependencyMissing("The web server (uvicorn)", "web") from None
    from ..settings import load_options

    options = options or load_options()
    app = create_app(db, options, token=token, allowed_hosts=allowed_hosts(host, options.serve_hosts), watch=watch,
                     on_watch=on_watch)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False,
                http=header_timeout_protocol(options.serve_header_timeout))
