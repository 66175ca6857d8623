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
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from ..comparison import Comparison
from ..errors import Codes, InputError, NotFoundError
from ..model import ArticleView, Event, EventDigest, SearchPage, Story, StoryPage, Timeline
from ..pipeline import normalise
from .app import error_body
from .state import ServerState

__all__ = ["router", "MAX_RECORDS", "ArticleIn", "ErrorResponse"]

#: records one POST may carry
MAX_RECORDS = 1000


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable error code, e.g. SL401 (not found), SL114 (bad parameter).", examples=["SL401"])
    status: int = Field(description="The HTTP status, repeated.", examples=[404])
    message: str = Field(examples=["no story 'S99'"])


class ErrorResponse(BaseModel):
    error: ErrorDetail


_LIMITS = normalise.DEFAULT_LIMITS


class ArticleIn(BaseModel):
    """One article in the corpus JSONL fields; only ``text`` is required.

    The patterns and lengths are the library's own rules (``pipeline/normalise.py``, default size
    limits): an article that fits them is never rejected for the form of a field.
    """

    model_config = {"extra": "allow"}
    id: str | None = Field(None, max_length=_LIMITS["id"], pattern=normalise.ID_PATTERN, description=(
        "Stable id; empty or absent: a content id. Printable; not blank; not of the form S<n> or E<n> "
        "(story and event ids); may hold '/'."))
    date: str | None = Field(None, max_length=64, pattern=normalise.DATE_PATTERN, description=(
        "Publication date YYYY-MM-DD (1800-01-01 to 2999-12-31), optionally followed by a time."))
    source: str | None = Field(None, max_length=_LIMITS["source"], description="Outlet name.")
    title: str | None = Field(None, max_length=_LIMITS["title"])
    text: str = Field(max_length=_LIMITS["text"], pattern=normalise.TEXT_PATTERN,
                      description="The article; at least one character that is not a space or a control character.")
    url: str | None = Field(None, max_length=_LIMITS["url"], pattern=normalise.PRINTABLE_PATTERN)
    lang: str | None = Field(None, max_length=35, pattern=normalise.PRINTABLE_PATTERN,
                             description="Language tag (en, pt-br); absent: identified from the text.")


class Rejected(BaseModel):
    line: int = Field(description="1-based position of the record in the request.")
    code: str
    reason: str


class IngestResult(BaseModel):
    articles: list[str] = Field(description="Ids of the request's articles now in the store (new or already stored), in order.")
    ingested: int
    duplicates: int
    unchanged: int
    rejected: int
    events_created: int
    stories_created: int
    seconds: float
    rejections: list[Rejected]


class RefusedDetail(ErrorDetail):
    rejections: list[Rejected] = Field(description="Why each article was rejected (each is also stored as a rejection).")


class RefusedResponse(BaseModel):
    error: RefusedDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A bad parameter (SL114) or body (SL101)."},
    404: {"model": ErrorResponse, "description": "No such id (SL401)."},
}

router = APIRouter(prefix="/api", tags=["storyline"], responses=_ERRORS)

Limit = Annotated[int | None, Query(ge=1, le=200, description="Items per page (1-200).")]
Cursor = Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]*$", description=(
    "Opaque: the `next` of the previous page (URL-safe base64). Only a cursor this server made is valid; "
    "any other value answers 400 (SL114)."))]
#: a query date: YYYY-MM-DD (a day of the Gregorian calendar); empty means no bound
DateParam = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}, {"type": "null"}]}


def _state(request: Request) -> ServerState:
    return request.app.state.storyline


@router.get("/stories", response_model=StoryPage, summary="List stories, newest and biggest first")
def list_stories(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, json_schema_extra=DateParam,
                                           description="Stories reported on or after this date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, json_schema_extra=DateParam,
                                         description="Stories reported on or before this date (YYYY-MM-DD).")] = None,
    source: Annotated[str | None, Query(max_length=200, description="Only stories with an article from this outlet.")] = None,
    place: Annotated[str | None, Query(max_length=200, description="Only stories naming this place (country, region or city).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Only stories with an article containing every word.")] = None,
) -> dict[str, Any]:
    state = _state(request)
    return state.reader().story_list(cursor=cursor, limit=limit or state.options.serve_page_size, date_from=date_from,
                                     date_to=date_to, source=source, place=place, query=q).to_dict()


Offset = Annotated[int, Query(ge=0, le=2**62, description="Where the page starts: the `next_events` (or "
                                                          "`next_articles`) of the previous page.")]


@router.get("/stories/{story_id}", response_model=Story, summary="One story: a page of its events (with their first "
            "articles), why they are together; `n_events` counts them all, `next_events` is where the next page starts")
def get_story(request: Request, story_id: str, offset: Offset = 0, limit: Limit = None) -> dict[str, Any]:
    state = _state(request)
    size = state.options.serve_page_size
    return state.reader().story(story_id, offset, limit or size, articles_limit=size).to_dict()


@router.get("/events/{event_id}", response_model=Event,
            summary="One event: its record (each field with its supporting sentences), provenance and a page of its "
            "articles; `n_articles` counts them all, `next_articles` is where the next page starts")
def get_event(request: Request, event_id: str, offset: Offset = 0, limit: Limit = None) -> dict[str, Any]:
    state = _state(request)
    return state.reader().event(event_id, offset, limit or state.options.serve_page_size).to_dict()


@router.get("/events/{event_id}/comparison", response_model=Comparison,
            summary="What the event's sources say together: agreed, single and contested facts, per source adds / omits / "
                    "contradicts / framing")
def get_comparison(request: Request, event_id: str) -> dict[str, Any]:
    found = _state(request).reader().comparison(event_id)
    if isinstance(found, list):  # a story id: this route compares one event
        raise NotFoundError(f"no event {event_id!r}")
    return found.to_dict()


@router.get("/events/{event_id}/summary", response_model=EventDigest,
            summary="An event's cited summary: agreed facts first, each sentence with every source sentence that states it")
def get_event_summary(request: Request, event_id: str) -> dict[str, Any]:
    return _state(request).reader().summary(event_id).to_dict()


@router.get("/stories/{story_id}/timeline", response_model=Timeline,
            summary="A story's timeline: its events in date order, each with a one-line cited summary, the story's summary on top")
def get_story_timeline(request: Request, story_id: str) -> dict[str, Any]:
    engine = _state(request).reader()
    if engine.store.story(story_id) is None:
        raise NotFoundError(f"no story {story_id!r}")
    return engine.timeline(story_id).to_dict()


@router.get("/timeline", response_model=Timeline,
            summary="A timeline of the stored articles containing every word of q, the dates chosen by importance")
def get_query_timeline(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    dates: Annotated[int, Query(ge=1, le=100, description="How many dates to choose.")] = 10,
) -> dict[str, Any]:
    return _state(request).reader().digests.query_timeline(q, dates).to_dict()


@router.get("/articles/{article_id:path}", response_model=ArticleView, operation_id="get_article",
            summary="One article: text, sentences, mentions and places (an id may hold '/')")
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    return _state(request).article(article_id)  # never the server's folders


@router.get("/search", response_model=SearchPage, summary="Articles containing every word of q, newest first")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    cursor: Cursor = None,
    limit: Limit = None,
) -> dict[str, Any]:
    state = _state(request)
    return state.reader().search(q, cursor=cursor, limit=limit or state.options.serve_page_size).to_dict()


@router.post(
    "/articles",
    response_model=IngestResult,
    summary="Ingest articles (needs the server's token)",
    description=(
        "The body is one article or a JSON array of articles with the corpus JSONL fields "
        f"(`id`, `date`, `source`, `title`, `text`, `url`, `lang`; only `text` is required), at most {MAX_RECORDS}. "
        "A body that does not fit this schema (a field of another type, an article without `text`, an empty array) "
        "answers 400 (SL114) and nothing is stored. An article that fits but cannot be used (an impossible date, "
        "a field over its size limit, a reserved id) is stored as a rejection and listed in `rejections`; the "
        "others are ingested. When no article of the request can be used, the answer is 422."
    ),
    responses={200: {"description": "What was stored and what was rejected.", "links": {"article": {
                   "operationId": "get_article", "parameters": {"article_id": "$response.body#/articles/0"},
                   "description": "The first article of the request, as stored."}}},
               401: {"model": ErrorResponse, "description": "No or wrong token (SL601)."},
               413: {"model": ErrorResponse, "description": "Body too large (SL107)."},
               409: {"model": RefusedResponse, "description": "Every article's id is already stored with another "
                     "text (SL110); `rejections` lists them."},
               422: {"model": RefusedResponse, "description": "No article of the request could be used: the code "
                     "is the first rejection's; `rejections` lists them all (they are stored as rejections)."},
               503: {"model": ErrorResponse, "description": "Another process is writing to the store (SL203); "
                     "retry after `Retry-After` seconds."}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [ArticleIn.model_json_schema(),
                  {"type": "array", "items": ArticleIn.model_json_schema(), "minItems": 1, "maxItems": MAX_RECORDS}]
    }}}}},
)
async def post_articles(request: Request, authorization: Annotated[str | None, Header()] = None) -> Any:
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
    _check_schema(records)
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(state.ingest, records)
    if result["rejected"] and result["rejected"] == len(records):  # nothing stored: not a success
        first = result["rejections"][0]
        # every one an id already stored with another text: a conflict; otherwise articles that cannot be used
        status = 409 if all(r["code"] == Codes.ID_CONFLICT for r in result["rejections"]) else 422
        message = f"no article could be used ({result['rejected']} rejected; article {first['line']}: {first['reason']})"
        return JSONResponse(error_body(first["code"], status, message, rejections=result["rejections"]), status_code=status)
    return result


def _check_schema(records: list[dict[str, Any]]) -> None:
    """The body must be what the OpenAPI document says (types, ``text`` present), else 400 naming the record.

    Values of the right type that cannot be used (an impossible date, a text
    too long) are still per-record rejections in the 200 answer.
    """
    for number, record in enumerate(records, 1):
        try:
            ArticleIn.model_validate(record)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            raise InputError(f"article {number} does not fit the schema: {problems}", code=Codes.BAD_PARAMETER) from None
