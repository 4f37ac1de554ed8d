"""A kit at the end of a serial port, for flashing tests: the MicroPython unix port behind a pseudo-terminal.

mpremote talks to it exactly as to an ESP32 over USB (raw REPL, file copies, reset); only what the unix port
cannot do is played here: a soft reset (Ctrl-D at an empty raw REPL) ends the unix process, so the next one is
started and answers as a rebooted board does. The kit's file system is a folder on the host (the process's
working folder); virtualkit/board provides `machine` (its reset ends the process, like a reboot).
"""

import contextlib
import os
import select
import subprocess
import threading
import tty
from pathlib import Path

from virtualkit.launch import micropython_binary

BOARD = Path(__file__).resolve().parents[2] / "virtualkit" / "board"


class SerialKit:
    def __init__(self, flash: Path) -> None:
        self.flash = flash
        self.host_end, host_port = os.openpty()
        tty.setraw(host_port)
        self.port = os.ttyname(host_port)
        self._host_port = host_port
        self.proc: subprocess.Popen | None = None
        self.boots = 0
        self._stop = threading.Event()
        self._start_board()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _start_board(self) -> None:
        self.board_end, board_port = os.openpty()
        tty.setraw(board_port)
        env = {**os.environ, "MICROPYPATH": f"{BOARD}:.frozen"}
        self.proc = subprocess.Popen(
            [micropython_binary()], stdin=board_port, stdout=board_port, stderr=board_port, cwd=self.flash, env=env
        )
        os.close(board_port)
        self.boots += 1

    def _reboot(self) -> None:
        """The board process ended (soft reset or machine.reset): start it again, as a rebooting board."""
        os.close(self.board_end)
        self._start_board()
        os.write(self.host_end, b"soft reboot\r\n")
        os.write(self.board_end, b"\x01")  # a board that soft-resets in the raw REPL comes back in it

    def _pump(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.host_end, self.board_end], [], [], 0.1)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:  # the board's side closed: its process has ended
                    data = b""
                if fd == self.board_end and not data:
                    self.proc.wait(10)
                    self._reboot()
                    break
                os.write(self.board_end if fd == self.host_end else self.host_end, data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for fd in (self.host_end, self._host_port, self.board_end):
            with contextlib.suppress(OSError):  # already closed by a reboot
                os.close(fd)
