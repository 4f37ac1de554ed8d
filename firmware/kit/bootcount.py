"""A boot counter kept in a small file, for the info message."""


def increment(path):
    """Read, add one, write back; returns the new count. A missing or damaged file counts from zero."""
    count = 0
    try:
        with open(path) as f:
            count = int(f.read().strip() or "0")
    except (OSError, ValueError):
        pass
    count += 1
    try:
        with open(path, "w") as f:
            f.write(str(count))
    except OSError:
        pass  # a read-only or full file system: the count is then only right for this boot
    return count
