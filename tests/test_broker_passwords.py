"""Kit broker passwords: random, URL-safe, and never read as an option when typed after `--password`."""

import re

from ijlucht.broker import new_password


def test_new_passwords_never_begin_with_a_dash_and_stay_url_safe_and_distinct() -> None:
    drawn = [new_password() for _ in range(5000)]  # without the rule about 78 of 5,000 would begin with "-"
    assert not [p for p in drawn if p.startswith("-")]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", p) for p in drawn)
    assert len(set(drawn)) == len(drawn)
