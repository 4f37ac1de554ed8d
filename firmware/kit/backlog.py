"""Readings waiting to be sent: a bounded FIFO in RAM; when full the oldest reading is dropped and counted.

A flash-backed queue with the same interface (append, peek, drop, len, dropped) replaces it later.
"""


class Backlog:
    def __init__(self, maxlen):
        if maxlen < 1:
            raise ValueError("backlog maxlen must be at least 1")
        self.maxlen = maxlen
        self.dropped = 0  # readings lost because the backlog was full
        self._items = []

    def append(self, item):
        if len(self._items) >= self.maxlen:
            self._items.pop(0)
            self.dropped += 1
        self._items.append(item)

    def peek(self, n):
        """The n oldest items (fewer when there are fewer), without removing them."""
        return self._items[:n]

    def drop(self, n):
        """Remove the n oldest items: call after they were delivered."""
        del self._items[:n]

    def __len__(self):
        return len(self._items)
