"""A 413 (or 411) for a body the app refused from its headers closes the connection, so
the next request is never read as the rest of that body (issue 20 point 4). Against the
private stack's gunicorn, with the project's gunicorn.conf.py, over a raw socket."""

import socket

import pytest

pytestmark = pytest.mark.worker


def _connect(stack) -> socket.socket:
    port = int(stack.url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _read_response(sock: socket.socket) -> tuple[bytes, bytes, bool]:
    """(head, body, closed) of one HTTP response: its Content-Length's worth of body, or
    everything up to the close when it has none."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    if not lengths:
        while chunk := sock.recv(65536):
            rest += chunk
        return head, rest, True
    while len(rest) < lengths[0]:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return head, rest[: lengths[0]], False


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000000\r\n",
        "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 900000000\r\n",
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n",
    ],
    ids=["form text over 1 MB", "upload over 10 MB", "chunked"],
)
def test_a_refused_body_closes_the_connection_and_a_new_one_is_answered(stack, headers):
    sock = _connect(stack)
    # The client sends the headers and a little of the body, then (after the early answer)
    # what it thinks is its next request on the same connection.
    sock.sendall(
        f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode() + b"a=b"
    )
    head, _body, closed = _read_response(sock)
    assert head.split(b"\r\n", 1)[0].split(b" ")[1] in (b"411", b"413")
    assert b"connection: close" in head.lower()
    if not closed:
        try:
            sock.sendall(_get("/healthz"))
            assert sock.recv(65536) == b""  # closed: nothing is read as the next request
        except OSError:
            pass  # reset by the server: closed just the same
    sock.close()
    fresh = _connect(stack)
    fresh.sendall(_get("/healthz"))
    head, _body, _closed = _read_response(fresh)
    assert head.startswith(b"HTTP/1.1 200")
    fresh.close()


def test_a_body_within_the_limits_keeps_the_connection_for_the_next_request(stack):
    sock = _connect(stack)
    sock.sendall(_get("/healthz") + _get("/healthz"))
    first, _, closed = _read_response(sock)
    assert not closed
    second, _, _ = _read_response(sock)
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")
    sock.close()
