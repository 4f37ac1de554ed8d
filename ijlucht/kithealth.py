"""What a kit owner reads on the owner page: the kit's health from its info message and its rejected messages
explained in plain words with what to do (pure: no I/O). Reasons are the ones ingest/validate.py writes."""

from typing import Any

# (words in the reason, explanation and what to do), first match wins; the words are those of ingest/validate.py.
ADVICE: tuple[tuple[str, str], ...] = (
    (
        "in the future",
        "The kit's clock is ahead: it sent readings dated in the future. Check that the kit reaches "
        "the internet time server (ntp_host); it sets its clock at start-up, so restart it once it is online.",
    ),
    (
        "before the kit was registered",
        "The kit sent readings older than its registration, usually from a clock "
        "that was never set. Restart the kit once it is online so it takes the time from the network.",
    ),
    (
        "not a possible measurement",
        "A sensor gave a value no real air can have: the sensor or its cable is "
        "probably faulty. Check the wiring of docs/build/ and replace the sensor if it keeps happening.",
    ),
    (
        "no known quantity",
        "A reading carried no measurement at all: no sensor answered. Check that the sensors "
        "named in the kit's configuration are the ones wired, and their cables.",
    ),
    (
        "bytes, more than",
        "The kit sent messages larger than the platform takes. Flash the current firmware with "
        "ijlucht-flash; if it persists, lower batch_max in the configuration.",
    ),
    ("contract version", "The kit runs firmware that speaks another message version. Flash the current firmware."),
    (
        "JSON",
        "The kit sent a message the platform could not read. Flash the current firmware; if it persists, the "
        "kit's memory may be failing.",
    ),
)
FALLBACK = "The platform refused a message from the kit. If it keeps happening, flash the current firmware."


def advice(reason: str) -> str:
    """The plain explanation and what to do for a reject reason."""
    return next((text for words, text in ADVICE if words in reason), FALLBACK)


# Reset causes the firmware names (firmware/kit/health.py) that tell the owner something went wrong.
TROUBLE_RESETS = {"watchdog": "the kit hung and its watchdog restarted it", "brownout": "the power supply dipped"}


def health(info: dict[str, Any] | None) -> dict[str, Any]:
    """The owner page's health figures from the kit's last info message (missing ones are None)."""
    info = info or {}
    cause = info.get("reset_cause")
    failing = info.get("sensors_failing") or []
    return {
        "signal_dbm": info.get("rssi"),
        "backlog": info.get("queued"),
        "dropped": info.get("dropped"),
        "uptime_s": info.get("uptime_s"),
        "reset_cause": cause,
        "reset_note": TROUBLE_RESETS.get(str(cause)),
        "sensors_failing": failing,
        "sensor_note": (
            f"no reading from {', '.join(map(str, failing))}: check its cable and supply (docs/build/)"
            if failing
            else None
        ),
        "clock_synced": None if info.get("synced") is None else bool(info.get("synced")),
        "tls_unverified": bool(info.get("tls_unverified")),
        "last_command": info.get("last_cmd"),
    }
