import json
import socket

import mptest
from kit import config, setup

GOOD = (
    "kit_id=bev-042&mqtt_password=s%26cret+1&wifi_ssid=Thuis+Netwerk&wifi_password=pw%21"
    "&mqtt_host=mqtt.ijlucht.nl&mqtt_port=1883&sensors=pms5003%2C+bme280&interval=60"
)


class Button:
    def __init__(self, level):
        self.level = level

    def value(self):
        return self.level


def test_setup_opens_without_config_or_with_the_button_held():
    path = mptest.temp_path("config.json")
    assert setup.wanted(path, Button(1))
    with open(path, "w") as f:
        f.write("{}")
    assert not setup.wanted(path, Button(1)) and setup.wanted(path, Button(0))


def test_form_values_are_decoded_and_validated():
    raw = setup.form_to_config(setup.parse_form(GOOD), {})
    assert raw["mqtt_password"] == "s&cret 1" and raw["wifi_ssid"] == "Thuis Netwerk" and raw["wifi_password"] == "pw!"
    assert raw["sensors"] == ["pms5003", "bme280"] and raw["mqtt_port"] == 1883 and raw["interval"] == 60
    bad = GOOD.replace("kit_id=bev-042", "kit_id=Bev 42")
    assert "kit_id" in str(mptest.raises(ValueError, setup.form_to_config, setup.parse_form(bad), {}))


def test_empty_secret_keeps_the_stored_one_and_the_form_never_shows_it():
    old = setup.form_to_config(setup.parse_form(GOOD), {})
    raw = setup.form_to_config(setup.parse_form(GOOD.replace("mqtt_password=s%26cret+1", "mqtt_password=")), old)
    assert raw["mqtt_password"] == "s&cret 1"
    html = setup.render_form(old)
    assert "s&amp;cret" not in html and "s&cret" not in html and 'value="bev-042"' in html


def http(port, request):
    client = socket.socket()
    client.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    client.send(request)
    return client


def answer(client):
    data = b""
    while True:
        chunk = client.recv(1024)
        if not chunk:
            break
        data += chunk
    client.close()
    return data.decode()


def listen():
    """(server, port) on the first free local port of a small range (no getsockname on the unix port)."""
    for port in range(18731, 18831):
        try:
            return setup.listen(port), port
        except OSError:
            pass
    raise AssertionError("no free port")


def test_real_http_post_writes_a_valid_config_file():
    path = mptest.temp_path("config.json")
    server, port = listen()
    try:
        client = http(port, b"GET / HTTP/1.0\r\n\r\n")
        assert not setup.serve_once(server, path)
        page = answer(client)
        assert page.startswith("HTTP/1.0 200") and 'name="wifi_ssid"' in page
        body = GOOD.encode()
        request = b"POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body)
        client = http(port, request + body)
        assert setup.serve_once(server, path)
        assert "Saved" in answer(client)
    finally:
        server.close()
    cfg = config.load(path)
    assert cfg["kit_id"] == "bev-042" and cfg["mqtt_user"] == "bev-042" and cfg["sensors"] == ["pms5003", "bme280"]
    with open(path) as f:
        assert json.load(f)["wifi_password"] == "pw!"


def test_invalid_post_is_answered_400_and_writes_nothing():
    path = mptest.temp_path("config.json")
    server, port = listen()
    try:
        body = b"kit_id=x"
        client = http(port, b"POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert not setup.serve_once(server, path)
        page = answer(client)
        assert page.startswith("HTTP/1.0 400") and "config:" in page
    finally:
        server.close()
    assert setup.wanted(path, Button(1))  # still no config file


def test_set_up_loop_answers_dns_and_the_form_until_a_config_is_saved():
    import struct
    import time

    from kit import captive

    path = mptest.temp_path("config.json")
    server, port = listen()
    for dns_port in range(18931, 19031):
        try:
            dns = captive.open_socket(dns_port)
            break
        except OSError:
            pass
    resolver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    resolver.settimeout(3)
    try:
        q = struct.pack("!HHHHHH", 9, 0x0100, 1, 0, 0, 0) + b"\x03kit\x00" + struct.pack("!HH", 1, 1)
        resolver.sendto(q, socket.getaddrinfo("127.0.0.1", dns_port)[0][-1])
        body = GOOD.encode()
        client = http(port, b"POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        deadline = time.ticks_add(time.ticks_ms(), 5000)
        assert setup.serve(server, dns, bytes((10, 0, 0, 1)), path, deadline)
        assert "Saved" in answer(client)
        assert resolver.recv(512)[-4:] == bytes((10, 0, 0, 1))
    finally:
        resolver.close()
        dns.close()
        server.close()
    assert config.load(path)["kit_id"] == "bev-042"


def test_access_point_is_named_after_the_chip_and_uses_wpa2_with_the_label_password():
    import network

    path = mptest.temp_path("setup_password")
    with open(path, "w") as f:
        f.write("label-pw-1234\n")
    ap = setup.access_point(network, path)
    assert ap.active() and ap.ap_config["essid"] == "ijlucht-1d1e1f" and ap.ap_config["authmode"] == 3
    assert ap.ap_config["password"] == "label-pw-1234"


def test_access_point_never_uses_its_ssid_or_a_short_password():
    for stored in (None, "ijlucht-1d1e1f", "short", ""):
        path = mptest.temp_path("setup_password")
        if stored is not None:
            with open(path, "w") as f:
                f.write(stored)
        password = setup.setup_password(path, "ijlucht-1d1e1f")
        assert len(password) == 16 and password != "ijlucht-1d1e1f", password
        with open(path) as f:
            assert f.read().strip() == password  # kept: the next boot opens the same network
        assert setup.setup_password(path, "ijlucht-1d1e1f") == password


mptest.run(globals())
