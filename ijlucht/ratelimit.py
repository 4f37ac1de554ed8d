"""Rate limits shared by the API and the push server (pure): fixed one-minute windows, and who the client is.

Behind a reverse proxy every request comes from the proxy's address, so the client is read from X-Forwarded-For
(each proxy appends the address it was connected from). That header is written by whoever sends the request, so it
is believed only when the socket peer is a configured proxy, and then only as far as the chain of trusted proxies
goes: the client is the right-most address that is not itself a trusted proxy.
"""

import ipaddress
import math
import time
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FixedWindowLimiter:
    """Counts requests per identity in one-minute windows (pure; `now` is injectable for tests)."""

    def __init__(self, window_s: float = 60.0) -> None:
        self.window_s = window_s
        self._counts: dict[str, tuple[int, int]] = {}  # identity -> (window number, count)
        self._window = 0

    def hit(self, identity: str, limit: int, now: float | None = None) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until the window resets)."""
        now = time.time() if now is None else now
        window = int(now // self.window_s)
        if window != self._window:  # a new window: forget the old counts
            self._window = window
            self._counts.clear()
        _, count = self._counts.get(identity, (window, 0))
        count += 1
        self._counts[identity] = (window, count)
        reset = math.ceil((window + 1) * self.window_s - now)
        return count <= limit, max(0, limit - count), reset


def proxy_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Parse a setting such as ("10.0.0.5", "192.168.1.0/24", "::1"); a wrong entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"trusted proxy {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address to rate limit: the socket peer, or, when the peer is a trusted proxy, the right-most address
    of X-Forwarded-For that is not a trusted proxy (the left-most one if all of them are)."""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for address in reversed(chain):
        if not _is_trusted(address, trusted):
            return address[:64]  # a proxy's own entry, but bounded all the same: it keys a dictionary
    return chain[0] if chain else peer
