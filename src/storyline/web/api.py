"""The REST API under ``/api/``: thin adapters over the engine's read and ingest methods.

Reads are open. ``POST /api/articles`` needs the server's token
(``Authorization: Bearer <token>``). Lists page with an opaque ``cursor``:
pass the ``next`` of one page to get the following one; pages stay stable
while articles are added. The OpenAPI document is at ``/api/openapi.json``
and browsable at ``/api/docs``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from ..errors import Codes, InputError
from .app import ServerState

__all__ = ["router", "MAX_RECORDS", "ArticleIn", "ErrorResponse"]

#: records one POST may carry
MAX_RECORDS = 1000


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable error code, e.g. SL401 (not found), SL114 (bad parameter).", examples=["SL401"])
    status: int = Field(description="The HTTP status, repeated.", examples=[404])
    message: str = Field(examples=["no story 'S99'"])


class ErrorResponse(BaseModel):
    error: ErrorDetail


class StorySummary(BaseModel):
    id: str
    title: str | None
    first_date: str | None
    last_date: str | None
    n_events: int
    n_articles: int
    n_sources: int = Field(description="Independent sources (outlets) reporting the story.")


class StoryPage(BaseModel):
    stories: list[StorySummary]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class SearchHit(BaseModel):
    id: str
    source: str | None
    date: str | None
    title: str | None
    duplicate_of: str | None
    event_id: str | None
    story_id: str | None
    snippet: str = Field(description="Excerpt; matched words sit between U+E000 and U+E001.")


class SearchPage(BaseModel):
    articles: list[SearchHit]
    next: str | None


class ArticleIn(BaseModel):
    """One article in the corpus JSONL fields; only ``text`` is required."""

    model_config = {"extra": "allow"}
    id: str | None = None
    date: str | None = Field(None, description="Publication date, YYYY-MM-DD.")
    source: str | None = None
    title: str | None = None
    text: str
    url: str | None = None
    lang: str | None = None


class Rejected(BaseModel):
    line: int = Field(description="1-based position of the record in the request.")
    code: str
    reason: str


class IngestResult(BaseModel):
    ingested: int
    duplicates: int
    unchanged: int
    rejected: int
    events_created: int
    stories_created: int
    seconds: float
    rejections: list[Rejected]


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A bad parameter (SL114) or body (SL101)."},
    404: {"model": ErrorResponse, "description": "No such id (SL401)."},
}

router = APIRouter(prefix="/api", tags=["storyline"], responses=_ERRORS)

Limit = Annotated[int | None, Query(ge=1, le=200, description="Items per page (1-200).")]
Cursor = Annotated[str | None, Query(max_length=200, description="The `next` of the previous page.")]


def _state(request: Request) -> ServerState:
    return request.app.state.storyline


@router.get("/stories", response_model=StoryPage, summary="List stories, newest and biggest first")
def list_stories(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, description="Stories reported on or after this date.")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, description="Stories reported on or before this date.")] = None,
    source: Annotated[str | None, Query(max_length=200, description="Only stories with an article from this outlet.")] = None,
    place: Annotated[str | None, Query(max_length=200, description="Only stories naming this place (country, region or city).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Only stories with an article containing every word.")] = None,
) -> dict[str, Any]:
    state = _state(request)
    return state.reader().story_list(cursor=cursor, limit=limit or state.options.serve_page_size, date_from=date_from,
                                     date_to=date_to, source=source, place=place, query=q)


@router.get("/stories/{story_id}", summary="One story: its events, their articles and why they are together")
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    return _state(request).reader().story(story_id)


@router.get("/events/{event_id}", summary="One event: its record (each field with its supporting sentences) and provenance")
def get_event(request: Request, event_id: str) -> dict[str, Any]:
    return _state(request).reader().event(event_id)


@router.get("/articles/{article_id:path}", summary="One article: text, sentences, mentions and places (an id may hold '/')")
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    return _state(request).reader().article(article_id)


@router.get("/search", response_model=SearchPage, summary="Articles containing every word of q, newest first")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    cursor: Cursor = None,
    limit: Limit = None,
) -> dict[str, Any]:
    state = _state(request)
    return state.reader().search(q, cursor=cursor, limit=limit or state.options.serve_page_size)


@router.post(
    "/articles",
    response_model=IngestResult,
    summary="Ingest articles (needs the server's token)",
    description=(
        "The body is one article or a JSON array of articles with the corpus JSONL fields "
        f"(`id`, `date`, `source`, `title`, `text`, `url`, `lang`; only `text` is required), at most {MAX_RECORDS}. "
        "A record that cannot be used is stored as a rejection and listed in `rejections`; the others are ingested."
    ),
    responses={401: {"model": ErrorResponse, "description": "No or wrong token (SL601)."},
               413: {"model": ErrorResponse, "description": "Body too large (SL107)."}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [ArticleIn.model_json_schema(), {"type": "array", "items": ArticleIn.model_json_schema(), "maxItems": MAX_RECORDS}]
    }}}}},
)
async def post_articles(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    state = _state(request)
    given = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
    state.check_token(given)
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"the body is not valid JSON: {exc}", code=Codes.BAD_JSON) from None
    records = body if isinstance(body, list) else [body]
    if not records or not all(isinstance(r, dict) for r in records):
        raise InputError("the body must be an article object or a non-empty array of article objects", code=Codes.BAD_PARAMETER)
    if len(records) > MAX_RECORDS:
        raise InputError(f"at most {MAX_RECORDS} articles per request, got {len(records)}", code=Codes.TOO_LARGE)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(state.ingest, records)

