"""The API explorer at ``/api/docs``: Swagger UI served from this server, never from a CDN.

The Swagger UI files come from the ``fastapi-offline`` package (Swagger UI is
Apache-2.0, the package MIT); the page loads them and ``/static/api-docs.js``
(our start-up script), so the page needs no inline script. Swagger UI sets
inline style attributes, so the explorer's pages (and only they) allow inline
styles in their Content-Security-Policy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router", "assets_dir", "DOCS_PREFIX"]

DOCS_PREFIX = "/api/docs"

router = APIRouter()

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Storyline API</title>
<link rel="stylesheet" href="{prefix}/assets/swagger-ui.css">
<script src="{prefix}/assets/swagger-ui-bundle.js" defer></script>
<script src="/static/api-docs.js" defer></script>
</head>
<body>
<noscript>The API explorer needs JavaScript; the OpenAPI document is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<div id="swagger-ui" data-openapi="/api/openapi.json"></div>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Storyline API</title></head>
<body><p>The API explorer needs the <code>fastapi-offline</code> package (<code>pip install "storyline[web]"</code>).
The OpenAPI document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
"""


def assets_dir() -> Path | None:
    """The folder holding ``swagger-ui-bundle.js`` and ``swagger-ui.css``, or None when the package is absent."""
    try:
        folder = Path(str(resources.files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        return None
    return folder if (folder / "swagger-ui-bundle.js").exists() else None


@router.get(DOCS_PREFIX, include_in_schema=False, response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(_PAGE.format(prefix=DOCS_PREFIX) if assets_dir() else _MISSING)
