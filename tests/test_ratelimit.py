"""Who the client is behind reverse proxies: X-Forwarded-For believed only from configured proxies."""

import pytest

from ijlucht.ratelimit import client_address, proxy_networks

PROXIES = proxy_networks(["10.0.0.5", "192.168.7.0/24", "::1"])


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("203.0.113.7", "127.0.0.1", ()) == "203.0.113.7"
    assert client_address("10.0.0.5", "198.51.100.1", ()) == "10.0.0.5"


def test_the_header_of_a_peer_that_is_not_a_trusted_proxy_is_ignored():
    assert client_address("203.0.113.7", "127.0.0.1, 10.0.0.5", PROXIES) == "203.0.113.7"
    assert client_address("unknown", "198.51.100.1", PROXIES) == "unknown"


def test_behind_trusted_proxies_the_client_is_the_right_most_untrusted_address():
    assert client_address("10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"
    # the client wrote "127.0.0.1" itself; the proxy appended the address it really came from
    assert client_address("10.0.0.5", "127.0.0.1, 198.51.100.1", PROXIES) == "198.51.100.1"
    # two proxies in a row (192.168.7.20 forwarded to 10.0.0.5)
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.1, 192.168.7.20", PROXIES) == "198.51.100.1"
    assert client_address("::1", " 2001:db8::1 ,::1", PROXIES) == "2001:db8::1"


def test_a_chain_of_only_proxies_or_an_empty_header_gives_the_left_most_or_the_peer():
    assert client_address("10.0.0.5", "192.168.7.1, 10.0.0.5", PROXIES) == "192.168.7.1"
    assert client_address("10.0.0.5", " , ", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", None, PROXIES) == "10.0.0.5"
    assert len(client_address("10.0.0.5", "x" * 1000, PROXIES)) == 64


def test_a_wrong_proxy_setting_is_named():
    with pytest.raises(ValueError, match=r"trusted proxy 'proxy\.example' is not an IP address or network"):
        proxy_networks(["10.0.0.5", "proxy.example"])
