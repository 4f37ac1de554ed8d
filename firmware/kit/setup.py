"""Set-up without a laptop: an access point with a small web form that writes /config.json.

It opens when there is no usable config file, when the BOOT button (GPIO 0, active low) is held for
HOLD_MS within the first PRESS_WINDOW_MS after the kit started (pressed *after* power-up: held while the ESP32
resets, GPIO 0 low starts its ROM bootloader and MicroPython never runs), or by itself when Wi-Fi failed for
half an hour (kit/app.py). Join Wi-Fi "ijlucht-<chip id>" (password in /setup_password, printed on the kit's
label by `ijlucht flash`); the phone opens the form by itself (kit.captive answers every DNS name with the kit), or open
http://192.168.4.1/; fill in the form. The kit checks the values with kit.config, saves them (a
temporary file, then a rename) and restarts. After SETUP_TIMEOUT_S without a saved form it restarts anyway.
The form and its checks are kit/setupform.py; this module is the button, the access point and the server.
"""

import binascii
import json
import os
import socket
import time

from kit import config
from kit.setupform import CA_NAME, handle

BUTTON_PIN = 0  # the BOOT button of ESP32 dev boards, read after boot only
PRESS_WINDOW_MS = 5000  # after start-up, this long to press the button ...
HOLD_MS = 2000  # ... and hold it this long
SETUP_TIMEOUT_S = 600  # as airrohr: the access point closes itself after 10 minutes
MAX_REQUEST = 8192  # room for a pasted CA certificate (PEM, about 2 KB)


def config_problem(config_path):
    """Why the kit cannot start from config_path ('no config file', or the validator's message), else None."""
    try:
        os.stat(config_path)
    except OSError:
        return "no config file yet"
    try:
        config.load(config_path)
    except ValueError as exc:  # a kit with a bad config would reset in a loop: ask for a good one instead
        return str(exc)
    return None


def button_held(pin, window_ms=PRESS_WINDOW_MS, hold_ms=HOLD_MS):
    """True when the button goes down within window_ms from now and stays down for hold_ms."""
    start = time.ticks_ms()
    down_since = None
    while True:
        now = time.ticks_ms()
        if pin.value() == 0:
            if down_since is None:
                down_since = now
            if time.ticks_diff(now, down_since) >= hold_ms:
                return True
        else:
            down_since = None
            if time.ticks_diff(now, start) >= window_ms:
                return False
        time.sleep_ms(50)


def wanted(config_path, pin=None, window_ms=PRESS_WINDOW_MS, hold_ms=HOLD_MS):
    """True when set-up mode should open: no usable config, or the button held just after start-up."""
    problem = config_problem(config_path)
    if problem is not None:
        print("set-up: %s" % problem)
        return True
    if pin is None:
        import machine

        pin = machine.Pin(BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
    print("set-up: hold the BOOT button for %d s now to open set-up" % (hold_ms // 1000))
    return button_held(pin, window_ms, hold_ms)


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


def save(config_path, raw, ca=None):
    """The CA first (the config names it), then the config; each a temporary file and a rename."""
    if ca is not None:
        ca_path = config.state_path(config_path, CA_NAME)
        with open(ca_path + ".tmp", "w") as f:
            f.write(ca)
        os.rename(ca_path + ".tmp", ca_path)
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
        status, html, raw, ca = handle(_read_request(conn), load_old(config_path), config_problem(config_path))
        if raw is not None:
            save(config_path, raw, ca)
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


def serve(server, dns, ip, config_path, deadline, wdt=None):
    """Answer web and DNS requests until a config was saved (True) or the deadline passed (False).

    wdt: the watchdog when the kit loop had started it (it cannot be stopped), fed every second here."""
    import select

    from kit import captive

    poller = select.poll()
    poller.register(server, select.POLLIN)
    if dns is not None:
        poller.register(dns, select.POLLIN)
    saved = False
    while not saved and time.ticks_diff(deadline, time.ticks_ms()) > 0:
        if wdt is not None:
            wdt.feed()
        for event in poller.poll(1000):  # wake up now and then to check the deadline
            if event[0] is dns:
                captive.serve_once(dns, ip)
            elif event[0] is server:
                try:
                    saved = serve_once(server, config_path) or saved
                except OSError:
                    pass  # a client that went away
    return saved


def run(config_path, port=80, timeout_s=SETUP_TIMEOUT_S, wdt=None):
    """Open the access point, the form and the captive DNS until a config was saved or timeout_s passed;
    then restart."""
    import machine
    import network

    from kit import captive

    ap = access_point(network, config.state_path(config_path, "setup_password"))  # /setup_password on the kit
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
        serve(server, dns, address_of(ap), config_path, deadline, wdt)
    finally:
        server.close()
        if dns is not None:
            dns.close()
    time.sleep(1)
    machine.reset()
