"""What a security review checks: state changes only by POST with a CSRF token, anonymous traffic that cannot
sign anyone out, the security headers on every response and the session cookie's attributes."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from conftest import BASE_URL, Browser, app_state, csrf_token_in, new_standin, settings_env
from oidc_standin import OidcStandIn
from sample_app import MAX_SESSIONS, create_app
from sample_app.state import SESSION_ID_KEY
from sample_app.storage import PENDING_SIGN_IN_COOKIE_KEY, PENDING_SIGN_IN_MAX_AGE_SECONDS


def signed_in_state(app: Flask, browser: Browser) -> tuple[str | None, int, bool]:
    """(session id, sessions in the store, the home page shows the user signed in)."""
    return browser.session_id(), len(app_state(app).store), "Signed in" in browser.home()


# --- sign-out and sign-in are POSTs with a CSRF token ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/sign-out", "To sign out, use the Sign out button"),
        ("/sign-in", "To sign in as someone else, sign out first"),
    ],
)
def test_a_get_to_sign_out_or_sign_in_changes_nothing_and_says_how_to_sign_out(
    app: Flask, browser: Browser, standin: OidcStandIn, path: str, says: str
) -> None:
    browser.sign_in("alice")
    before = signed_in_state(app, browser)
    requests_before = len(standin.requests)

    response = browser.client.get(path)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert says in page
    assert f'<form method="post" action="{BASE_URL}/sign-out">' in page
    assert signed_in_state(app, browser) == before
    assert before[2] is True
    assert len(standin.requests) == requests_before  # Logto was not called (its end-session neither).
    with browser.client.session_transaction() as session:
        assert PENDING_SIGN_IN_COOKIE_KEY not in session


def test_a_get_to_sign_in_when_signed_out_shows_the_button_and_starts_nothing(
    browser: Browser, standin: OidcStandIn
) -> None:
    response = browser.client.get("/sign-in?interactionMode=signUp")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<button type="submit">Create an account</button>' in page
    assert standin.requests == []
    with browser.client.session_transaction() as session:
        assert PENDING_SIGN_IN_COOKIE_KEY not in session


@pytest.mark.parametrize(
    "token",
    [
        None,  # A cross-site form cannot know it.
        "forged",
        "other-browser",  # A valid token, but of another browser's session.
    ],
)
def test_sign_out_without_this_browsers_csrf_token_is_refused_and_the_user_stays_signed_in(
    app: Flask, browser: Browser, second_browser: Browser, standin: OidcStandIn, token: str | None
) -> None:
    browser.sign_in("alice")
    before = signed_in_state(app, browser)
    requests_before = len(standin.requests)
    form = {} if token is None else {"csrf_token": second_browser.csrf_token() if token == "other-browser" else token}

    response = browser.client.post("/sign-out", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form was not accepted" in page and "Nothing was changed" in page
    assert signed_in_state(app, browser) == before
    assert len(standin.requests) == requests_before


def test_sign_in_without_a_csrf_token_is_refused_and_the_signed_in_user_is_kept(
    app: Flask, browser: Browser, standin: OidcStandIn
) -> None:
    browser.sign_in("alice")
    before = signed_in_state(app, browser)
    requests_before = len(standin.requests)

    response = browser.client.post("/sign-in", data={"interactionMode": "signUp"})

    assert response.status_code == 400
    assert signed_in_state(app, browser) == before
    assert len(standin.requests) == requests_before


def test_a_csrf_token_stays_good_for_the_whole_browser_session(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.sign_in("alice")
    token = browser.csrf_token()
    # Hours later, the page still open: itsdangerous dates tokens with time.time().
    later = time.time() + 6 * 60 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    response = browser.client.post("/sign-out", data={"csrf_token": token})

    assert response.status_code == 303


# --- anonymous traffic keeps no state on the server ------------------------------------------------------------


def test_more_anonymous_sign_ins_than_the_store_holds_sign_no_one_out(
    app: Flask, browser: Browser, standin: OidcStandIn
) -> None:
    browser.sign_in("alice")
    alice_session_id = browser.session_id()
    store = app_state(app).store
    flood = MAX_SESSIONS + 100
    anonymous = app.test_client()

    started = time.monotonic()
    for _ in range(flood):
        # A new browser each time (no cookie), pressing "Sign in" and never coming back.
        anonymous.delete_cookie("__Host-session")
        token = csrf_token_in(anonymous.get("/").get_data(as_text=True))
        assert anonymous.post("/sign-in", data={"csrf_token": token}).status_code == 303
    elapsed = time.monotonic() - started

    with anonymous.session_transaction() as session:
        assert PENDING_SIGN_IN_COOKIE_KEY in session  # The starts were real: each browser holds its own.
    assert len(store) == 1
    assert browser.session_id() == alice_session_id
    assert "Alice Anderson" in browser.home()
    assert elapsed < 120
    print(f"{flood} anonymous sign-in starts (GET / + POST /sign-in each) in {elapsed:.1f} s")


def test_each_browser_has_one_pending_sign_in_and_a_new_one_replaces_it(browser: Browser) -> None:
    first_callback = browser.authorize(browser.start_sign_in(), "alice")
    second_callback = browser.authorize(browser.start_sign_in(), "bob")

    refused = browser.follow_callback(first_callback)
    assert refused.status_code == 400
    assert "Invalid state" in refused.get_data(as_text=True)

    assert browser.follow_callback(second_callback).status_code == 302
    assert "Bob Brown" in browser.home()


def test_a_pending_sign_in_older_than_its_limit_is_refused(browser: Browser, standin: OidcStandIn) -> None:
    callback_url = browser.authorize(browser.start_sign_in(), "alice")
    with browser.client.session_transaction() as session:
        pending = session[PENDING_SIGN_IN_COOKIE_KEY]
        session[PENDING_SIGN_IN_COOKIE_KEY] = pending | {
            "started": pending["started"] - PENDING_SIGN_IN_MAX_AGE_SECONDS - 1
        }

    response = browser.follow_callback(callback_url)

    assert response.status_code == 400
    assert "Sign-in session not found" in response.get_data(as_text=True)
    assert standin.token_requests == []


def test_a_failed_callback_leaves_nothing_in_the_store(app: Flask, browser: Browser, standin: OidcStandIn) -> None:
    standin.id_token_overrides = {"aud": "some-other-app"}

    assert browser.sign_in("alice").status_code == 400

    assert len(app_state(app).store) == 0
    assert browser.session_id() is None


# --- headers and cookie ----------------------------------------------------------------------------------------

CSP_DIRECTIVES = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def csp(header: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/healthz", 200),
        ("GET", "/sign-in", 200),
        ("GET", "/sign-out", 200),
        ("GET", "/static/style.css", 200),
        ("POST", "/sign-in", 303),
        ("POST", "/sign-out", 400),  # No CSRF token.
        ("GET", "/callback", 400),
        ("GET", "/no-such-page", 404),
        ("DELETE", "/", 405),
    ],
)
def test_every_response_carries_the_security_headers(
    browser: Browser, standin: OidcStandIn, method: str, path: str, status: int
) -> None:
    data = {"csrf_token": browser.csrf_token()} if (method, path) == ("POST", "/sign-in") else {}

    with browser.client.open(path, method=method, data=data) as response:
        assert response.status_code == status
        policy = csp(response.headers["Content-Security-Policy"])
        assert policy | CSP_DIRECTIVES == policy
        assert policy["form-action"] == f"'self' {standin.endpoint}"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "script-src" not in policy  # default-src 'none': no script at all.
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        if path != "/static/style.css":
            assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-out", "/no-such-page"])
def test_pages_have_no_inline_style_or_script_that_the_policy_would_block(browser: Browser, path: str) -> None:
    browser.sign_in("alice")
    page = browser.client.get(path).get_data(as_text=True).lower()

    for inline in ("<style", "<script", " style=", " onclick=", "javascript:"):
        assert inline not in page
    assert f'<link rel="stylesheet" href="{BASE_URL}/static/style.css">'.lower() in page


def test_over_https_the_session_cookie_is_a_host_cookie(browser: Browser) -> None:
    browser.sign_in("alice")

    assert browser.client.get_cookie("session") is None
    cookie = browser.client.get_cookie("__Host-session")
    assert cookie is not None
    assert (cookie.secure, cookie.http_only, cookie.same_site, cookie.path) == (True, True, "Lax", "/")
    assert cookie.domain in ("", "localhost")  # No Domain attribute: only this host.
    assert "Domain=" not in browser.client.get("/").headers.get("Set-Cookie", "Domain=none-set")


def test_over_http_the_cookie_has_no_host_prefix_and_no_hsts() -> None:
    base_url = "http://127.0.0.1:8080"
    with new_standin(base_url) as standin:
        client = create_app(settings_env(standin.endpoint, base_url=base_url)).test_client()
        response = client.get("/")

    assert "Strict-Transport-Security" not in response.headers
    cookie = client.get_cookie("session")
    assert cookie is not None and not cookie.secure
    assert client.get_cookie("__Host-session") is None


def test_a_large_request_body_is_refused_before_it_is_parsed(browser: Browser) -> None:
    token = browser.csrf_token()

    response = browser.client.post("/sign-out", data={"csrf_token": token, "padding": "x" * 20_000})

    assert response.status_code == 413
    with browser.client.session_transaction() as session:
        assert SESSION_ID_KEY not in session
