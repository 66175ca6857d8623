"""The REST API's article schema and the library's rules agree: an article that fits the OpenAPI schema
(patterns and lengths, as the server validates it) is never rejected by normalising for the form of a
field, so POST /api/articles answers what its document says (schemathesis: schema-valid is accepted)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("hypothesis", reason="the dev extra is not installed: pip install -e '.[dev]'")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from storyline.model import RawRecord  # noqa: E402
from storyline.pipeline import normalise  # noqa: E402
from storyline.web.api import ArticleIn  # noqa: E402

ODD = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Lu", "Ll", "Nd", "Po", "Mn"])
ODD_TEXT = st.one_of(st.text(max_size=12), st.text(alphabet=ODD, max_size=12),
                     st.sampled_from(["S1", " S1 ", "E12x", "S 1", "\u3000", "2024-02-29", "2023-02-29", "1900-02-29",
                                      "2000-02-29", "2023-01-01T10:00Z", " 2023-01-01 ", "1799-12-31", "3000-01-01"]))


def regex(pattern: str, max_size: int = 40):
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) <= max_size)


def accepted(fields: dict) -> None:
    normalise.to_article(RawRecord("<api>", 1, fields))  # raises InputError when the library rejects it


@settings(max_examples=300, deadline=None)
@given(id_=regex(normalise.ID_PATTERN), date=regex(normalise.DATE_PATTERN), text=st.from_regex(normalise.TEXT_PATTERN),
       lang=regex(normalise.PRINTABLE_PATTERN, 35), url=regex(normalise.PRINTABLE_PATTERN, 200))
def test_values_made_from_the_patterns_fit_the_schema_and_are_accepted(id_, date, text, lang, url):
    fields = {"id": id_, "date": date, "text": text, "lang": lang, "url": url}
    ArticleIn.model_validate(fields)  # the server's validator (pydantic's regex engine) agrees with Python's
    accepted(fields)


@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(["id", "date", "text", "lang", "url", "title", "source"]), value=ODD_TEXT)
def test_any_value_the_schema_accepts_is_accepted_by_the_library(field, value):
    fields = {"text": "A ferry crossed the lake.", field: value}
    try:
        ArticleIn.model_validate(fields)
    except ValidationError:
        return
    accepted(fields)
