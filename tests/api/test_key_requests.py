"""Researchers get a read key themselves: a request mails a one-time link (to a real local SMTP server), following
it shows a reader key once; the key works, the link does not work twice, and a failed mail stores nothing."""

import re

import pytest

from ijlucht import apikeys, mail
from ijlucht.settings import PlatformSettings

LINK = re.compile(r"(http://\S+/v1/keys/confirm\?token=[A-Za-z0-9_-]+)")


def ask(api, address: str, **extra):
    body = {"email": address, "name": "A. Researcher", "purpose": "PM2.5 exposure study", **extra}
    return api.post("/v1/keys/requests", json=body)


def test_a_confirmed_address_gets_a_reader_key_that_works_once_shown(api, smtp_server, conn):
    address = "researcher-1@example.org"
    r = ask(api, address)
    assert r.status_code == 202 and address in r.json()["detail"]
    [message] = smtp_server.to(address)
    assert message["Subject"].startswith("Your IJlucht API key")
    text = message.get_payload(decode=True).decode()
    assert "PM2.5 exposure study" in text and "ODbL-1.0" in text
    link = LINK.search(text).group(1)
    token = link.split("token=")[1]
    assert conn.execute("SELECT count(*) FROM api_key_requests WHERE token_hash = %s", (token,)).fetchone() == (0,)
    got = api.get(link)
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
    key = got.json()
    assert key["role"] == "reader" and key["key"].startswith(apikeys.KEY_PREFIX)
    assert api.get("/v1/areas", headers={"X-API-Key": key["key"]}).status_code == 200
    admin = api.get("/v1/admin/kits", headers={"X-API-Key": key["key"]})
    assert admin.status_code == 403  # a reader key opens nothing private
    again = api.get(link)
    assert again.status_code == 404 and "used already" in again.json()["detail"]


def test_an_address_may_ask_three_times_a_day(api, smtp_server):
    address = "eager@example.org"
    assert [ask(api, address).status_code for _ in range(3)] == [202, 202, 202]
    r = ask(api, address.upper())  # the same mailbox, written otherwise
    assert r.status_code == 429 and "tomorrow" in r.json()["detail"]
    assert len(smtp_server.to(address)) == 3


def test_expired_or_unknown_links_give_no_key(api, smtp_server, conn):
    address = "late@example.org"
    assert ask(api, address).status_code == 202
    link = LINK.search(smtp_server.to(address)[0].get_payload(decode=True).decode()).group(1)
    conn.execute("UPDATE api_key_requests SET expires_at = now() - interval '1 s' WHERE email = %s", (address,))
    assert api.get(link).status_code == 404
    assert api.get("/v1/keys/confirm", params={"token": "A" * 43}).status_code == 404
    assert api.get("/v1/keys/confirm", params={"token": "short"}).status_code == 422


def test_bad_requests_say_what_to_fix(api, smtp_server):
    assert ask(api, "not-an-address").status_code == 422
    assert ask(api, "a@example.org", purpose="").status_code == 422
    assert ask(api, "a@example.org", role="admin").status_code == 422  # no way to ask for more than read


def test_when_the_mail_cannot_be_sent_nothing_is_stored(app_client, settings, conn, monkeypatch):
    monkeypatch.setattr(app_client.app.state.settings, "smtp_port", 9)  # nothing listens: refused at once
    before = conn.execute("SELECT count(*) FROM api_key_requests").fetchone()
    r = app_client.post("/v1/keys/requests", json={"email": "x@example.org", "name": "X", "purpose": "test"})
    assert r.status_code == 503 and "nothing was stored" in r.json()["detail"]
    assert conn.execute("SELECT count(*) FROM api_key_requests").fetchone() == before


def test_send_mail_delivers_one_message_and_names_failures(smtp_server):
    settings = PlatformSettings()
    mail.send_mail(settings, "one@example.org", "Hello", "Body text")
    [message] = smtp_server.to("one@example.org")
    assert message["From"] == settings.smtp_from and message.get_payload(decode=True).decode().strip() == "Body text"
    with pytest.raises(mail.MailNotSent, match="did not take the message"):
        mail.send_mail(PlatformSettings(smtp_port=9), "two@example.org", "Hello", "Body")
