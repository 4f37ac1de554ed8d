"""What makes public answers shareable: CORS for public GETs, Cache-Control and a strong ETag (304 on
If-None-Match), so browsers of other sites can read the data and a standard HTTP cache can serve it.

An ASGI middleware around the routes. It buffers only what it tags: 200 answers to GET with a Content-Length
(JSON lists, GeoJSON, catalogues); streamed exports pass through untouched. Answers that set their own ETag
(/v1/map/latest) or their own Cache-Control (a new API key: no-store) keep theirs. /v1/admin gets none of this.
Compression is Starlette's GZipMiddleware, outside this one, so the ETag names the content, not its encoding.
"""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware.gzip import GZipMiddleware

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PUBLIC_MAX_AGE_S = 60  # measurements arrive every minute or so: an answer a minute old is still right
CATALOGUE_MAX_AGE_S = 3600  # quantities, flags, scales change with a release
SELF_COMPRESSED = ("/v1/map/latest",)
CATALOGUES = ("/v1/quantities", "/v1/flags", "/v1/scales", "/v1/licence")
EXPOSED = b"ETag, Link, Content-Disposition, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"


def is_public(scope: Scope) -> bool:
    path = scope.get("path", "")
    return scope["method"] in ("GET", "HEAD") and path.startswith("/v1/") and not path.startswith("/v1/admin")


def cache_control(path: str, keyed: bool) -> bytes:
    """Answers to a keyed request may hold what an admin key opens: never stored by a shared cache."""
    if keyed:
        return b"private, max-age=0"
    max_age = CATALOGUE_MAX_AGE_S if path in CATALOGUES else PUBLIC_MAX_AGE_S
    return f"public, max-age={max_age}".encode()


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _has(headers: list[tuple[bytes, bytes]], name: bytes) -> bool:
    return any(k.lower() == name for k, _ in headers)


class PublicHttpMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if _is_preflight(scope) and path.startswith("/v1/") and not path.startswith("/v1/admin"):
            await _preflight(send)
            return
        if not is_public(scope):
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers", []))
        keyed = b"x-api-key" in request_headers
        if_none_match = request_headers.get(b"if-none-match", b"")
        start: Message | None = None
        chunks: list[bytes] = []

        async def tagging_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"access-control-allow-origin", b"*"))
                headers.append((b"access-control-expose-headers", EXPOSED))
                message["headers"] = headers
                taggable = message["status"] == 200 and _has(headers, b"content-length")
                if taggable and not _has(headers, b"etag") and not _has(headers, b"cache-control"):
                    start = message  # held until the body is complete
                    return
                if not _has(headers, b"cache-control") and message["status"] < 400:
                    headers.append((b"cache-control", cache_control(path, keyed)))
                await send(message)
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            tag = etag_of(body)
            headers = [*start["headers"], (b"etag", tag), (b"cache-control", cache_control(path, keyed))]
            headers.append((b"vary", b"Accept-Encoding, X-API-Key"))
            if tag in if_none_match:
                kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, tagging_send)


def _is_preflight(scope: Scope) -> bool:
    """A browser's CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (others get 405)."""
    names = {k for k, _ in scope.get("headers", [])}
    return scope["method"] == "OPTIONS" and b"origin" in names and b"access-control-request-method" in names


async def _preflight(send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
        (b"access-control-allow-headers", b"X-API-Key, If-None-Match"),
        (b"access-control-max-age", b"86400"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class Gzip(GZipMiddleware):
    """Starlette's gzip at a fast level, for every answer over 1 KiB except the map's latest values, which gzip
    themselves once per cached answer (api/routes/map.py) instead of once per request."""

    def __init__(self, app: Any) -> None:
        super().__init__(app, minimum_size=1024, compresslevel=4)  # level 9 costs 3-5x the time for ~10 % less

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in SELF_COMPRESSED:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)  # type: ignore[arg-type]
