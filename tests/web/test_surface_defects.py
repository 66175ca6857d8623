"""Surface defects of issue 13, each against a real server: cursors beyond 64 bits, the Host header check,
the header read timeout, and an OpenAPI document that says what POST /api/articles does."""

from __future__ import annotations

import base64
import json

import pytest

from support import FLOOD_A

AUTH = {"Authorization": "Bearer test-token-3b1f"}


def cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = [cursor(2**64), cursor(-(2**63) - 1), cursor(["2023-01-01", 2**70, 1]), cursor(["2023-01-01", 1, -(2**80)]),
               base64.urlsafe_b64encode(b'["\\ud800", 1, 1]').decode()]


@pytest.mark.parametrize("path", ["/api/stories", "/api/search", "/", "/search"])
@pytest.mark.parametrize("value", BAD_CURSORS)
def test_a_cursor_the_store_cannot_hold_answers_400_not_500(client, path, value):
    response = client.get(path, params={"cursor": value, **({"q": "flood"} if "search" in path else {})})
    assert response.status_code == 400, response.text[:300]
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "SL114"


@pytest.mark.parametrize("path", ["/api/stories", "/api/search"])
def test_cursors_at_the_edge_of_64_bits_are_still_cursors(client, path):
    key = 2**63 - 1 if "search" in path else ["2023-01-01", 2**63 - 1, -(2**63)]
    assert client.get(path, params={"cursor": cursor(key), "q": "flood"}).status_code == 200
