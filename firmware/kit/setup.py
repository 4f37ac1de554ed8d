"""Set-up without a laptop: an access point with a small web form that writes /config.json.

It opens when there is no config file, or when the BOOT button (GPIO 0, active low) is held at power-up.
Join Wi-Fi "ijlucht-<chip id>" (password in /setup_password, printed on the kit's label by `ijlucht flash`);
the phone opens the form by itself (kit.captive answers every DNS name with the kit), or open
http://192.168.4.1/; fill in the form. The kit checks the values with kit.config, saves them (a
temporary file, then a rename) and restarts. After SETUP_TIMEOUT_S without a saved form it restarts anyway.
"""

import binascii
import json
import os
import socket
import time

from kit import config

BUTTON_PIN = 0  # the BOOT button of ESP32 dev boards
SETUP_TIMEOUT_S = 600  # as airrohr: the access point closes itself after 10 minutes
MAX_REQUEST = 4096
FIELDS = (  # (name, label, input type)
    ("kit_id", "Kit id", "text"),
    ("mqtt_password", "Kit password", "password"),
    ("wifi_ssid", "Wi-Fi network", "text"),
    ("wifi_password", "Wi-Fi password", "password"),
    ("mqtt_host", "Platform address", "text"),
    ("mqtt_port", "Port", "number"),
    ("sensors", "Sensors (comma-separated)", "text"),
    ("interval", "Interval (s)", "number"),
)
SECRET = ("mqtt_password", "wifi_password")  # never shown back in the form


def wanted(config_path, pin=None):
    """True when set-up mode should open: no config file, or the button held down."""
    try:
        os.stat(config_path)
    except OSError:
        return True
    if pin is None:
        import machine

        pin = machine.Pin(BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
    return pin.value() == 0


def url_decode(text):
    text = text.replace("+", " ")
    out = bytearray()
    i = 0
    raw = text.encode()
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw):  # '%xx'
            out += binascii.unhexlify(raw[i + 1 : i + 3])
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode()


def parse_form(body):
    """application/x-www-form-urlencoded -> dict of str."""
    out = {}
    for pair in body.split("&"):
        if "=" in pair:
            key, value = pair.split("=", 1)
            out[url_decode(key)] = url_decode(value).strip()
    return out


def form_to_config(form, old):
    """The new raw config: the old one with the form's values; ValueError (from kit.config) when invalid."""
    raw = dict(old)
    for name, _, kind in FIELDS:
        value = form.get(name, "")
        if name in SECRET and not value and old.get(name):
            continue  # left empty: keep the stored secret
        if kind == "number":
            if value:
                try:
                    raw[name] = int(value)
                except ValueError:
                    raise ValueError("config: field '%s' must be a whole number" % name)
        elif name == "sensors":
            raw[name] = [s.strip() for s in value.split(",") if s.strip()]
        else:
            raw[name] = value
    config.validate(raw)
    return raw


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def render_form(old, message=""):
    rows = []
    for name, label, kind in FIELDS:
        value = "" if name in SECRET else old.get(name, "")
        if name == "sensors" and isinstance(value, list):
            value = ",".join(value)
        rows.append(
            '<label>%s<br><input name="%s" type="%s" value="%s"></label><br>' % (label, name, kind, _escape(value))
        )
    return (
        '<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        "<title>IJlucht kit set-up</title></head><body><h1>IJlucht kit set-up</h1><p>%s</p>"
        '<form method="post" action="/">%s<button>Save and restart</button></form></body></html>'
    ) % (_escape(message), "".join(rows))


def handle(request, old):
    """(status, html, new raw config or None) for one raw HTTP request."""
    head, _, body = request.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode()
    if line.startswith("POST "):
        try:
            raw = form_to_config(parse_form(body.decode()), old)
        except (ValueError, UnicodeError) as exc:
            return "400 Bad Request", render_form(old, str(exc)), None
        return (
            "200 OK",
            "<!doctype html><p>Saved. The kit restarts and connects to %s.</p>" % _escape(raw["wifi_ssid"]),
            raw,
        )
    if line.startswith("GET "):
        return "200 OK", render_form(old, "Fill in what the platform gave you for this kit."), None
    return "405 Method Not Allowed", "<p>GET or POST only</p>", None


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < MAX_REQUEST:
        chunk = conn.recv(512)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < min(length, MAX_REQUEST):
        chunk = conn.recv(512)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def save(config_path, raw):
    with open(config_path + ".tmp", "w") as f:
        json.dump(raw, f)
    os.rename(config_path + ".tmp", config_path)


def load_old(config_path):
    try:
        with open(config_path) as f:
            old = json.load(f)
        return old if isinstance(old, dict) else {}
    except (OSError, ValueError):
        return {}


def serve_once(server, config_path):
    """Answer one HTTP request on the listening socket; True when a valid config was saved."""
    conn, _ = server.accept()
    try:
        conn.settimeout(10)
        status, html, raw = handle(_read_request(conn), load_old(config_path))
        if raw is not None:
            save(config_path, raw)
        conn.send(("HTTP/1.0 %s\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" % status).encode())
        conn.send(html.encode())
    except OSError as exc:
        print("set-up: request failed: %s" % exc)
        raw = None
    finally:
        conn.close()
    return raw is not None


def listen(port=80):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(socket.getaddrinfo("0.0.0.0", port)[0][-1])
    server.listen(2)
    return server


def setup_password(path, ssid):
    """The access point's WPA2 password: the one `ijlucht flash` wrote to `path` (printed on the label).

    Never the SSID and never a guessable fallback: when the file is missing, too short for WPA2 (8-63
    characters) or equal to the SSID, a random password is made, stored in `path` and printed on the console
    (readable over USB only, like the file itself).
    """
    try:
        with open(path) as f:
            password = f.read().strip()
    except OSError:
        password = ""
    if 8 <= len(password) <= 63 and password != ssid:
        return password
    password = binascii.hexlify(os.urandom(8)).decode()
    with open(path + ".tmp", "w") as f:
        f.write(password + "\n")
    os.rename(path + ".tmp", path)
    print("set-up: no usable password in %s; a new one was made: %s" % (path, password))
    return password


def access_point(network, password_path="/setup_password"):
    import machine

    ssid = "ijlucht-" + binascii.hexlify(machine.unique_id()).decode()[-6:]
    ap = network.WLAN(network.AP_IF)
    ap.active(True)
    ap.config(essid=ssid, password=setup_password(password_path, ssid), authmode=3)  # 3 = WPA2-PSK
    return ap


def address_of(ap):
    """The access point's own IPv4 address as 4 bytes (192.168.4.1 on the ESP32 unless changed)."""
    try:
        return bytes(int(part) for part in ap.ifconfig()[0].split("."))
    except (AttributeError, OSError, ValueError):
        return bytes((192, 168, 4, 1))


def serve(server, dns, ip, config_path, deadline):
    """Answer web and DNS requests until a config was saved (True) or the deadline passed (False)."""
    import select

    from kit import captive

    poller = select.poll()
    poller.register(server, select.POLLIN)
    if dns is not None:
        poller.register(dns, select.POLLIN)
    saved = False
    while not saved and time.ticks_diff(deadline, time.ticks_ms()) > 0:
        for event in poller.poll(1000):  # wake up now and then to check the deadline
            if event[0] is dns:
                captive.serve_once(dns, ip)
            elif event[0] is server:
                try:
                    saved = serve_once(server, config_path) or saved
                except OSError:
                    pass  # a client that went away
    return saved


def run(config_path, port=80, timeout_s=SETUP_TIMEOUT_S):
    """Open the access point, the form and the captive DNS until a config was saved or timeout_s passed;
    then restart."""
    import machine
    import network

    from kit import captive

    ap = access_point(network)
    server = listen(port)
    server.settimeout(5)
    try:
        dns = captive.open_socket()
    except OSError as exc:  # without DNS the form still works at its address
        print("set-up: no captive DNS: %s" % exc)
        dns = None
    deadline = time.ticks_add(time.ticks_ms(), timeout_s * 1000)
    print("set-up mode: join the kit's Wi-Fi; the form opens by itself, or at http://192.168.4.1/")
    try:
        serve(server, dns, address_of(ap), config_path, deadline)
    finally:
        server.close()
        if dns is not None:
            dns.close()
    time.sleep(1)
    machine.reset()
