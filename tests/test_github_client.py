"""mergegate's GitHub client on its own, against the stand-in (tests/github_standin.py) and a local
CONNECT proxy: the token's scrubber, `Retry-After`, endpoints and paths, the spacing of writes,
bounded answers, proxies and TLS. What a whole run does with a misbehaving GitHub is in
test_github.py."""

from __future__ import annotations

import base64
import select
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote

import pytest
from github_standin import Raw, StandIn
from helpers import FakeTime

from mergegate.gates.github import transport
from mergegate.gates.github.client import (
    LONGEST_WAIT,
    Client,
    Policy,
    repository_path,
    retry_after_seconds,
)
from mergegate.gates.github.errors import GitHubError
from mergegate.gates.github.secret import MASK, PIECE, Token
from mergegate.gates.github.transport import Endpoint

TOKEN = "ghs_ClientTestToken0123456789abcdefXYZ"
HEAD = "1" * 40
CHECK_RUN = {
    "name": "mergegate",
    "head_sha": HEAD,
    "status": "completed",
    "conclusion": "success",
    "output": {"title": "Passed", "summary": "nothing to say"},
}
PATH = repository_path("octo/demo", "check-runs")


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies only where a test sets them: none from the machine running the tests."""
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(token=TOKEN) as server:
        yield server


def client_for(url: str, fake: Optional[FakeTime] = None, **policy: Any) -> Client:
    fake = fake or FakeTime()
    rules = Policy(**policy, sleep=fake.sleep, clock=fake.clock)  # type: ignore[arg-type]
    return Client(Endpoint.parse(url), Token(TOKEN), rules, lambda message: None)


# --- the token -------------------------------------------------------------------------------


def test_the_token_and_its_prefixes_are_scrubbed_wherever_they_appear() -> None:
    token = Token(TOKEN)
    assert token.scrub(f"a {TOKEN} b {TOKEN}") == f"a {MASK} b {MASK}"
    assert token.scrub(f"cut: {TOKEN[:PIECE]}") == f"cut: {MASK}"
    assert token.scrub(f"cut: {TOKEN[:20]}…") == f"cut: {MASK}…"
    assert token.scrub(f"short: {TOKEN[:PIECE - 1]}") == f"short: {TOKEN[:PIECE - 1]}"
    assert token.scrub(f"{TOKEN}{TOKEN[:10]}") == f"{MASK}{MASK}"


def test_ordinary_text_that_shares_words_with_the_token_is_left_alone() -> None:
    token = Token("ghs_MergegateRecognisableToken4711")
    text = "posted check run 'mergegate' on Recognisable Token4711"
    assert token.scrub(text) == text


@pytest.mark.parametrize("user", ["", "x", "x-access-token", "xy"])  # every Base64 alignment
def test_the_token_in_a_basic_auth_header_is_scrubbed(user: str) -> None:
    encoded = base64.b64encode(f"{user}:{TOKEN}".encode()).decode()
    scrubbed = Token(TOKEN).scrub(f"Authorization: Basic {encoded}")
    assert MASK in scrubbed
    left = scrubbed.split("Basic ", 1)[1].replace(MASK, " ").split()
    users = base64.b64encode(f"{user}:".encode()).decode()
    assert all(len(piece) < PIECE or users.startswith(piece) for piece in left)  # not the token's


def test_the_url_encoded_token_and_its_url_safe_base64_are_scrubbed() -> None:
    value = "ghp_a+b/c=" + "Zz9" * 10
    token = Token(value)
    assert token.scrub(f"?token={quote(value, safe='')}&x=1") == f"?token={MASK}&x=1"
    url_safe = base64.urlsafe_b64encode(value.encode()).decode()
    assert token.scrub(url_safe).startswith(MASK)


def test_a_short_token_is_scrubbed_whole_and_the_repr_never_shows_it() -> None:
    assert Token("abc").scrub("xabcx abc") == f"x{MASK}x {MASK}"
    assert TOKEN not in repr(Token(TOKEN)) and TOKEN[:PIECE] not in repr(Token(TOKEN))
    assert Token("").scrub("anything") == "anything"


# --- Retry-After and the endpoint ----------------------------------------------------------


@pytest.mark.parametrize(
    "value, seconds",
    [
        (None, None),
        ("7", 7.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("nan", None),
        ("-5", None),
        ("2.5", None),
        ("1e3", None),
        ("", None),
        ("\u0663", None),
        ("\u00b2", None),
        ("99999999999999999999", LONGEST_WAIT),
        ("3601", LONGEST_WAIT),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 -0000", 0.0),
        ("not a date", None),
    ],
)
def test_retry_after_is_seconds_or_a_date_and_nothing_else(
    value: Optional[str], seconds: Optional[float]
) -> None:
    assert retry_after_seconds(value, now=2_000_000_000.0) == seconds


def test_a_retry_after_date_in_the_future_is_the_time_until_then() -> None:
    now = 2_000_000_000.0
    later = format_datetime(datetime.fromtimestamp(now + 42, tz=timezone.utc), usegmt=True)
    assert retry_after_seconds(later, now) == 42.0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "https://",
        "https://user:secret@api.example.com",
        "https://api.example.com/?x=1",
        "https://api.example.com:99999",
        "api.github.com",
    ],
)
def test_an_api_url_that_is_not_a_plain_http_url_of_a_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        Endpoint.parse(url)


def test_paths_percent_encode_every_segment() -> None:
    assert repository_path("octo/demo", "check-runs", 7) == "/repos/octo/demo/check-runs/7"
    assert repository_path("o/d", "a/b?c") == "/repos/o/d/a%2Fb%3Fc"


# --- requests --------------------------------------------------------------------------------


def test_writes_are_spaced_a_second_apart_and_carry_githubs_headers(standin: StandIn) -> None:
    fake = FakeTime()
    github = client_for(standin.url, fake)
    created = github.request("POST", PATH, "creating", CHECK_RUN)
    github.request("PATCH", f"{PATH}/{created['id']}", "updating", {"output": CHECK_RUN["output"]})
    assert fake.sleeps == [1.0]  # "at least one second between each request" that writes
    assert [r.headers["X-GitHub-Api-Version"] for r in standin.requests] == ["2022-11-28"] * 2
    assert standin.requests[0].headers["User-Agent"] == "mergegate"
    assert standin.violations == []


def test_an_answer_longer_than_the_bound_is_refused(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 100)
    github = client_for(standin.url, max_retries=0)
    with pytest.raises(GitHubError, match="an answer longer than 100 bytes"):
        github.request("POST", PATH, "creating", CHECK_RUN)


def test_an_answer_that_ends_early_is_broken_not_short(standin: StandIn) -> None:
    standin.always = Raw(201, b'{"id": 1}', length=20)
    github = client_for(standin.url, max_retries=0)
    with pytest.raises(GitHubError, match="IncompleteRead"):
        github.request("POST", PATH, "creating", CHECK_RUN)


# --- proxies ---------------------------------------------------------------------------------


class ConnectProxy:
    """A CONNECT-only proxy on 127.0.0.1, as a corporate proxy tunnels HTTPS: it records each
    request's first line and `Proxy-Authorization`, answers `status` (200 opens the tunnel), then
    copies bytes both ways."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.seen: list[tuple[str, Optional[str]]] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        authorization = next(
            (line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("proxy-a")),
            None,
        )
        self.seen.append((lines[0], authorization))
        method, target, _ = lines[0].split(" ")
        if method != "CONNECT" or self.status != 200:
            client.sendall(f"HTTP/1.1 {self.status} No\r\nContent-Length: 0\r\n\r\n".encode())
            return
        host, port = target.rsplit(":", 1)
        with socket.create_connection((host, int(port))) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            ends = [client, upstream]
            while True:
                readable, _, _ = select.select(ends, [], [], 5)
                if not readable:
                    return
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is client else client).sendall(data)


def test_a_proxy_from_the_environment_tunnels_the_request(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy() as proxy:
        monkeypatch.setenv("http_proxy", f"http://me:p%40ss@127.0.0.1:{proxy.port}")
        answer = client_for(standin.url).request("POST", PATH, "creating", CHECK_RUN)
    port = standin.url.rsplit(":", 1)[1]
    basic = base64.b64encode(b"me:p@ss").decode()
    assert proxy.seen == [(f"CONNECT 127.0.0.1:{port} HTTP/1.1", f"Basic {basic}")]
    assert answer["id"] == 1 and standin.violations == []
    assert standin.requests[0].headers["Host"] == f"127.0.0.1:{port}"  # the API's, not the proxy's


def test_no_proxy_is_honoured(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    with ConnectProxy() as proxy:
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        client_for(standin.url).request("POST", PATH, "creating", CHECK_RUN)
    assert proxy.seen == []
    assert len(standin.requests) == 1


def test_a_proxy_that_refuses_is_an_error_that_names_it(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy(status=407) as proxy:
        monkeypatch.setenv("http_proxy", f"127.0.0.1:{proxy.port}")  # no scheme: http
        github = client_for(standin.url, max_retries=0)
        with pytest.raises(GitHubError, match="the proxy answered 407 No to CONNECT 127.0.0.1:"):
            github.request("POST", PATH, "creating", CHECK_RUN)
    assert standin.requests == []


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    """A self-signed certificate (and its key) for 127.0.0.1, made by openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    pem = tmp_path / "standin.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(pem), "-out", str(pem)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return pem


@pytest.fixture
def https_standin(certificate: Path) -> Iterator[StandIn]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    transport._tls.cache_clear()  # the authorities are read once per run: per test here
    with StandIn(token=TOKEN, tls=context) as server:
        yield server
    transport._tls.cache_clear()


def test_https_checks_the_certificate_against_the_authorities_in_ssl_cert_file(
    https_standin: StandIn, certificate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    answer = client_for(https_standin.url).request("POST", PATH, "creating", CHECK_RUN)
    assert https_standin.url.startswith("https://")
    assert answer["id"] == 1 and https_standin.violations == []


def test_https_refuses_a_certificate_no_authority_vouches_for(
    https_standin: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-authorities.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    github = client_for(https_standin.url, max_retries=0)
    with pytest.raises(GitHubError, match="CERTIFICATE_VERIFY_FAILED"):
        github.request("POST", PATH, "creating", CHECK_RUN)
    assert https_standin.requests == []
