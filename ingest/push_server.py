"""HTTP push for Sensor.Community (airRohr) kits: POST /v1/push/airrohr with the kit's id and token.

In the airRohr configuration ("Send data to own API"): server = this host, path = /v1/push/airrohr, user = the
IJlucht kit id, password = the kit's token (its broker password from `ijlucht kits add`). The push is checked
with the contract's validation, then published on the kit's own MQTT topic with the kit's own credentials, so it
takes exactly the path (and the durability) of every other reading: broker ACL, ingest worker, same checks.
"""

import json
import threading
import time
import uuid
from typing import Annotated

import anyio
import paho.mqtt.client as mqtt
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from ijlucht import contract
from ingest.airrohr import convert
from ingest.settings import IngestSettings
from ingest.validate import parse_readings_message

basic = HTTPBasic(realm="IJlucht kit", auto_error=True)
BROKER_TIMEOUT_S = 10.0


class BrokerRefused(Exception):
    pass


def publish_as_kit(settings: IngestSettings, kit_id: str, token: str, payload: bytes) -> None:
    """Connect as the kit, publish at QoS 1 and wait for the broker's acknowledgement."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{kit_id}-push-{uuid.uuid4().hex[:6]}")
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


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    app = FastAPI(title="IJlucht push", summary="HTTP push for Sensor.Community kits", version="1")

    @app.post("/v1/push/airrohr", status_code=201, summary="Readings of a Sensor.Community (airRohr) kit")
    async def push_airrohr(request: Request, creds: Annotated[HTTPBasicCredentials, Depends(basic)]) -> dict:
        kit_id = creds.username
        if not contract.is_valid_kit_id(kit_id):
            raise HTTPException(401, "user must be your IJlucht kit id", headers={"WWW-Authenticate": "Basic"})
        received = time.time()
        body = await request.body()
        try:
            converted = convert(body, received)
        except ValueError as e:
            raise HTTPException(400, f"push not understood: {e}") from None
        payload = json.dumps(converted.message).encode()
        outcome = parse_readings_message(kit_id, payload, received, not_before=0)
        if not outcome.rows:
            raise HTTPException(400, "; ".join(r.reason for r in outcome.rejections))
        try:
            await _in_thread(publish_as_kit, settings, kit_id, creds.password, payload)
        except BrokerRefused:
            raise HTTPException(401, "kit id or token not accepted", headers={"WWW-Authenticate": "Basic"}) from None
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

    settings = IngestSettings()
    uvicorn.run(create_app(settings), host=settings.push_host, port=settings.push_port, log_level="warning")


if __name__ == "__main__":
    main()
