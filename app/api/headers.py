"""Hardening every HTTP answer, as one pure ASGI middleware: its headers, its path, HEAD.

- Headers. Every answer, errors and the docs included, tells the browser not to sniff
  content types, not to frame it, not to send a Referer, and to keep its window and its
  resources to this origin. There is no global Content-Security-Policy: Swagger UI at /docs
  runs an inline script. The page at / sends its own CSP (app/api/shots.py); where an answer
  has a CSP without `frame-ancestors`, `frame-ancestors 'none'` is added to it. A header the
  app already set is left as it is, never sent twice.
- Trailing slashes. `/aim/` is served as `/aim`, by rewriting the path before routing,
  rather than redirected: Starlette builds a redirect's Location from the Host header, so
  `Host: evil.example` came back as `location: http://evil.example/aim`. (The router's own
  redirects must be off as well, `app.router.redirect_slashes = False`: it also redirects
  `/static-offline-docs` to `.../static-offline-docs/`, the other way round.)
- HEAD. FastAPI routes answer only the methods they declare, so HEAD on a GET route was a
  405. Here a HEAD runs as the GET, before the key and the concurrency limit (they see the
  GET it runs as), and its answer goes out with the GET's status and headers, Content-Length
  included, and an empty body.

The path and the method are rewritten in the request's scope itself, not a copy, because the
request observer outside this middleware (app/api/observe.py) labels a request by what the
router writes into that same scope. The method is set back to HEAD as soon as the answer
starts and when the request ends: the server reads it then, to send no body and to not fall
back on chunked encoding, and the observer to count a HEAD as a HEAD.

Not covered: a 500 for an unhandled exception is sent by Starlette's ServerErrorMiddleware,
which sits outside every middleware added to the app (its body comes from the app's handler
for Exception), and the errors uvicorn answers itself (a malformed request, too many
connections).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HARDENING_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
RAW_HARDENING = [
    (name.lower().encode(), value.encode()) for name, value in HARDENING_HEADERS.items()
]
# What carries a response's body; zerocopysend and pathsend are ASGI extensions for files.
BODY_MESSAGES = frozenset(
    {"http.response.body", "http.response.zerocopysend", "http.response.pathsend"}
)
CSP = b"content-security-policy"
NO_FRAMING = b"frame-ancestors 'none'"


def hardened(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer's headers with those of HARDENING_HEADERS it lacks, and its CSP (if it has
    one) forbidding framing."""
    result: list[tuple[bytes, bytes]] = []
    present = set()
    for name, value in headers:
        lower = name.lower()
        present.add(lower)
        if lower == CSP and b"frame-ancestors" not in value.lower():
            value = value.rstrip(b"; ") + b"; " + NO_FRAMING
        result.append((name, value))
    result.extend((name, value) for name, value in RAW_HARDENING if name not in present)
    return result


def strip_trailing_slashes(scope: Scope) -> None:
    """`/aim/` (or `/aim//`) becomes `/aim`, in `path` and `raw_path`; `/` stays `/`."""
    path: str = scope["path"]
    if len(path) > 1 and path.endswith("/"):
        scope["path"] = path.rstrip("/") or "/"
        raw_path = scope.get("raw_path")
        if isinstance(raw_path, bytes) and raw_path.endswith(b"/"):
            scope["raw_path"] = raw_path.rstrip(b"/") or b"/"


class HardeningMiddleware:
    """Hardening headers on every answer; `/path/` served as `/path`; HEAD run as GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strip_trailing_slashes(scope)
        head = scope["method"] == "HEAD"
        if head:
            scope["method"] = "GET"

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                if head:
                    scope["method"] = "HEAD"  # before the server writes the status line
                message = {**message, "headers": hardened(message.get("headers", ()))}
            elif head and message["type"] in BODY_MESSAGES:  # only its end goes out, empty
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(scope, receive, send_hardened)
        finally:
            if head:
                scope["method"] = "HEAD"
