"""Hostile webhook URLs are refused before anything is posted (ijlucht/webhook_targets.py)."""

import pytest

from ijlucht.webhook_targets import WebhookRefused, resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1/admin/kits",  # this host's own API
        "http://localhost/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",  # a cloud provider's metadata service (link-local)
        "http://10.0.0.1/",
        "http://192.168.1.1/",  # a home router
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",  # loopback dressed as IPv6
        "http://0.0.0.0/",
        "http://100.64.0.1/",  # carrier-grade NAT
    ],
)
def test_private_loopback_and_link_local_targets_are_refused(url):
    with pytest.raises(WebhookRefused, match="non-public"):
        resolve(url, ())


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "https://"),
        ("gopher://93.184.215.14/", "https://"),
        ("https://user:pw@93.184.215.14/", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://93.184.215.14:99999/", "cannot be read"),
        ("https://" + "a" * 600 + ".org/", "longer than"),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(url, reason):
    with pytest.raises(WebhookRefused, match=reason):
        resolve(url, ())


def test_a_public_address_passes_and_an_operator_allowed_network_too():
    target = resolve("https://93.184.215.14/hook?x=1", ())
    assert (target.address, target.port, target.path) == ("93.184.215.14", 443, "/hook?x=1")
    assert resolve("http://127.0.0.1:9/h", ("127.0.0.0/8",)).address == "127.0.0.1"
    with pytest.raises(WebhookRefused):
        resolve("http://10.0.0.1/", ("127.0.0.0/8",))  # allowed elsewhere, not here
