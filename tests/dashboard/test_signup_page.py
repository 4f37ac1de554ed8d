"""The sign-up form and the owner page's actions without a browser: every mistake said at its field in Dutch and
English with the platform's own checks, the API's refusals mapped to fields, the mailed link changing nothing until
its button is pressed, and the owner token going to the API only in its header (an API fake records the calls)."""

import base64
import json
import re
from html import escape

import httpx
import pytest

from dashboard.api_client import ApiClient
from dashboard.app import create_app
from dashboard.owner_page import render
from dashboard.settings import DashboardSettings
from dashboard.signup_page import TEXTS, api_answer, check_form, config_page, form_page
from ijlucht import owners

GOOD = {"email": "a@example.org", "kit_id": "Zeestraat-12", "name": "Balcony", "lat": "52,4874", "lon": "4.6573",
        "height_m": "3.5", "indoor": "outdoor", "sensors": ["sds011", "bme280"]}  # fmt: skip
TOKEN = "T" * 43


def test_a_good_form_becomes_the_apis_sign_up():
    body, errors = check_form(GOOD)
    assert errors == {}
    assert body == {"email": "a@example.org", "kit_id": "zeestraat-12", "name": "Balcony", "lat": 52.4874,
                    "lon": 4.6573, "indoor": False, "sensors": ["sds011", "bme280"], "height_m": 3.5}  # fmt: skip


def test_every_mistake_is_found_at_once_with_the_platforms_own_checks():
    bad = {"email": "not-an-address", "kit_id": "admin", "name": "", "lat": "51.2", "lon": "4.65", "height_m": "x",
           "sensors": ["sds011", "pms5003"]}  # fmt: skip
    _, errors = check_form(bad)
    assert {k: v.split(":")[0] for k, v in errors.items()} == {
        "email": "bad_email", "kit_id": "kit_id_reserved", "name": "no_name", "position": "outside_area",
        "height_m": "bad_height", "sensors": "sensors",
    }  # fmt: skip
    assert check_form({**GOOD, "lat": "", "sensors": []})[1] == {"position": "no_position", "sensors": "no_sensors"}
    assert check_form({**GOOD, "kit_id": "a b"})[1] == {"kit_id": "kit_id_invalid"}


@pytest.mark.parametrize("lang, says", [("nl", "geen geldig e-mailadres"), ("en", "not a valid e-mail address")])
def test_the_form_says_each_mistake_at_its_field_in_the_language_and_escapes_what_was_typed(lang, says):
    values = {**GOOD, "name": "<script>alert(1)</script>"}
    page = form_page(lang, values, {"email": "bad_email", "position": "outside_area"}, "x", {"data": []}, "/p.js")
    assert re.search(r"<p class='error' id='email-error' role='alert'>[^<]*" + says, page)
    assert "id='position-error'" in page and f"<html lang='{lang}'>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The sensors offered are exactly the firmware's list.
    assert re.findall(r"name='sensors' value='([^']+)'", page) == list(owners.supported_sensors())


def test_the_apis_refusals_are_said_at_their_fields():
    taken = httpx.Response(409, json={"detail": "the name 'x' is taken; pick another"})
    assert api_answer(taken, "en")[0] == {"kit_id": "kit_id_taken"}
    invalid = httpx.Response(422, json={"detail": [{"loc": ["body", "lat"], "msg": "too big"},
                                                   {"loc": ["body", "email"], "msg": "bad"}]})  # fmt: skip
    assert api_answer(invalid, "nl")[0] == {"position": "outside_area", "email": "bad_email"}
    assert api_answer(httpx.Response(429, json={"detail": "x"}), "nl") == ({}, TEXTS["nl"]["too_many"])


def test_the_configuration_page_shows_the_password_and_a_kit_json_to_download():
    config = {
        "kit_id": "zeestraat-12",
        "mqtt_host": "ijlucht.example",
        "mqtt_port": 8883,
        "tls": True,
        "mqtt_password": "pw<&>",
        "ca": "-----BEGIN CERTIFICATE-----",
        "sensors": ["sds011"],
        "indoor": False,
    }
    answer = {"kit_config": config, "owner_page": f"/kit/zeestraat-12?token={TOKEN}", "approval_pending": True}
    page = config_page("en", answer, "https://example.org/build")  # fmt: skip
    assert "pw&lt;&amp;&gt;" in page and "8883" in page and "ijlucht.example" in page and "id='approval'" in page
    href = re.search(r"href='data:application/json;base64,([^']+)'", page).group(1)
    assert json.loads(base64.b64decode(href)) == config
    assert "https://example.org/build" in page and "ijlucht-flash write --config kit.json" in page


class FakeApi:
    """Records every request; answers the sign-up, confirmation and owner endpoints."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/v1/accounts/confirm":
            config = {"kit_id": "zeestraat-12", "mqtt_host": "h", "mqtt_port": 8883, "tls": True,
                      "mqtt_password": "secret-pw", "ca": "CA"}  # fmt: skip
            return httpx.Response(200, json={"kit_config": config, "owner_page": f"/kit/zeestraat-12?token={TOKEN}"})
        if request.url.path.endswith("/move"):
            return httpx.Response(200, json={"kit_id": "zeestraat-12", "valid_from": "2026-12-02T10:00:00Z",
                                             "municipality_code": "GM0453"})  # fmt: skip
        if request.method == "DELETE":
            return httpx.Response(200, json={"deleted": True})
        return httpx.Response(202, json={"detail": "mailed"})


@pytest.fixture
def web():
    api = FakeApi()
    client = ApiClient("http://fake.api", transport=httpx.MockTransport(api.handle))
    app = create_app(DashboardSettings(language="nl", tile_url=""), client=client)
    return app.server.test_client(), api


def test_the_mailed_link_changes_nothing_until_its_button_is_pressed(web):
    browser, api = web
    page = browser.get("/signup/confirm", query_string={"token": TOKEN, "lang": "en"})
    assert page.status_code == 200 and "id='confirm'" in page.get_data(as_text=True) and api.requests == []
    assert page.headers["Cache-Control"] == "no-store"
    shown = browser.post("/signup/confirm?lang=en", data={"token": TOKEN})
    assert "secret-pw" in shown.get_data(as_text=True) and [r.url.path for r in api.requests] == [
        "/v1/accounts/confirm"
    ]
    assert browser.get("/signup/confirm", query_string={"token": "short"}).status_code == 404


def test_a_form_with_mistakes_never_reaches_the_api(web):
    browser, api = web
    page = browser.post("/signup?lang=en", data={**GOOD, "email": "nope"})
    assert page.status_code == 422 and "id='email-error'" in page.get_data(as_text=True) and api.requests == []
    sent = browser.post("/signup?lang=en", data=GOOD, headers={"X-Forwarded-For": "203.0.113.5"})
    assert sent.status_code == 202 and json.loads(api.requests[0].content)["kit_id"] == "zeestraat-12"
    # The visitor's address reaches the API's per-client limit: nginx's chain, then the dashboard's own peer.
    assert api.requests[0].headers["X-Forwarded-For"] == "203.0.113.5, 127.0.0.1"


def test_the_owner_token_goes_to_the_api_in_its_header_only(web):
    browser, api = web
    page = render({"kit_id": "zeestraat-12", "delete_choices": owners.DELETE_CHOICES, "sensors": ["sds011"]}, "en",
                  TOKEN)  # fmt: skip
    assert all(TOKEN not in action for action in re.findall(r"action='([^']*)'", page))
    assert page.count(f"name='token' value='{TOKEN}'") == 4  # two exports, move, delete
    assert escape(owners.DELETE_CHOICES["keep"]) in page and escape(owners.DELETE_CHOICES["delete"]) in page
    check = browser.post("/kit/zeestraat-12/move", data={"token": TOKEN, "lang": "en", "lat": "52.458",
                                                         "lon": "4.615", "indoor": "outdoor"})  # fmt: skip
    assert "Is this right?" in check.get_data(as_text=True) and api.requests == []
    move = {"token": TOKEN, "lang": "en", "lat": "52.458", "lon": "4.615", "indoor": "outdoor", "step": "do"}
    moved = browser.post("/kit/zeestraat-12/move", data=move)
    assert "GM0453" in moved.get_data(as_text=True)
    wrong = browser.post("/kit/zeestraat-12/delete", data={"token": TOKEN, "measurements": "keep", "step": "do",
                                                           "typed": "other"})  # fmt: skip
    assert wrong.status_code == 422 and [r.method for r in api.requests] == ["POST"]
    browser.post("/kit/zeestraat-12/delete", data={"token": TOKEN, "measurements": "keep", "step": "do",
                                                   "typed": "zeestraat-12"})  # fmt: skip
    for request in api.requests:
        assert request.headers["X-Owner-Token"] == TOKEN and TOKEN not in str(request.url)
    assert api.requests[-1].method == "DELETE" and api.requests[-1].url.params["measurements"] == "keep"
