"""One HTTP exchange with GitHub, bounded in total time: connecting, the TLS handshake, sending and
every byte of the answer end by one deadline.

A socket timeout bounds each operation, not a request: a server that trickles one byte every few
seconds never trips a read timeout and can keep a client forever. So every blocking step here is
given what is left of the request's time as its timeout, and the answer is read through a reader
that does the same before each receive. (A TLS handshake and `sendall` honour their timeout as a
whole, since Python 3.5.)

Nothing else is done behind the caller's back: no redirect is followed (a 3xx is an answer like
any other), no connection is kept, nothing is retried (the client's policy decides that), and an
answer longer than `MAX_ANSWER_BYTES` is refused. A proxy named by the environment (`https_proxy`,
`http_proxy`, honouring `no_proxy`, as curl and pip read them) is used through a CONNECT tunnel,
with Basic authentication when its URL carries a user.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import SplitResult, unquote, urlsplit

MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The longest answer read: a check run is a few kilobytes plus its 64 KiB summary; a page of 100
review comments of at most 64 KiB each stays below this."""

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    """Where the API is: scheme, host, port and the path it is served under (GitHub Enterprise
    Server serves it under `/api/v3`)."""

    scheme: str
    host: str
    port: int
    netloc: str
    """`host[:port]` as the URL gave it: the `Host` header."""
    base_path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """ValueError for a URL that is not a plain http(s) URL of a host."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("not an http(s) URL with a host")
        if parts.username is not None or parts.query or parts.fragment:
            raise ValueError("an API URL has no user, query or fragment")
        port = parts.port or DEFAULT_PORTS[parts.scheme]  # ValueError for a port out of range
        return cls(parts.scheme, parts.hostname, port, parts.netloc, parts.path.rstrip("/"))


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: Mapping[str, str]
    """Header names in lower case (the last of repeated ones)."""
    body: bytes


class Deadline:
    """The moment a request must be over by (the monotonic clock: a request is real time)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def left(self) -> float:
        """The seconds left; TimeoutError when there are none."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete answer within {self.seconds:g}s")
        return left


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes, each receive bounded by what is left of the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


def exchange(
    endpoint: Endpoint,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: Optional[bytes],
    seconds: float,
) -> Answer:
    """Send one request and read its whole answer within `seconds`. OSError (no connection, a
    timeout, TLS) or http.client.HTTPException (an answer that is not HTTP, or too long)."""
    deadline = Deadline(seconds)
    try:
        sock = _connect(endpoint, deadline)
        try:
            lines = [f"{method} {endpoint.base_path}{path} HTTP/1.1", f"Host: {endpoint.netloc}"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            lines += [f"Content-Length: {len(body or b'')}", "Connection: close", "", ""]
            _send(sock, "\r\n".join(lines).encode("ascii") + (body or b""), deadline)
            response = _response(sock, method, deadline)
            data = response.read(MAX_ANSWER_BYTES + 1)
            if len(data) > MAX_ANSWER_BYTES:
                raise http.client.HTTPException(f"an answer longer than {MAX_ANSWER_BYTES} bytes")
            if response.length:  # the connection ended before the announced length
                raise http.client.IncompleteRead(data, response.length)
        finally:
            sock.close()
    except socket.timeout:  # an operation's own timeout: the deadline passed during it
        raise TimeoutError(f"no complete answer within {seconds:g}s") from None
    names = {name.lower(): value for name, value in response.getheaders()}
    return Answer(response.status, response.reason, names, data)


def _connect(endpoint: Endpoint, deadline: Deadline) -> socket.socket:
    proxy = _proxy(endpoint)
    address = (proxy.hostname or "", proxy.port or 80) if proxy else (endpoint.host, endpoint.port)
    sock = socket.create_connection(address, timeout=deadline.left())
    try:
        if proxy is not None:
            _tunnel(sock, proxy, endpoint, deadline)
        if endpoint.scheme == "https":
            sock.settimeout(deadline.left())
            return _tls().wrap_socket(sock, server_hostname=endpoint.host)
    except BaseException:
        sock.close()
        raise
    return sock


@functools.lru_cache(maxsize=None)
def _tls() -> ssl.SSLContext:
    """Certificates checked against the system's authorities (and `SSL_CERT_FILE`/`SSL_CERT_DIR`),
    loaded once for the run."""
    return ssl.create_default_context()


def _proxy(endpoint: Endpoint) -> Optional[SplitResult]:
    """The proxy the environment names for this endpoint, if any."""
    named = urllib.request.getproxies().get(endpoint.scheme)
    if not named or urllib.request.proxy_bypass(endpoint.host):
        return None
    proxy = urlsplit(named if "://" in named else f"http://{named}")
    if proxy.scheme != "http" or not proxy.hostname:
        raise OSError(f"the {endpoint.scheme} proxy must be an http:// URL with a host")
    return proxy


def _tunnel(
    sock: socket.socket, proxy: SplitResult, endpoint: Endpoint, deadline: Deadline
) -> None:
    """Ask the proxy for a tunnel to the endpoint (CONNECT, RFC 9110 section 9.3.6)."""
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host  # an IPv6 address
    target = f"{host}:{endpoint.port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.username is not None:
        user = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
        lines.append(f"Proxy-Authorization: Basic {base64.b64encode(user.encode()).decode()}")
    _send(sock, "\r\n".join([*lines, "", ""]).encode("ascii"), deadline)
    answer = _response(sock, "CONNECT", deadline)
    if answer.status != 200:
        raise OSError(f"the proxy answered {answer.status} {answer.reason} to CONNECT {target}")


def _send(sock: socket.socket, data: bytes, deadline: Deadline) -> None:
    sock.settimeout(deadline.left())
    sock.sendall(data)


def _response(sock: socket.socket, method: str, deadline: Deadline) -> http.client.HTTPResponse:
    """The answer's status and headers (http.client parses them, within its limits on their
    number and length), its body still to read; every receive bounded by the deadline."""
    response = http.client.HTTPResponse(sock, method=method)
    response.fp.close()  # the socket's own file, whose reads are bounded by no deadline
    response.fp = io.BufferedReader(_DeadlineReader(sock, deadline))
    response.begin()
    return response
