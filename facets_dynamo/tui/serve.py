"""``edit --serve``: textual-serve behind a per-launch token, an Origin check and a one-session limit.

textual-serve has no authentication: any web page the user opens could connect to its WebSocket and drive
the editor, which reads the blueprint and writes files (cross-site WebSocket hijacking). This module wraps
textual-serve's own aiohttp application with one middleware instead of forking it:

- every request needs the launch's secret token, as ``?token=`` (the URL printed at start, as Jupyter does)
  or as the cookie the page sets once the token was right; anything else is 403 with nothing of the app;
- the WebSocket upgrade must come from the served origin (``Origin`` equal to ``http://<Host header>``),
  and the ``Host`` header must name the address that is served (no DNS rebinding onto loopback);
- the page loads nothing from another origin (textual-serve links a web font from Google Fonts; the link is
  dropped, the same font is served from textual-serve's own static folder, and a Content-Security-Policy
  keeps the page to its own origin);
- at most ``max_sessions`` WebSocket sessions at once (one by default): a second browser tab gets 409.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

TOKEN_ENV = "FACETS_DYNAMO_SERVE_TOKEN"
MIN_TOKEN_LENGTH = 22  # 22 URL-safe characters carry 132 bits
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_.~-]+$")
_LINK = re.compile(rb"<link[^>]*href=\"(?P<href>[^\"]*)\"[^>]*/?>\s*", re.IGNORECASE)
# The font textual-serve's terminal asks for first, from the copy textual-serve ships in its static folder
# (its page links the same font from Google Fonts, which the Content-Security-Policy below refuses: with no
# network the browser fell back to a font without the glyphs the editor draws).
_LOCAL_FONT = b"""<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
                   src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
                   src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>
  """


class ServeError(ValueError):
    """A serve option that cannot be used (a short token, a host that is not an address)."""


def new_token() -> str:
    """A random token of 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)


def check_token(token: str) -> str:
    if len(token) < MIN_TOKEN_LENGTH:
        raise ServeError(f"the token must be at least {MIN_TOKEN_LENGTH} characters (128 bits or more); "
                         f"got {len(token)}")
    if not _TOKEN_CHARS.match(token):
        raise ServeError("the token may hold only letters, digits and - _ . ~ (it goes into a URL)")
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def browser_url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/?token={token}"


def _host_header_ok(request: web.Request, bound_host: str, port: int) -> bool:
    """On loopback, the Host header must be a loopback name with our port (a rebinding page's is not)."""
    if not is_loopback(bound_host):
        return True  # served to the network on purpose: the token is the guard
    host = request.host
    name, _, given_port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, given_port = host, ""
    return is_loopback(name) and given_port == str(port)


def _own_page(body: bytes, origin: str) -> bytes:
    """The page as textual-serve renders it, minus what it would fetch from another origin, plus the font."""
    def own_links_only(link: re.Match[bytes]) -> bytes:
        href = link["href"].decode(errors="replace")
        return link[0] if href.startswith((origin + "/", "/")) and not href.startswith("//") else b""

    return _LINK.sub(own_links_only, body).replace(b"</head>", _LOCAL_FONT + b"</head>", 1)


def make_server(command: str, *, host: str, port: int, token: str, title: str, max_sessions: int = 1):
    """The textual-serve ``Server`` for ``command`` with the guards above."""
    from aiohttp import web
    from textual_serve.server import Server

    cookie = f"facets_dynamo_token_{port}"
    sessions = {"open": 0}

    def token_ok(request: web.Request) -> bool:
        given = request.query.get("token") or request.cookies.get(cookie) or ""
        return hmac.compare_digest(given.encode(), token.encode())

    @web.middleware
    async def guard(request: web.Request, handler):
        if not _host_header_ok(request, host, port):
            raise web.HTTPForbidden(text="forbidden: unexpected Host header\n")
        if not token_ok(request):
            raise web.HTTPForbidden(text="forbidden: open the URL with the token that facets-dynamo printed\n")
        is_websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        if is_websocket:
            origin = request.headers.get("Origin", "")
            if origin != f"http://{request.host}":
                raise web.HTTPForbidden(text="forbidden: the WebSocket must come from the served page\n")
            if sessions["open"] >= max_sessions:
                raise web.HTTPConflict(text=f"the editor already has {sessions['open']} session(s) open\n")
            sessions["open"] += 1
            try:
                return await handler(request)
            finally:
                sessions["open"] -= 1
        response = await handler(request)
        if request.path == "/" and isinstance(response, web.Response) and response.body is not None:
            response.body = _own_page(bytes(response.body), f"http://{request.host}")
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                f"img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://{request.host}")
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.set_cookie(cookie, token, httponly=True, samesite="Strict", path="/")
        return response

    class GuardedServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def on_startup(self, app: web.Application) -> None:
            pass  # textual-serve prints its own URL without the token; the CLI prints the right one

    return GuardedServer(command, host=host, port=port, title=title)
