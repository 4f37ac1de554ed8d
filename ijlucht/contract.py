"""MQTT contract v1: topics, payload limits and the kit id rule (docs/mqtt-contract.md).

The firmware keeps its own copy in firmware/kit/contract.py; a test checks both agree.
"""

import re

VERSION = 1
TOPIC_ROOT = "ijlucht/kits"
READINGS = "readings"
STATUS = "status"
INFO = "info"
CMD = "cmd"

STATUS_ONLINE = "online"
STATUS_OFFLINE = "offline"

MAX_READINGS_PER_MESSAGE = 1000
MAX_MESSAGE_BYTES = 256 * 1024

# Use fullmatch: with match, `$` also matches before a final newline ("bev-01\n" would pass).
KIT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,31}$")


def topic(kit_id: str, kind: str) -> str:
    """Topic of one kit, e.g. topic('bev-01', READINGS) -> 'ijlucht/kits/bev-01/readings'."""
    return f"{TOPIC_ROOT}/{kit_id}/{kind}"


def subscription(kind: str) -> str:
    """Filter matching `kind` messages of every kit."""
    return f"{TOPIC_ROOT}/+/{kind}"


def split_topic(name: str) -> tuple[str, str] | None:
    """('bev-01', 'readings') for a kit topic, None for anything else."""
    parts = name.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != TOPIC_ROOT:
        return None
    return parts[2], parts[3]


def is_valid_kit_id(kit_id: str) -> bool:
    return isinstance(kit_id, str) and KIT_ID_PATTERN.fullmatch(kit_id) is not None
