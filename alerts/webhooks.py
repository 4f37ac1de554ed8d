"""Posting an alert to a webhook: a signed JSON body, to an address checked just before (ijlucht/webhook_targets.py),
within one deadline for the whole request. No redirects are followed and the answer's body is not read.

Signature: header `X-IJlucht-Signature: sha256=<hex>`, the HMAC-SHA256 with the subscription's secret (shown once at
confirmation) of `<X-IJlucht-Timestamp>.<body>`; a receiver recomputes it and rejects old timestamps (replays)."""

import asyncio
import hashlib
import hmac
import ipaddress

import httpx

from ijlucht import webhook_targets


class WebhookFailed(RuntimeError):
    """The webhook did not take the alert: refused URL, unreachable, too slow or not a 2xx answer."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _url(target: webhook_targets.Target) -> str:
    ip = ipaddress.ip_address(target.address.split("%")[0])
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"{target.scheme}://{host}:{target.port}{target.path}"


async def post(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    body: bytes,
    timestamp: str,
    allow: tuple[str, ...],
    timeout: float,
) -> int:
    """POST the body; returns the HTTP status (2xx) or raises WebhookFailed with the reason."""
    try:
        target = await asyncio.to_thread(webhook_targets.resolve, url, allow)
    except webhook_targets.WebhookRefused as exc:
        raise WebhookFailed(str(exc)) from None
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "Host": target.host if target.port == default_port else f"{target.host}:{target.port}",
        "Content-Type": "application/json",
        "User-Agent": "IJlucht-alerts/1",
        "X-IJlucht-Timestamp": timestamp,
        "X-IJlucht-Signature": signature(secret, timestamp, body),
    }
    try:
        async with asyncio.timeout(timeout):
            async with client.stream(
                "POST", _url(target), content=body, headers=headers, extensions={"sni_hostname": target.host}
            ) as answer:  # the status is all we need: the body is never read
                status = answer.status_code
    except TimeoutError:
        raise WebhookFailed(f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise WebhookFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"the webhook answered HTTP {status}")
    return status
