"""`edit --serve` lets no one else in: a real server on a free loopback port, driven by a WebSocket client."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import EXAMPLE, console_script

TOKEN = "t0ken-for-the-tests-only-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server did not start listening")


def _start(*extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([console_script(), "edit", str(EXAMPLE), "--env", "dev", "--serve", "--port", str(port),
                             *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    _wait_for_port(port, proc)
    return proc, port


def _stop(proc: subprocess.Popen) -> str:
    with_children = os.getpgid(proc.pid)
    os.killpg(with_children, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(with_children, signal.SIGKILL)
        _, err = proc.communicate()
    return err


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    proc, port = _start("--token", TOKEN)
    try:
        yield port
    finally:
        _stop(proc)


async def _get(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        body = await response.read()
        return response.status, body.decode(errors="replace"), dict(response.headers)


def _run(coro):
    return asyncio.run(coro)


@pytest.mark.slow
def test_page_without_the_token_is_403_and_shows_nothing_of_the_app(server: int) -> None:
    for url in (f"http://127.0.0.1:{server}/", f"http://127.0.0.1:{server}/?token=wrong",
                f"http://127.0.0.1:{server}/?token={TOKEN[:-1]}", f"http://127.0.0.1:{server}/static/js/textual.js"):
        status, body, _ = _run(_get(url))
        assert status == 403, url
        assert "textual" not in body.lower() and "websocket" not in body.lower()


@pytest.mark.slow
def test_page_with_the_token_loads_nothing_from_the_network(server: int) -> None:
    status, body, headers = _run(_get(f"http://127.0.0.1:{server}/?token={TOKEN}"))
    assert status == 200
    assert "data-session-websocket-url" in body
    import re

    loads = re.findall(r'(?:href|src)="([^"]+)"', body)
    assert loads and all(url.startswith(f"http://127.0.0.1:{server}/") for url in loads), loads
    assert "googleapis" not in body
    assert any(url.endswith("/static/css/xterm.css") for url in loads), "the terminal's own stylesheet was dropped"
    fonts = re.findall(r'@font-face\s*{[^}]*font-family:\s*"Roboto Mono"[^}]*url\("([^"]+)"\)', body)
    assert fonts, "the terminal's font must come from the served page's own origin"
    for font in fonts:  # and it is there: the page's cookie (HttpOnly, set above) lets the browser fetch it
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, font_headers = _run(_get(f"http://127.0.0.1:{server}{font}", Cookie=cookie))
        assert status == 200 and font_headers.get("Content-Type", "").startswith(("font/", "application/")), font
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]


@pytest.mark.slow
def test_page_with_a_foreign_host_header_is_refused(server: int) -> None:
    """A DNS-rebinding page reaches loopback under its own name: the Host header gives it away."""
    status, _, _ = _run(_get(f"http://127.0.0.1:{server}/?token={TOKEN}", Host=f"evil.example:{server}"))
    assert status == 403


async def _websocket_status(port: int, query: str, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as http:
        try:
            async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30{query}", headers=headers):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


@pytest.mark.slow
@pytest.mark.parametrize(("query", "origin"), [
    ("", "ORIGIN"),                      # no token
    ("&token=wrong", "ORIGIN"),          # a wrong token
    (f"&token={TOKEN}", "http://evil.example"),  # a foreign page that somehow knows the token
    (f"&token={TOKEN}", None),           # no Origin at all
    (f"&token={TOKEN}", "http://localhost:1"),  # another local origin
], ids=["no-token", "wrong-token", "foreign-origin", "no-origin", "other-port"])
def test_websocket_is_refused(server: int, query: str, origin: str | None) -> None:
    origin = f"http://127.0.0.1:{server}" if origin == "ORIGIN" else origin
    assert _run(_websocket_status(server, query, origin)) == 403


async def _drive(port: int) -> tuple[int, bool, int]:
    """Open a session with the cookie the page sets, read the first screen, press Ctrl+Q (the example is
    unmodified, so the app quits): the socket closing proves the key reached the app."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address
    origin = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{origin}/?token={TOKEN}") as page:
            assert page.status == 200
        screen = 0
        async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=40",
                                   headers={"Origin": origin}) as ws:
            second = await _websocket_status(port, f"&token={TOKEN}", origin)
            deadline = time.monotonic() + 60
            while screen < 5000 and time.monotonic() < deadline:
                message = await ws.receive(timeout=60)
                if message.type == aiohttp.WSMsgType.BINARY:
                    screen += len(message.data)
            await ws.send_json(["stdin", "\x11"])  # Ctrl+Q
            closed = False
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                message = await ws.receive(timeout=30)
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    closed = True
                    break
        return screen, closed, second


@pytest.mark.slow
def test_right_token_and_origin_get_the_screen_and_keys_reach_the_app() -> None:
    proc, port = _start("--token", TOKEN)
    try:
        screen, closed, second = _run(_drive(port))
        assert screen >= 5000, "the app's screen did not arrive"
        assert second == 409, "a second session was let in while one was open"
        assert closed, "Ctrl+Q did not reach the app"
    finally:
        _stop(proc)


@pytest.mark.slow
def test_token_from_the_environment_and_a_random_one_per_launch() -> None:
    proc, port = _start(env={"FACETS_DYNAMO_SERVE_TOKEN": TOKEN})
    try:
        assert _run(_get(f"http://127.0.0.1:{port}/?token={TOKEN}"))[0] == 200
    finally:
        _stop(proc)
    printed = []
    for _ in range(2):
        proc, port = _start()
        err = _stop(proc)
        url = next(line.strip() for line in err.splitlines() if "?token=" in line)
        printed.append(url.split("?token=", 1)[1])
        assert len(printed[-1]) >= 22
    assert printed[0] != printed[1]


@pytest.mark.parametrize("token", ["", "short", "x" * 21, "has space and is long enough to pass", "a/b" * 10])
def test_weak_or_unusable_token_is_a_usage_error(run_cli, token: str) -> None:
    result = run_cli("edit", EXAMPLE, "--serve", "--port", str(_free_port()), "--token", token)
    assert result.returncode == 2
    assert "--token" in result.stderr and "Traceback" not in result.stderr


def test_non_loopback_host_warns_that_the_editor_writes_files(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([console_script(), "edit", str(EXAMPLE), "--serve", "--host", "0.0.0.0", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    _wait_for_port(port, proc)
    err = _stop(proc)
    assert "warning: serving on 0.0.0.0, not loopback" in err and "write its files" in err
    assert "?token=" in err


_ORPHAN = """
import sys, threading, time
from facets_dynamo.tui.__main__ import _exit_with_parent

class Stuck:
    '''An app whose loop no longer turns: call_from_thread never returns.'''
    def call_from_thread(self, callback):
        threading.Event().wait()
    def exit(self):
        pass

_exit_with_parent(Stuck(), poll=0.05, grace=0.5)
print("watching", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_an_app_whose_server_is_gone_ends_even_when_its_loop_is_stuck(tmp_path: Path) -> None:
    """The server killed outright: its app ends within the grace period, even if the app cannot answer the
    request to exit (once the watcher itself waited on that request forever and the orphan spun for hours)."""
    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN, encoding="utf-8")
    pid_file = tmp_path / "pid"
    out = tmp_path / "out"
    # sh starts the app, waits until its watcher took sh for its parent, and exits: the parent is gone, as when
    # the server dies
    subprocess.run(["sh", "-c", f'"{sys.executable}" "{script}" > "{out}" 2>&1 & echo $! > "{pid_file}"; '
                    f'while ! grep -q watching "{out}"; do sleep 0.05; done'], check=True, timeout=60)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"the orphaned app is still running: {out.read_text()}")
