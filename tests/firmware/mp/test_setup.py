import json
import socket
import time

import mptest
from kit import config, sensors, setup, setupform

GOOD = (
    "kit_id=bev-042&mqtt_password=s%26cret+1&wifi_ssid=Thuis+Netwerk&wifi_password=pw%21"
    "&mqtt_host=mqtt.ijlucht.nl&mqtt_port=1883&sensors=pms5003%2C+bme280&interval=60"
)


GOOD_CONFIG = {"kit_id": "bev-042", "mqtt_host": "h", "mqtt_password": "p", "wifi_ssid": "w", "sensors": ["sds011"]}


class Button:
    """Up, pressed `down_after_ms` after the kit started looking (None: never), held for `hold_ms`."""

    def __init__(self, down_after_ms=None, hold_ms=100000):
        self.start = time.ticks_ms()
        self.down_after_ms = down_after_ms
        self.hold_ms = hold_ms

    def value(self):
        if self.down_after_ms is None:
            return 1
        since = time.ticks_diff(time.ticks_ms(), self.start) - self.down_after_ms
        return 0 if 0 <= since < self.hold_ms else 1


def write(path, raw):
    with open(path, "w") as f:
        json.dump(raw, f)


def test_setup_opens_without_a_config_and_with_the_button_pressed_after_start():
    path = mptest.temp_path("config.json")
    assert setup.wanted(path, Button(), 300, 100)  # no config file at all
    write(path, GOOD_CONFIG)
    assert not setup.wanted(path, Button(), 300, 100)  # nobody pressed
    assert setup.wanted(path, Button(down_after_ms=150), 300, 100)  # pressed within the window, held
    assert not setup.wanted(path, Button(down_after_ms=150, hold_ms=40), 300, 100)  # only tapped
    assert not setup.wanted(path, Button(down_after_ms=500), 300, 100)  # too late: the kit carries on


def test_a_config_the_kit_cannot_use_opens_set_up_with_the_reason_instead_of_a_reset_loop():
    path = mptest.temp_path("config.json")
    write(path, dict(GOOD_CONFIG, sensors=["PMS5003"]))  # as an old form let through
    problem = setup.config_problem(path)
    assert "unknown sensor 'PMS5003'" in problem and "pms5003" in problem
    assert setup.wanted(path, Button(), 0, 100)
    status, html, raw, _ = setupform.handle(b"GET / HTTP/1.0\r\n\r\n", setup.load_old(path), problem)
    assert status == "200 OK" and "cannot be used" in html and "PMS5003" in html and raw is None


def test_form_values_are_decoded_and_validated():
    raw, ca = setupform.form_to_config(setupform.parse_form(GOOD), {})
    assert raw["mqtt_password"] == "s&cret 1" and raw["wifi_ssid"] == "Thuis Netwerk" and raw["wifi_password"] == "pw!"
    assert raw["sensors"] == ["pms5003", "bme280"] and raw["mqtt_port"] == 1883 and raw["interval"] == 60
    assert raw["tls"] is False and raw["indoor"] is False and ca is None
    bad = GOOD.replace("kit_id=bev-042", "kit_id=Bev 42")
    assert "kit_id" in str(mptest.raises(ValueError, setupform.form_to_config, setupform.parse_form(bad), {}))


def refusal(form_text, old=None):
    return str(mptest.raises(ValueError, setupform.form_to_config, setupform.parse_form(form_text), old or {}))


def test_every_field_is_checked_with_a_message_that_names_it():
    assert "unknown sensor 'pms9000'" in refusal(GOOD.replace("pms5003", "pms9000"))
    assert ", ".join(sorted(sensors.HARDWARE)) in refusal(GOOD.replace("pms5003", "x"))  # the drivers' own list
    assert "unknown sensor 'replay'" in refusal(GOOD.replace("pms5003", "replay"))  # virtual kits only
    assert "named twice" in refusal(GOOD.replace("pms5003%2C+bme280", "bme280,bme280"))
    assert "are both particle sensors" in refusal(GOOD.replace("pms5003%2C+bme280", "pms5003,sps30_i2c"))
    assert "same I2C address" in refusal(GOOD.replace("pms5003%2C+bme280", "sht3x,sht4x"))
    assert "'interval' must be between 1 and 86400" in refusal(GOOD.replace("interval=60", "interval=0"))
    assert "'mqtt_port' must be a whole number" in refusal(GOOD.replace("mqtt_port=1883", "mqtt_port=80a"))
    assert "'mqtt_port' must be between 1 and 65535" in refusal(GOOD.replace("mqtt_port=1883", "mqtt_port=70000"))
    assert "TLS needs the platform's CA certificate" in refusal(GOOD + "&tls=on")
    assert "PEM text" in refusal(GOOD + "&tls=on&ca=hello")
    assert "must not be empty" in refusal(GOOD.replace("mqtt_host=mqtt.ijlucht.nl", "mqtt_host="))


def test_upper_case_sensor_names_are_taken_as_the_firmware_spells_them():
    raw, _ = setupform.form_to_config(setupform.parse_form(GOOD.replace("pms5003", "PMS5003")), {})
    assert raw["sensors"] == ["pms5003", "bme280"]


PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----"


def quote(text):
    return "".join(c if c.isalpha() or c.isdigit() else "%" + "%02X" % ord(c) for c in text)  # noqa: UP031


def test_tls_with_a_pasted_ca_is_saved_next_to_the_config_and_indoor_is_a_tick_box():
    path = mptest.temp_path("config.json")
    raw, ca = setupform.form_to_config(setupform.parse_form(GOOD + "&tls=on&indoor=on&ca=" + quote(PEM)), {})
    assert raw["tls"] is True and raw["ca_file"] == "ca.pem" and raw["indoor"] is True and ca == PEM + "\n"
    setup.save(path, raw, ca)
    with open(config.state_path(path, "ca.pem")) as f:
        assert f.read() == PEM + "\n"
    again, ca2 = setupform.form_to_config(setupform.parse_form(GOOD + "&tls=on"), raw)  # CA left empty: kept
    assert again["ca_file"] == "ca.pem" and ca2 is None
    html = setupform.render_form(again)
    assert '<input name="tls" type="checkbox" checked>' in html and 'name="ca"' in html and "BEGIN" not in html
    off, _ = setupform.form_to_config(setupform.parse_form(GOOD), raw)
    assert off["tls"] is False and off["indoor"] is False  # an unticked box is sent as nothing


def test_empty_secret_keeps_the_stored_one_and_the_form_never_shows_it():
    old, _ = setupform.form_to_config(setupform.parse_form(GOOD), {})
    emptied = GOOD.replace("mqtt_password=s%26cret+1", "mqtt_password=")
    raw, _ = setupform.form_to_config(setupform.parse_form(emptied), old)
    assert raw["mqtt_password"] == "s&cret 1"
    html = setupform.render_form(old)
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
    assert setup.config_problem(path) == "no config file yet"  # still no config file


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

        class Dog:  # set-up opened by the running kit: its watchdog cannot be stopped, so serve() feeds it
            feeds = 0

            def feed(self):
                self.feeds += 1

        dog = Dog()
        assert setup.serve(server, dns, bytes((10, 0, 0, 1)), path, deadline, dog)
        assert dog.feeds >= 1
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
