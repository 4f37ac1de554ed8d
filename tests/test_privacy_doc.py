"""docs/privacy.md states the figures the code uses (one source of truth: the code; this test checks the copy)."""

import re
from pathlib import Path

import pytest

from alerts import store as alert_store
from api.routes import accounts
from api.routes import alerts as alert_routes
from ijlucht import owners, privacy
from ingest.settings import IngestSettings

TEXT = (Path(__file__).resolve().parents[1] / "docs" / "privacy.md").read_text(encoding="utf-8")
DUTCH, ENGLISH = TEXT.split("## English")


@pytest.mark.parametrize("text", [DUTCH, ENGLISH], ids=["nl", "en"])
def test_the_statement_gives_the_retention_and_limits_the_code_applies(text: str) -> None:
    s = IngestSettings()
    assert re.search(rf"\b{owners.SIGNUP_RETENTION_S // 86400} (dagen|days) (na|after)", text)
    assert re.search(rf"\| {s.ingest_rejects_retention_days:g} (dagen|days) \|", text)
    assert re.search(rf"\b{s.ingest_silent_after_s / 3600:g} (uur|hours)", text)
    assert re.search(rf"\b{accounts.MAX_PER_CLIENT} (aanmeldingen|sign-ups)", text)
    assert re.search(rf"\b{privacy.MIN_OFFSET_M:g} (tot|to) {privacy.MAX_OFFSET_M:g} m\b", text)
    assert set(re.findall(r"measurements=(\w+)", text)) == set(owners.DELETE_CHOICES)
    days = alert_store.UNCONFIRMED_RETENTION_S // 86400
    assert re.search(rf"\b{days} (dagen na de aanvraag|days after the request)", text)
    assert re.search(rf"\b{alert_routes.MAX_PER_CLIENT}\s(aanvragen|requests)\sper", text)
