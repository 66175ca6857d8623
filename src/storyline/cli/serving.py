"""The serve command: the web UI and the REST API over a store."""

from __future__ import annotations

import click

from ..settings import load_options
from ..store.postgres import is_postgres_url, redacted
from .app import Context, cli
from .ingesting import _echo_watch_event

@cli.command()
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False), help="The store to serve (default: the global --db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token", envvar="STORYLINE_TOKEN", default=None,
              help="Token that POST /api/articles requires (Authorization: Bearer ...). Environment: STORYLINE_TOKEN. Without it the server is read-only.")
@click.option("--watch", "watch_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Also ingest the files that land in this folder (repeatable), as `storyline watch` does.")
@click.pass_obj
def serve(obj: Context, db: str | None, host: str, port: int, token: str | None, watch_dirs: tuple[str, ...]) -> None:
    """Serve the web UI and the REST API (/api/, OpenAPI at /api/docs) over the store."""
    from ..web import serve as run

    path = db or obj.db
    click.echo(f"Serving {redacted(path) if is_postgres_url(path) else path}: open http://{_url_host(host)}:{port}  (API: /api/docs; Ctrl-C to stop)")
    if watch_dirs:
        click.echo(f"watching {', '.join(watch_dirs)}", err=True)
    run(path, load_options(obj.config, obj.overrides), host=host, port=port, token=token,
        watch=list(watch_dirs) or None, on_watch=_echo_watch_event)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
