"""The Prometheus alerting rules fire on the series they are meant for and stay quiet otherwise (promtool)."""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

RULES = ROOT / "deploy" / "server" / "prometheus"


def promtool() -> str:
    found = shutil.which("promtool", path=str(ROOT / ".venv" / "bin")) or shutil.which("promtool")
    if not found:
        pytest.fail("promtool is missing: run `bash deploy/local/install.sh promtool` (Debian's, no daemon)")
    return found


def test_alerting_rules_are_valid_and_pass_their_promtool_tests():
    checked = subprocess.run([promtool(), "check", "rules", "ijlucht-rules.yml"], cwd=RULES, capture_output=True)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    tested = subprocess.run([promtool(), "test", "rules", "ijlucht-rules.test.yml"], cwd=RULES, capture_output=True)
    assert tested.returncode == 0, tested.stdout.decode() + tested.stderr.decode()


def test_every_alert_has_a_promtool_case():
    rules = (RULES / "ijlucht-rules.yml").read_text()
    cases = (RULES / "ijlucht-rules.test.yml").read_text()
    alerts = [line.split(":", 1)[1].strip() for line in rules.splitlines() if line.strip().startswith("- alert:")]
    assert len(alerts) == 6
    for alert in alerts:
        assert f"alertname: {alert}" in cases, alert
