"""API keys and rate limits: an ASGI middleware in front of every route.

A request may carry `X-API-Key`. A valid key raises the rate limit and, for admin keys, opens /v1/admin; an unknown
or revoked key is refused with 401 rather than silently treated as anonymous. Limits are fixed one-minute windows
per key, or per client address without a key; every answer carries X-RateLimit-Limit, X-RateLimit-Remaining and
X-RateLimit-Reset (seconds until the window ends), and a 429 also Retry-After. The client address is the socket
peer, or X-Forwarded-For when the peer is one of api_trusted_proxies (ijlucht/ratelimit.py).
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
import psycopg
from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader
from psycopg_pool import PoolTimeout

from api.errors import database_answer
from api.queries import service
from ijlucht import apikeys
from ijlucht.ratelimit import FixedWindowLimiter, client_address

__all__ = ["FixedWindowLimiter", "KeyCache", "KeyDep", "SecurityMiddleware", "require_admin"]

KEY_HEADER = "X-API-Key"
KEY_CACHE_S = 60.0  # a revoked key stops working within this long
MAX_BODY_BYTES = 64 * 1024  # registrations are a few hundred bytes

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class KeyCache:
    """Key hash -> (ApiKey or None, when the entry expires); saves a query per request."""

    entries: dict[str, tuple[apikeys.ApiKey | None, float]]

    def get(self, key_hash: str) -> tuple[bool, apikeys.ApiKey | None]:
        hit = self.entries.get(key_hash)
        if hit is None or hit[1] < time.monotonic():
            return False, None
        return True, hit[0]

    def put(self, key_hash: str, key: apikeys.ApiKey | None) -> None:
        if len(self.entries) > 10_000:
            self.entries.clear()
        self.entries[key_hash] = (key, time.monotonic() + KEY_CACHE_S)


async def lookup_key(app: Any, plain: str) -> apikeys.ApiKey | None:
    cache: KeyCache = app.state.key_cache
    key_hash = apikeys.hash_key(plain)
    found, key = cache.get(key_hash)
    if found:
        return key
    async with app.state.pool.connection() as conn:
        key = await service.key_by_hash(conn, key_hash)
    cache.put(key_hash, key)
    return key


class SecurityMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fastapi_app = scope["app"]
        settings = fastapi_app.state.settings
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _send_error(send, 413, f"request bodies are at most {MAX_BODY_BYTES // 1024} KiB")
            return
        if _header(scope, b"transfer-encoding") is not None:  # no endpoint needs a streamed upload
            await _send_error(send, 411, "send the body with a Content-Length, not chunked")
            return
        plain = _header(scope, b"x-api-key")
        peer = (scope.get("client") or ("unknown", 0))[0]
        client = client_address(peer, _header(scope, b"x-forwarded-for"), fastapi_app.state.trusted_proxies)
        key = None
        if plain is not None:
            try:
                key = await lookup_key(fastapi_app, plain) if 8 <= len(plain) <= 200 else None
            except (PoolTimeout, psycopg.Error) as exc:  # the middleware is outside the app's exception handlers
                status, detail, extra = database_answer(exc)
                await _send_error(send, status, detail, [(k.lower().encode(), v.encode()) for k, v in extra.items()])
                return
        exempt = key is None and client in settings.api_rate_exempt
        identity = f"key:{key.prefix}" if key else f"ip:{client}"
        limit = settings.api_rate_per_min
        if key is not None:
            limit = settings.api_rate_key_per_min * (10 if key.role == "admin" else 1)
        # A wrong key counts against the address, so guessing keys is rate limited like anything else.
        allowed, remaining, reset = (True, limit, 60) if exempt else fastapi_app.state.limiter.hit(identity, limit)
        headers = [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", str(remaining).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            message = f"rate limit of {limit} requests a minute reached; retry in {reset} s"
            if key is None:
                message += " (an API key raises the limit)"
            await _send_error(send, 429, message, [*headers, (b"retry-after", str(reset).encode())])
            return
        if plain is not None and key is None:
            detail = "unknown or revoked API key in X-API-Key; leave it out to read as a guest"
            await _send_error(send, 401, detail, headers)
            return
        scope.setdefault("state", {})["api_key"] = key
        if exempt:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return None


async def _send_error(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# Declares the header in the OpenAPI schema; the middleware has already checked it.
api_key_header = APIKeyHeader(name=KEY_HEADER, auto_error=False, description="an API key (`ijlucht apikeys create`)")


def current_key(request: Request, _: Annotated[str | None, Depends(api_key_header)]) -> apikeys.ApiKey | None:
    return request.scope.get("state", {}).get("api_key")


KeyDep = Annotated[apikeys.ApiKey | None, Depends(current_key)]


def require_admin(key: KeyDep) -> apikeys.ApiKey:
    if key is None:
        raise HTTPException(401, f"this needs an admin API key in the {KEY_HEADER} header")
    if key.role != "admin":
        raise HTTPException(403, f"key {key.prefix} has role {key.role!r}; this needs an admin key")
    return key
