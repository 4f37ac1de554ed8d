"""MQTT contract v1, the device's copy (docs/mqtt-contract.md).

Must match ijlucht/contract.py and the keys of ijlucht/quantities.py;
tests/firmware/test_contract_agrees.py checks that.
"""

VERSION = 1
TOPIC_ROOT = "ijlucht/kits"
READINGS = "readings"
STATUS = "status"
INFO = "info"
CMD = "cmd"

STATUS_ONLINE = "online"
STATUS_OFFLINE = "offline"

MAX_READINGS_PER_MESSAGE = 1000

QUANTITY_KEYS = ("pm1", "pm25", "pm10", "t", "rh", "p")


def topic(kit_id, kind):
    """Topic of one kit, e.g. topic('bev-01', READINGS) -> 'ijlucht/kits/bev-01/readings'."""
    return TOPIC_ROOT + "/" + kit_id + "/" + kind


def is_valid_kit_id(kit_id):
    """3-32 characters of a-z, 0-9 and '-', starting with a letter or digit (no `re` needed)."""
    if not isinstance(kit_id, str) or not 3 <= len(kit_id) <= 32 or kit_id[0] == "-":
        return False
    for c in kit_id:
        if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-"):
            return False
    return True
