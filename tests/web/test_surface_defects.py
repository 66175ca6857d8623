"""Surface defects of issue 13, each against a real server: cursors beyond 64 bits, the Host header check,
the header read timeout, and an OpenAPI document that says what POST /api/articles does."""

from __future__ import annotations

import base64
import json

import httpx
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


# ---------------------------------------------------------------- Host header (DNS rebinding)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example"])
def test_a_request_naming_another_host_is_refused_with_sl603(client, host):
    response = client.get("/api/stories", headers={"Host": host})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "SL603" and "serve_hosts" in error["message"]
    assert response.headers["x-frame-options"] == "DENY"  # the refusal still carries the security headers
    assert client.get("/", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:1234", "[::1]:8000"])
def test_loopback_names_are_answered(client, host):
    assert client.get("/api/stories", headers={"Host": host}).status_code == 200


def test_names_from_the_serve_hosts_setting_are_answered(web_store):
    from support import options
    from webtools import live_server

    path, _ = web_store
    with live_server(path, options=options(serve_hosts="news.example.org, *.corp.example")) as url:
        for host, status in (("news.example.org", 200), ("a.b.corp.example:80", 200), ("corp.example.evil", 400), ("evil.example", 400)):
            assert httpx.get(f"{url}/api/stories", headers={"Host": host}).status_code == status, host


def test_allowed_hosts_of_a_server_bound_to_every_interface_include_the_machine_names():
    import socket

    from storyline.web.hardening import allowed_hosts

    assert allowed_hosts("news.internal") >= {"news.internal", "localhost", "127.0.0.1", "::1"}
    assert socket.gethostname().lower() in allowed_hosts("0.0.0.0")
    assert allowed_hosts("::1") >= {"::1"} and "*" in allowed_hosts(None, "*")


# ---------------------------------------------------------------- header read timeout, through `storyline serve`


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`storyline serve` in a real process, with a 0.5 s header timeout."""
    import subprocess
    import sys
    import time

    from webtools import free_port

    db = tmp_path_factory.mktemp("serve") / "serve.db"
    port = free_port()
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("STORYLINE_")}
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "--db", str(db), "--set", "serve_header_timeout=0.5",
                             "serve", "--port", str(port), "--token", "slow-token"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/stories", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
        time.sleep(0.1)
    yield port
    proc.terminate()
    proc.communicate(timeout=20)


def _raw(port: int, data: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    import socket
    import time

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(data)
        received = b""
        try:
            while chunk := conn.recv(4096):
                received += chunk
        except TimeoutError:
            pass
    return received, time.monotonic() - started


@pytest.mark.parametrize("partial", [b"", b"GET /api/stories HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"GET /api/sto"])
def test_a_client_that_does_not_finish_its_headers_is_cut_off_with_408(served, partial):
    received, elapsed = _raw(served, partial)
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert b"SL604" in received
    assert 0.4 < elapsed < 4  # closed by the server at its deadline, not by our socket timeout


def test_a_complete_request_is_answered_and_the_served_process_checks_the_host(served):
    ok, _ = _raw(served, b"GET /api/stories HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200")
    refused, _ = _raw(served, b"GET /api/stories HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n")
    assert refused.startswith(b"HTTP/1.1 400") and b"SL603" in refused


def test_a_slow_answer_is_not_cut_off_by_the_header_deadline(served):
    # the headers arrive at once; the body trickles in for longer than the deadline and the answer still comes
    import socket
    import time

    body = b'{"text": "late", "id": 1'  # read whole, then refused as malformed JSON: no model needs loading
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        conn.sendall(b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer slow-token\r\n"
                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        for i in range(0, len(body), 4):
            time.sleep(0.25)
            conn.sendall(body[i : i + 4])
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400") and b"SL101" in answer


# ---------------------------------------------------------------- POST /api/articles does what its document says


@pytest.mark.parametrize("body", [[], [{"id": "x1"}], [FLOOD_A, {"title": "no text"}], {"text": 5}, [{"text": "ok", "id": 7}],
                                  {"text": "   "}, {"text": "ok", "id": "S4"}, {"text": "ok", "date": "2023-02-30"},
                                  {"text": "ok", "date": "0001-01-01"}, {"text": "ok", "lang": "en\x1b[2J"}])
def test_a_body_that_does_not_fit_the_schema_is_400_and_stores_nothing(client, body):
    before = client.get("/api/search", params={"q": "Marlow"}).json()
    response = client.post("/api/articles", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "SL114"
    assert client.get("/api/search", params={"q": "Marlow"}).json() == before


def test_a_lone_surrogate_is_not_a_string_of_the_schema(client):
    body = json.dumps([{"id": "s-1", "text": "Lone \ud800 surrogate."}])  # the escape \ud800: valid JSON, not text
    response = client.post("/api/articles", content=body, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "SL114"
    assert client.get("/api/articles/s-1").status_code == 404


def test_a_request_of_which_nothing_can_be_stored_is_422_listing_the_rejections(web_store):
    from support import options
    from webtools import TOKEN, live_server

    path, _ = web_store
    # a server with a smaller title limit than the document's default: the title fits the schema, not the server
    with live_server(path, token=TOKEN, options=options(max_title_chars=10)) as url:
        response = httpx.post(f"{url}/api/articles", json=[{"id": "t-1", "title": "A title of forty characters, or so it is",
                                                            "text": "The ferry crossed."}], headers=AUTH, timeout=30)
        missing = httpx.get(f"{url}/api/articles/t-1").status_code
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "SL107" and error["rejections"][0]["line"] == 1 and "max_title_chars" in error["message"]
    assert missing == 404


def test_a_request_whose_ids_are_all_taken_by_other_texts_is_409(client):
    first = client.post("/api/articles", json={"id": "taken-1", "text": "The ferry crossed the lake at dawn."}, headers=AUTH)
    assert first.status_code == 200 and first.json()["articles"] == ["taken-1"]
    response = client.post("/api/articles", json={"id": "taken-1", "text": "Another text entirely."}, headers=AUTH)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "SL110"


def test_the_answer_lists_the_stored_ids_and_the_openapi_links_to_them(client):
    body = client.post("/api/articles", json=[{"text": "A content id for this ferry report."}, FLOOD_A], headers=AUTH).json()
    assert len(body["articles"]) == 2 and body["articles"][1] == FLOOD_A["id"]
    assert client.get(f"/api/articles/{body['articles'][0]}").status_code == 200
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/articles"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["oneOf"][1]["minItems"] == 1
    assert "text" in post["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0]["required"]
    assert set(post["responses"]) >= {"200", "400", "401", "409", "413", "422", "503"}
    assert post["responses"]["200"]["links"]["article"]["operationId"] == "get_article"


def test_a_405_names_the_allowed_methods(client):
    response = client.request("TRACE", "/api/stories")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "SL602"
