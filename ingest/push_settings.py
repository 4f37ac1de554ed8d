"""Settings of the push server (ingest/push_server.py): the ingest settings plus its own limits (IJLUCHT_PUSH_*)."""

from ingest.settings import IngestSettings


class PushSettings(IngestSettings):
    # Pushes per minute per client address (a school's NAT may carry a few kits) and per claimed kit id (an airRohr
    # pushes every 145 s by default). A kit id is counted whether or not it exists, so a 429 reveals nothing.
    push_rate_per_min: int = 120
    push_rate_kit_per_min: int = 12
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the client; ignored from anyone else.
    push_trusted_proxies: tuple[str, ...] = ()
    push_body_timeout_s: float = 10.0  # the declared body must arrive within this long
