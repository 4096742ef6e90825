"""Sign-in, callback and the checks the SDK makes, against the local OIDC stand-in."""

from __future__ import annotations

import socket

import pytest
from flask import Flask

from conftest import APP_ID, APP_SECRET, BASE_URL, Browser, csrf_token_in, new_standin, query_of, settings_env
from oidc_standin import OidcStandIn
from sample_app import create_app


def test_sign_in_redirects_to_logto_with_client_id_and_callback(browser: Browser, standin: OidcStandIn) -> None:
    authorization_url = browser.start_sign_in()

    assert authorization_url.startswith(f"{standin.endpoint}/oidc/auth?")
    query = query_of(authorization_url)
    assert query["client_id"] == APP_ID
    assert query["redirect_uri"] == f"{BASE_URL}/callback"
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert {"openid", "offline_access", "profile", "email"} <= set(query["scope"].split())
    assert "interaction_mode" not in query
    assert APP_SECRET not in authorization_url


def test_base_url_wins_over_the_request_host(app: Flask) -> None:
    client = app.test_client()
    request = {
        "base_url": "http://10.1.2.3:8000",
        "headers": {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "http"},
    }
    token = csrf_token_in(client.get("/", **request).get_data(as_text=True))

    response = client.post("/sign-in", data={"csrf_token": token}, **request)

    assert response.status_code == 303
    assert query_of(response.location)["redirect_uri"] == f"{BASE_URL}/callback"


def test_base_url_with_a_path_prefix_is_kept_through_the_whole_flow() -> None:
    # A proxy publishes the app at /sample and strips the prefix before forwarding.
    base_url = "https://proxy.example.test/sample"
    with new_standin(base_url) as standin:
        app = create_app(settings_env(standin.endpoint, base_url=base_url))
        browser = Browser(app.test_client(), standin, base_url=base_url)

        authorization_url = browser.start_sign_in()
        assert query_of(authorization_url)["redirect_uri"] == f"{base_url}/callback"
        response = browser.follow_callback(browser.authorize(authorization_url, "alice"))

        assert response.status_code == 302
        assert response.location == f"{base_url}/"
        assert "Alice Anderson" in browser.home()
        assert f'action="{base_url}/sign-out"' in browser.home()


def test_interaction_mode_sign_up_is_passed_to_logto(browser: Browser) -> None:
    assert query_of(browser.start_sign_in("signUp"))["interaction_mode"] == "signUp"


def test_an_unknown_interaction_mode_is_refused(browser: Browser, standin: OidcStandIn) -> None:
    posted = browser.client.post("/sign-in", data={"csrf_token": browser.csrf_token(), "interactionMode": "register"})
    shown = browser.client.get("/sign-in?interactionMode=register")

    for response in (posted, shown):
        assert response.status_code == 400
        assert "interactionMode must be one of signIn, signUp" in response.get_data(as_text=True)
    assert standin.requests == []


def test_callback_exchanges_the_code_and_signs_the_user_in(browser: Browser, standin: OidcStandIn) -> None:
    response = browser.sign_in("alice")

    assert response.status_code == 302
    assert response.location == f"{BASE_URL}/"
    token_request = standin.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code"
    assert token_request["client_id"] == APP_ID
    assert token_request["client_secret"] == APP_SECRET
    assert token_request["redirect_uri"] == f"{BASE_URL}/callback"
    page = browser.home()
    assert "Signed in" in page
    assert '<dd id="name">Alice Anderson</dd>' in page
    assert '<dd id="email">alice@example.test</dd>' in page


def test_home_page_when_signed_out_offers_sign_in_and_sign_up_as_forms(browser: Browser) -> None:
    page = browser.home()

    assert "Not signed in" in page
    assert page.count(f'<form method="post" action="{BASE_URL}/sign-in">') == 2
    assert '<button type="submit">Sign in</button>' in page
    assert '<input type="hidden" name="interactionMode" value="signUp">' in page
    assert '<button type="submit">Create an account</button>' in page


def test_discovery_is_fetched_once_per_process(browser: Browser, second_browser: Browser, standin: OidcStandIn) -> None:
    browser.sign_in("alice")
    second_browser.sign_in("bob")

    assert standin.requests.count("GET /oidc/.well-known/openid-configuration") == 1
    assert standin.requests.count("GET /oidc/jwks") == 1


def test_callback_with_a_forged_state_is_refused(browser: Browser, standin: OidcStandIn) -> None:
    callback_url = browser.authorize(browser.start_sign_in(), "alice")
    forged = callback_url.replace("state=", "state=forged", 1)

    response = browser.follow_callback(forged)

    assert response.status_code == 400
    assert "Invalid state" in response.get_data(as_text=True)
    assert standin.token_requests == []
    assert "Not signed in" in browser.home()


def test_callback_without_a_sign_in_in_progress_is_refused(browser: Browser) -> None:
    response = browser.client.get("/callback?code=abc&state=def")

    assert response.status_code == 400
    assert "no sign-in in progress" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("standin_setting", "value"),
    [
        ("signing_key_name", "foreign"),  # Not the key the JWKS publishes.
        ("id_token_overrides", {"aud": "some-other-app"}),
        ("id_token_overrides", {"iss": "https://elsewhere.example/oidc"}),
        ("id_token_overrides", {"exp": 1_000_000_000}),
    ],
)
def test_an_id_token_that_fails_verification_is_refused(
    browser: Browser, standin: OidcStandIn, standin_setting: str, value: object
) -> None:
    setattr(standin, standin_setting, value)

    response = browser.sign_in("alice")

    assert response.status_code == 400
    assert "ID token was refused" in response.get_data(as_text=True)
    assert "Not signed in" in browser.home()


def test_a_wrong_app_secret_fails_the_callback_without_showing_it(standin: OidcStandIn) -> None:
    env = settings_env(standin.endpoint) | {"LOGTO_APP_SECRET": "wrong-secret-value"}
    browser = Browser(create_app(env).test_client(), standin)

    response = browser.sign_in("alice")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invalid_client" in page
    assert "wrong-secret-value" not in page


def test_a_sign_in_refused_at_logto_is_reported(browser: Browser) -> None:
    response = browser.sign_in("nobody")  # The stand-in answers error=access_denied for unknown users.

    assert response.status_code == 400
    assert "access_denied" in response.get_data(as_text=True)


def test_an_unreachable_logto_gives_502_naming_the_endpoint() -> None:
    with socket.socket() as probe:  # A port that was free a moment ago: nothing listens there.
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = create_app(settings_env(endpoint)).test_client()
    token = csrf_token_in(client.get("/").get_data(as_text=True))

    response = client.post("/sign-in", data={"csrf_token": token})

    page = response.get_data(as_text=True)
    assert response.status_code == 502
    assert f"{endpoint}/oidc/.well-known/openid-configuration" in page
    assert "LOGTO_ENDPOINT" in page
    assert client.get("/healthz").status_code == 200
