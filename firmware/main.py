"""Entry point on the device: undo a failed update, run the kit loop; on a crash keep the traceback, reset."""

import sys
import time

CONFIG_PATH = "/config.json"
CRASH_PATH = "/crash.txt"


def _write_crash(exc, crash_path):
    try:
        with open(crash_path, "w") as f:
            f.write("crash at uptime %d ms\n" % time.ticks_ms())
            sys.print_exception(exc, f)
    except OSError:
        pass  # a full or broken file system must not stop the reset


def start(config_path=CONFIG_PATH, crash_path=CRASH_PATH, reset_delay_s=10, app_root="/", button_window_ms=None):
    """button_window_ms: how long after start a press of the BOOT button opens set-up (None: kit.setup's)."""
    try:
        from kit import update

        # Before anything else is imported: an update that did not come up on its first boot is undone.
        update.boot_check(app_root)
        from kit import setup

        window = setup.PRESS_WINDOW_MS if button_window_ms is None else button_window_ms
        if setup.wanted(config_path, window_ms=window):  # no usable config, or the BOOT button held: set-up
            setup.run(config_path)
        from kit import app

        app.run(config_path, app_root=app_root)
    except KeyboardInterrupt:
        raise  # someone at the REPL: leave them there
    except Exception as exc:
        sys.print_exception(exc)
        _write_crash(exc, crash_path)
        # A short pause so a crash loop does not hammer the broker or wear out the flash.
        time.sleep(reset_delay_s)
        import machine

        machine.reset()


if __name__ == "__main__":
    start()
