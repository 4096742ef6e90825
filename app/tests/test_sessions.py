"""Per-user token storage: users never share tokens, sign-in starts clean, sign-out clears everything."""

from __future__ import annotations

import jwt
from flask import Flask

from conftest import APP_ID, BASE_URL, Browser, app_state, query_of
from oidc_standin import OidcStandIn
from sample_app.storage import PENDING_SIGN_IN_COOKIE_KEY


def stored_id_token_subject(app: Flask, session_id: str | None) -> str | None:
    token = app_state(app).store.get(session_id, "idToken") if session_id else None
    return jwt.decode(token, options={"verify_signature": False})["sub"] if token else None


def test_two_users_signing_in_at_once_see_only_their_own_tokens(
    app: Flask, browser: Browser, second_browser: Browser
) -> None:
    # Interleaved on purpose: with one shared storage the second sign-in would overwrite the first.
    alice_authorization = browser.start_sign_in()
    bob_authorization = second_browser.start_sign_in()
    alice_callback = browser.authorize(alice_authorization, "alice")
    bob_callback = second_browser.authorize(bob_authorization, "bob")
    assert second_browser.follow_callback(bob_callback).status_code == 302
    assert browser.follow_callback(alice_callback).status_code == 302

    alice_page, bob_page = browser.home(), second_browser.home()
    assert "Alice Anderson" in alice_page and "Bob Brown" not in alice_page
    assert "Bob Brown" in bob_page and "Alice Anderson" not in bob_page
    assert browser.session_id() != second_browser.session_id()
    assert stored_id_token_subject(app, browser.session_id()) == "user-alice"
    assert stored_id_token_subject(app, second_browser.session_id()) == "user-bob"


def test_a_new_sign_in_drops_the_previous_users_tokens(app: Flask, browser: Browser) -> None:
    browser.sign_in("alice")
    alice_session_id = browser.session_id()
    store = app_state(app).store
    assert alice_session_id and stored_id_token_subject(app, alice_session_id) == "user-alice"

    authorization_url = browser.start_sign_in()

    assert browser.session_id() is None
    assert store.get(alice_session_id, "idToken") is None
    assert store.get(alice_session_id, "refreshToken") is None
    assert store.get(alice_session_id, "accessTokenMap") is None
    assert "Not signed in" in browser.home()

    browser.follow_callback(browser.authorize(authorization_url, "bob"))
    assert "Bob Brown" in browser.home()
    assert len(store) == 1
    assert stored_id_token_subject(app, browser.session_id()) == "user-bob"


def test_the_pending_sign_in_lives_in_the_cookie_and_the_session_id_is_made_when_it_completes(
    app: Flask, browser: Browser
) -> None:
    callback_url = browser.authorize(browser.start_sign_in(), "alice")
    with browser.client.session_transaction() as session:
        pending = session[PENDING_SIGN_IN_COOKIE_KEY]
        assert set(session.keys()) == {"csrf_token", PENDING_SIGN_IN_COOKIE_KEY}
    assert query_of(callback_url)["state"] in pending["value"]
    assert len(app_state(app).store) == 0

    browser.follow_callback(callback_url)

    with browser.client.session_transaction() as session:
        # A fresh session: the pending sign-in and the CSRF token of the anonymous page are gone.
        assert set(session.keys()) == {"sid"}
    assert stored_id_token_subject(app, browser.session_id()) == "user-alice"
    assert len(app_state(app).store) == 1


def test_the_cookie_holds_only_a_session_id(browser: Browser, standin: OidcStandIn) -> None:
    browser.sign_in("alice")

    with browser.client.session_transaction() as session:
        assert set(session.keys()) == {"sid"}
    cookie = browser.client.get_cookie("__Host-session")
    assert cookie is not None
    assert len(cookie.value) < 200
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure
    assert standin.issued_id_tokens[-1].split(".")[1] not in cookie.value


def test_sign_out_clears_the_session_and_ends_the_logto_session(
    app: Flask, browser: Browser, standin: OidcStandIn
) -> None:
    browser.sign_in("alice")

    response = browser.sign_out()

    assert response.status_code == 303
    assert response.location.startswith(f"{standin.endpoint}/oidc/session/end?")
    assert query_of(response.location) == {"client_id": APP_ID, "post_logout_redirect_uri": f"{BASE_URL}/"}
    assert browser.session_id() is None
    assert len(app_state(app).store) == 0
    assert "Not signed in" in browser.home()
    # Logto accepts the post sign-out URI and sends the browser back to the app.
    status, headers, _ = standin.end_session(query_of(response.location))
    assert (status, headers["Location"]) == (302, f"{BASE_URL}/")


def test_sign_out_without_a_session_still_ends_the_logto_session(browser: Browser, standin: OidcStandIn) -> None:
    response = browser.sign_out()

    assert response.status_code == 303
    assert response.location.startswith(f"{standin.endpoint}/oidc/session/end?")


def test_healthz_answers_without_calling_logto_or_showing_settings(
    app: Flask, browser: Browser, standin: OidcStandIn
) -> None:
    response = browser.client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert standin.requests == []
