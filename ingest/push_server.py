"""HTTP push for Sensor.Community (airRohr) kits: POST /v1/push/airrohr with the kit's id and token.

In the airRohr configuration ("Send data to own API"): server = this host, path = /v1/push/airrohr, user = the
IJlucht kit id, password = the kit's token (its broker password from `ijlucht kits add`). The push is checked
with the contract's validation, then published on the kit's own MQTT topic with the kit's own credentials, so it
takes exactly the path (and the durability) of every other reading: broker ACL, ingest worker, same checks.

Before a byte of the body is read, a push must pass the per-address rate limit, carry well-formed Basic
credentials, pass the per-kit rate limit and declare a Content-Length of at most airrohr.MAX_BODY_BYTES. Unknown
kits and wrong tokens get the same 401 (the broker decides; the server never says which).
"""

import base64
import binascii
import json
import threading
import time
from typing import Any

import anyio
import paho.mqtt.client as mqtt
from fastapi import FastAPI, HTTPException, Request
from starlette.requests import ClientDisconnect

from ijlucht import contract
from ijlucht.ratelimit import FixedWindowLimiter, client_address, proxy_networks
from ingest.airrohr import MAX_BODY_BYTES, convert
from ingest.push_settings import PushSettings
from ingest.settings import IngestSettings
from ingest.validate import parse_readings_message

BROKER_TIMEOUT_S = 10.0
MAX_TOKEN_CHARS = 200
ASK_FOR_CREDENTIALS = {"WWW-Authenticate": 'Basic realm="IJlucht kit"'}
NO_CREDENTIALS = "send the IJlucht kit id as user and the kit's token as password (HTTP Basic)"
NOT_ACCEPTED = "kit id or token not accepted"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(kit id, token) from an Authorization header when both have the right shape, else None (pure)."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or len(encoded) > 4 * (MAX_TOKEN_CHARS + 64) // 3:
        return None
    try:
        user, sep, token = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not sep or not token or len(token) > MAX_TOKEN_CHARS or not contract.KIT_ID_PATTERN.fullmatch(user):
        return None
    return user, token


def declared_length(content_length: str | None, transfer_encoding: str | None) -> int:
    """The body's declared size, or the HTTPException (411/413) that refuses it before it is read (pure)."""
    if transfer_encoding is not None or content_length is None:
        raise HTTPException(411, f"send the push with a Content-Length (at most {MAX_BODY_BYTES // 1024} KiB)")
    if not content_length.isdigit() or int(content_length) > MAX_BODY_BYTES:
        raise HTTPException(413, f"a push is at most {MAX_BODY_BYTES // 1024} KiB (airRohr sends under 2 KB)")
    return int(content_length)


class BrokerRefused(Exception):
    pass


def publish_as_kit(settings: IngestSettings, kit_id: str, token: str, payload: bytes) -> None:
    """Connect as the kit, publish at QoS 1 and wait for the broker's acknowledgement.

    The client id is the kit's id, the only one its account may use (an airRohr kit has no MQTT session of its
    own to lose; an MQTT kit's owner pushing over HTTP only closes that kit's own connection, not anyone else's).
    """
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit_id)
    client.username_pw_set(kit_id, token)
    connected = threading.Event()
    result: dict = {}

    def on_connect(c, userdata, flags, rc, props):
        result["rc"] = rc
        connected.set()

    client.on_connect = on_connect
    try:
        client.connect(settings.mqtt_host, settings.mqtt_port, keepalive=30)
    except OSError as e:
        raise ConnectionError(f"broker unreachable: {e}") from None
    client.loop_start()
    try:
        if not connected.wait(BROKER_TIMEOUT_S):
            raise ConnectionError("broker did not answer")
        if result["rc"].is_failure:
            raise BrokerRefused(str(result["rc"]))
        info = client.publish(contract.topic(kit_id, contract.READINGS), payload, qos=1)
        info.wait_for_publish(BROKER_TIMEOUT_S)
        if not info.is_published():
            raise ConnectionError("broker did not acknowledge the reading")
    finally:
        client.disconnect()
        client.loop_stop()


async def read_body(request: Request, declared: int, timeout_s: float) -> bytes:
    """The body, refused (413) as soon as it grows past its Content-Length, or 408 if it trickles in too slowly."""
    parts, size = [], 0
    try:
        with anyio.fail_after(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > declared:
                    raise HTTPException(413, "the body is longer than its Content-Length")
                parts.append(chunk)
    except TimeoutError:
        raise HTTPException(408, f"the body did not arrive within {timeout_s:g} s") from None
    except ClientDisconnect:
        raise HTTPException(400, "the connection closed before the whole body arrived") from None
    return b"".join(parts)


def create_app(settings: PushSettings | None = None) -> FastAPI:
    settings = settings or PushSettings()
    app = FastAPI(title="IJlucht push", summary="HTTP push for Sensor.Community kits", version="1")
    limiter = FixedWindowLimiter()
    trusted = proxy_networks(settings.push_trusted_proxies)

    def limit(identity: str, per_min: int, what: str) -> None:
        allowed, _, reset = limiter.hit(identity, per_min)
        if not allowed:
            detail = f"more than {per_min} pushes a minute {what}; retry in {reset} s"
            raise HTTPException(429, detail, headers={"Retry-After": str(reset)})

    @app.post("/v1/push/airrohr", status_code=201, summary="Readings of a Sensor.Community (airRohr) kit")
    async def push_airrohr(request: Request) -> dict[str, Any]:
        peer = request.client.host if request.client else "unknown"
        address = client_address(peer, request.headers.get("x-forwarded-for"), trusted)
        limit(f"ip:{address}", settings.push_rate_per_min, "from your address")
        creds = basic_credentials(request.headers.get("authorization"))
        if creds is None:
            raise HTTPException(401, NO_CREDENTIALS, headers=ASK_FOR_CREDENTIALS)
        kit_id, token = creds
        limit(f"kit:{kit_id}", settings.push_rate_kit_per_min, "for this kit id")
        declared = declared_length(request.headers.get("content-length"), request.headers.get("transfer-encoding"))
        received = time.time()
        body = await read_body(request, declared, settings.push_body_timeout_s)
        try:
            converted = convert(body, received)
        except ValueError as e:
            raise HTTPException(400, f"push not understood: {e}") from None
        payload = json.dumps(converted.message).encode()
        outcome = parse_readings_message(kit_id, payload, received, not_before=0)
        if not outcome.rows:
            raise HTTPException(400, "; ".join(r.reason for r in outcome.rejections))
        try:
            await _in_thread(publish_as_kit, settings, kit_id, token, payload)
        except BrokerRefused:
            raise HTTPException(401, NOT_ACCEPTED, headers=ASK_FOR_CREDENTIALS) from None
        except ConnectionError as e:
            raise HTTPException(503, f"could not store the reading now ({e}); send it again") from None
        return {
            "kit_id": kit_id,
            "stored_as": converted.message["readings"][0],
            "ignored": converted.ignored,
            "sensor": request.headers.get("X-Sensor"),
        }

    @app.get("/v1/push/health")
    async def health() -> dict:
        return {"status": "ok"}

    return app


async def _in_thread(fn, *args):
    return await anyio.to_thread.run_sync(fn, *args)


def main() -> None:
    import uvicorn

    settings = PushSettings()
    uvicorn.run(create_app(settings), host=settings.push_host, port=settings.push_port, log_level="warning")


if __name__ == "__main__":
    main()
