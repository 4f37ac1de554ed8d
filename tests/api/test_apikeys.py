"""API keys: created by the CLI (shown once), stored only as a hash, listed by prefix, revoked."""

from ijlucht import apikeys, cli


def test_cli_creates_lists_and_revokes_keys(settings, conn, capsys):
    assert cli.main(["apikeys", "create", "--name", "a researcher"]) == 0
    plain = capsys.readouterr().out.strip().splitlines()[-1]
    assert plain.startswith(apikeys.KEY_PREFIX)
    prefix = plain.split("_")[1]
    stored = conn.execute("SELECT key_hash, role FROM api_keys WHERE prefix = %s", (prefix,)).fetchone()
    assert stored == (apikeys.hash_key(plain), "reader")  # read, unless admin is asked for
    assert cli.main(["apikeys", "create", "--name", "first admin", "--role", "admin"]) == 0
    admin = capsys.readouterr().out.strip().splitlines()[-1]
    role = conn.execute("SELECT role FROM api_keys WHERE key_hash = %s", (apikeys.hash_key(admin),)).fetchone()
    assert role == ("admin",)
    assert plain not in str(conn.execute("SELECT * FROM api_keys").fetchall())  # never the key itself
    assert cli.main(["apikeys", "list"]) == 0
    assert prefix in capsys.readouterr().out
    assert cli.main(["apikeys", "revoke", prefix]) == 0
    assert cli.main(["apikeys", "revoke", prefix]) == 2  # already revoked: says so


def test_revoked_key_is_refused(app_client, conn):
    key, plain = apikeys.create_key(conn, "short-lived", "reader")
    assert app_client.get("/v1/quantities", headers={"X-API-Key": plain}).status_code == 200
    apikeys.revoke_key(conn, key.prefix)
    app_client.app.state.key_cache.entries.clear()  # otherwise within a minute
    r = app_client.get("/v1/quantities", headers={"X-API-Key": plain})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
