"""The installed production layout, shared by the layout and backup tests (installed once: about a minute)."""

import pytest

from tests.deploy.layout import SERVER, Layout, _hook, local_ca, server_cert, start_services


@pytest.fixture(scope="session")
def layout():
    lay = Layout()
    try:
        took = lay.install()
        print(f"\n[figure] install.sh layout into the test root: {took:.1f} s")
        local_ca(lay.work)
        crt, key = server_cert(lay.work, "first")
        lay.start_postgres()
        lay.sh(str(SERVER / "install.sh"), "database", PGHOST=str(lay.socket_dir))
        lay.sh(str(SERVER / "install.sh"), "broker")
        lay.replace_certificate = lambda c, k: _hook(lay, c, k)  # type: ignore[attr-defined]
        _hook(lay, crt, key)
        lay.start_mosquitto()
        lay.start_nginx()
        start_services(lay)
        yield lay
    finally:
        lay.teardown()
