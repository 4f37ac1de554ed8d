"""The set-up form: its fields, decoding a posted form, checking it with the firmware's own rules (kit.config,
the sensor list of kit.sensors, TLS only with a CA) and the page itself. Pure: no sockets, no files."""

import binascii

from kit import config, sensors

MAX_CA = 4096
CA_NAME = "ca.pem"  # next to config.json
FIELDS = (  # (name, label, input type)
    ("kit_id", "Kit id", "text"),
    ("mqtt_password", "Kit password", "password"),
    ("wifi_ssid", "Wi-Fi network", "text"),
    ("wifi_password", "Wi-Fi password", "password"),
    ("mqtt_host", "Platform address", "text"),
    ("mqtt_port", "Port", "number"),
    ("tls", "TLS (encrypted; needs the CA certificate)", "checkbox"),
    ("ca", "CA certificate (PEM; empty keeps the stored one)", "textarea"),
    ("sensors", "Sensors, comma-separated: " + ", ".join(sensors.HARDWARE), "text"),
    ("indoor", "Indoors", "checkbox"),
    ("interval", "Interval (s)", "number"),
)
SECRET = ("mqtt_password", "wifi_password")  # never shown back in the form


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


def check_ca(text):
    """The pasted CA certificate, cleaned; ValueError unless it is one PEM certificate of sensible size."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_CA:
        raise ValueError("config: the CA certificate is longer than %d characters" % MAX_CA)
    if not text.startswith("-----BEGIN CERTIFICATE-----") or not text.endswith("-----END CERTIFICATE-----"):
        raise ValueError(
            "config: the CA certificate must be PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----"
        )
    return text + "\n"


def form_to_config(form, old, ca_path=CA_NAME):
    """(new raw config, CA text to store or None): the old config with the form's values; ValueError naming
    the field when anything is invalid (kit.config's checks, the sensor list, TLS without a CA)."""
    raw = dict(old)
    ca = None
    for name, _, kind in FIELDS:
        value = form.get(name, "")
        if name in SECRET and not value and old.get(name):
            continue  # left empty: keep the stored secret
        if kind == "number":
            if value:
                try:
                    raw[name] = int(value)
                except ValueError:
                    raise ValueError("config: field '%s' must be a whole number, got %r" % (name, value[:20]))
        elif kind == "checkbox":
            raw[name] = name in form  # browsers send a ticked box only
        elif name == "ca":
            if value:
                ca = check_ca(value)
        elif name == "sensors":
            raw[name] = [s.strip().lower() for s in value.split(",") if s.strip()]
            config.check_sensors(raw[name], hardware_only=True)
        else:
            raw[name] = value
    if not raw["tls"]:
        ca = None  # nothing to verify against: not stored
    elif ca is not None or not old.get("ca_file"):
        if ca is not None:
            raw["ca_file"] = ca_path
        elif not old.get("ca_file"):
            raise ValueError("config: TLS needs the platform's CA certificate: paste it into 'CA certificate'")
    config.validate(raw)
    return raw, ca


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def render_form(old, message=""):
    rows = []
    for name, label, kind in FIELDS:
        value = "" if name in SECRET or name == "ca" else old.get(name, "")
        if name == "sensors" and isinstance(value, list):
            value = ",".join(value)
        if kind == "checkbox":
            field = '<input name="%s" type="checkbox"%s>' % (name, " checked" if value is True else "")
        elif kind == "textarea":
            field = '<br><textarea name="%s" rows="6" cols="40"></textarea>' % name
        else:
            field = '<br><input name="%s" type="%s" value="%s">' % (name, kind, _escape(value))
        rows.append("<label>%s %s</label><br>" % (label, field))
    return (
        '<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        "<title>IJlucht kit set-up</title></head><body><h1>IJlucht kit set-up</h1><p>%s</p>"
        '<form method="post" action="/">%s<button>Save and restart</button></form></body></html>'
    ) % (_escape(message), "".join(rows))


def handle(request, old, problem=None):
    """(status, html, new raw config or None, CA text or None) for one raw HTTP request."""
    head, _, body = request.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode()
    if line.startswith("POST "):
        try:
            raw, ca = form_to_config(parse_form(body.decode()), old)
        except (ValueError, UnicodeError) as exc:
            return "400 Bad Request", render_form(old, str(exc)), None, None
        return (
            "200 OK",
            "<!doctype html><p>Saved. The kit restarts and connects to %s.</p>" % _escape(raw["wifi_ssid"]),
            raw,
            ca,
        )
    if line.startswith("GET "):
        intro = "Fill in what the platform gave you for this kit."
        if problem:
            intro = "The stored settings cannot be used (%s). %s" % (problem, intro)
        return "200 OK", render_form(old, intro), None, None
    return "405 Method Not Allowed", "<p>GET or POST only</p>", None, None
