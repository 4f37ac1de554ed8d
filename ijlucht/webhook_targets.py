"""Which webhook URLs the platform will post to. Every URL is hostile: it may point at this host's own services, the
provider's metadata address or a home router. So: http or https only, no credentials in the URL, and every address
the name resolves to must be public (not private, loopback, link-local, multicast, reserved or unspecified) unless
it lies in a network the operator allows (IJLUCHT_ALERTS_WEBHOOK_ALLOW_NETWORKS). The API checks at subscription;
the alert service checks again at each delivery and connects only to an address it checked (no DNS rebinding).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 500


class WebhookRefused(ValueError):
    """A webhook URL the platform will not post to, with the reason."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the Host header and the TLS name)
    port: int
    path: str  # path and query
    address: str  # the checked address to connect to


def allowed_networks(allow: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in allow)


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def parse(url: str) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise WebhookRefused(f"the webhook URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused(f"the webhook URL cannot be read: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookRefused("the webhook URL must start with https:// (or http://)")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused("the webhook URL must not carry a user name or password")
    if not parts.hostname:
        raise WebhookRefused("the webhook URL has no host")
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise WebhookRefused("the webhook URL contains spaces or control characters")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str, allow: tuple[str, ...]) -> Target:
    """The URL's target with one checked address to connect to; WebhookRefused saying why not."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"the webhook host {host!r} cannot be resolved ({exc})") from None
    networks = allowed_networks(allow)
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not _public(ip) and not any(ip in n for n in networks):
            raise WebhookRefused(
                f"the webhook host {host!r} resolves to {ip}, a private, loopback or otherwise non-public address"
            )
    if not addresses:
        raise WebhookRefused(f"the webhook host {host!r} has no address")
    return Target(scheme, host, port, path, addresses[0])
