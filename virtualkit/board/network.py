"""Stand-in for the ESP32 `network` module: a station interface that is connected at once."""

STA_IF = 0
AP_IF = 1

STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010


class WLAN:
    def __init__(self, interface=STA_IF):
        self.interface = interface
        self._active = False
        self._connected = False
        self._ssid = None

    def active(self, is_active=None):
        if is_active is None:
            return self._active
        self._active = bool(is_active)
        return None

    def connect(self, ssid=None, key=None):
        self._ssid = ssid
        self._connected = True

    def disconnect(self):
        self._connected = False

    def isconnected(self):
        return self._connected

    def status(self, param=None):
        if param == "rssi":
            return -60
        return STAT_GOT_IP if self._connected else STAT_IDLE

    def ifconfig(self):
        return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")

    def config(self, name=None, **kwargs):
        if kwargs:  # setting: an access point's essid, password, authmode
            self.ap_config = getattr(self, "ap_config", {})
            self.ap_config.update(kwargs)
            return None
        if name == "mac":
            return b"\x1a\x1b\x1c\x1d\x1e\x1f"
        if name == "ssid":
            return self._ssid
        return None
