"""Kit accounts changed through the running broker: commands to Mosquitto's dynamic security plugin over MQTT.

The admin account (password in <state>/secrets/mqtt-admin.pass) publishes JSON commands on
`$CONTROL/dynamic-security/v1` and reads the plugin's answers; a change holds the moment the answer arrives, for
every listener, with no file rewrite and no signal. The plugin closes the live session of a kit whose account is
disabled, deleted or given a new password. Names and topic rights: ijlucht/dynsec.py.
"""

import json
import secrets
import threading
from typing import Any

import paho.mqtt.client as mqtt

from ijlucht import dynsec
from ijlucht.secretfile import read_secret
from ijlucht.settings import PlatformSettings

TIMEOUT_S = 10.0


class BrokerAccountError(RuntimeError):
    """The broker did not take an account change (unreachable, refused, or the plugin answered an error)."""


def new_password() -> str:
    # Never a leading "-": typed after `--password` on a command line it would read as an option.
    while (password := secrets.token_urlsafe(18)).startswith("-"):
        pass
    return password


def service_password(settings: PlatformSettings, username: str) -> str:
    """A platform account's password from its secret file (written by deploy/local/services.sh)."""
    return read_secret(settings.secrets_dir / dynsec.SERVICE_ACCOUNTS[username][0])


def control(settings: PlatformSettings, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send commands to the plugin in one message; returns its answers in order ('error' set where one failed)."""
    try:
        password = service_password(settings, dynsec.ADMIN_USER)
    except OSError as e:
        raise BrokerAccountError(f"no broker admin password ({e}); start the services first (make services)") from None
    tag = secrets.token_hex(6)
    commands = [{**c, "correlationData": f"{tag}-{i}"} for i, c in enumerate(commands)]
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=dynsec.ADMIN_CLIENT_PREFIX + tag, protocol=mqtt.MQTTv5
    )
    client.username_pw_set(dynsec.ADMIN_USER, password)
    state: dict[str, Any] = {}
    subscribed, answered = threading.Event(), threading.Event()

    def on_connect(c, userdata, flags, rc, props):
        if rc.is_failure:
            state["refused"] = str(rc)
            subscribed.set()
            answered.set()
        else:
            c.subscribe(dynsec.RESPONSE_TOPIC, qos=1)

    def on_message(c, userdata, msg):
        try:
            answers = json.loads(msg.payload)["responses"]
        except (ValueError, KeyError, TypeError):
            return
        mine = [a for a in answers if str(a.get("correlationData", "")).startswith(tag)]
        if mine:
            state["answers"] = mine
            answered.set()

    client.on_connect = on_connect
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_message = on_message
    try:
        client.connect(settings.mqtt_host, settings.mqtt_port, keepalive=30)
    except OSError as e:
        raise BrokerAccountError(f"broker at {settings.mqtt_host}:{settings.mqtt_port} unreachable: {e}") from None
    client.loop_start()
    try:
        if not subscribed.wait(TIMEOUT_S):
            raise BrokerAccountError("the broker did not let the admin account subscribe to the plugin's answers")
        if "refused" not in state:
            client.publish(dynsec.CONTROL_TOPIC, json.dumps({"commands": commands}), qos=1)
        if not answered.wait(TIMEOUT_S):
            raise BrokerAccountError(f"the broker's account plugin did not answer within {TIMEOUT_S:.0f} s")
    finally:
        client.disconnect()
        client.loop_stop()
    if "refused" in state:
        raise BrokerAccountError(f"the broker refused the admin account: {state['refused']}")
    return state["answers"]


def _check(answers: list[dict[str, Any]], allowed: tuple[str, ...] = ()) -> None:
    for a in answers:
        error = a.get("error")
        if error and not any(ok in error for ok in allowed):
            raise BrokerAccountError(f"the broker refused {a.get('command')}: {error}")


def set_kit_account(settings: PlatformSettings, kit_id: str, password: str) -> None:
    """Create the kit's account (own role, client id fixed to the kit id), or give an existing one this password."""
    role = dynsec.kit_role(kit_id)
    answers = control(
        settings,
        [
            {"command": "createRole", "rolename": role, "acls": dynsec.kit_acls(kit_id)},
            {
                "command": "createClient",
                "username": kit_id,
                "password": password,
                "clientid": kit_id,
                "roles": [{"rolename": role}],
            },
        ],
    )
    _check(answers[:1], allowed=("already exists",))
    if not answers[1].get("error"):
        return
    _check(answers[1:], allowed=("already exists",))
    _check(
        control(
            settings,
            [
                {
                    "command": "modifyClient",
                    "username": kit_id,
                    "password": password,
                    "clientid": kit_id,
                    "roles": [{"rolename": role}],
                },
                {"command": "enableClient", "username": kit_id},
            ],
        )
    )


def rotate_kit_password(settings: PlatformSettings, kit_id: str, password: str) -> None:
    """A new password (the plugin closes the session that logged in with the old one); enables the account."""
    set_kit_account(settings, kit_id, password)


def disable_kit_account(settings: PlatformSettings, kit_id: str) -> None:
    """The kit can no longer log in and its live session is closed at once; already gone is fine."""
    _check(control(settings, [{"command": "disableClient", "username": kit_id}]), allowed=("not found",))


def enable_kit_account(settings: PlatformSettings, kit_id: str) -> None:
    """The kit may log in again with the password it has (an approved self-registered kit)."""
    _check(control(settings, [{"command": "enableClient", "username": kit_id}]))


def delete_kit_account(settings: PlatformSettings, kit_id: str) -> None:
    """Remove the kit's account and role (its live session is closed at once); already gone is fine."""
    _check(
        control(
            settings,
            [
                {"command": "deleteClient", "username": kit_id},
                {"command": "deleteRole", "rolename": dynsec.kit_role(kit_id)},
            ],
        ),
        allowed=("not found",),
    )


def kit_account(settings: PlatformSettings, kit_id: str) -> dict[str, Any] | None:
    """The plugin's record of a kit's account (no password), or None when there is none."""
    answer = control(settings, [{"command": "getClient", "username": kit_id}])[0]
    if answer.get("error"):
        if "not found" in answer["error"]:
            return None
        raise BrokerAccountError(f"the broker refused getClient: {answer['error']}")
    return answer["data"]["client"]
