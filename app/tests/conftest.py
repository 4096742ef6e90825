"""Fixtures: a local OIDC stand-in for Logto, the app configured against it, and a browser-like helper."""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from oidc_standin import OidcStandIn
from sample_app import create_app
from sample_app.state import EXTENSION_KEY, SESSION_ID_KEY, AppState

APP_ID = "sample-app-id"
APP_SECRET = "app-secret-" + secrets.token_hex(16)
BASE_URL = "https://app.example.test"
USERS = {
    "alice": {"sub": "user-alice", "name": "Alice Anderson", "email": "alice@example.test", "email_verified": True},
    "bob": {"sub": "user-bob", "name": "Bob Brown", "email": "bob@example.test", "email_verified": True},
    # A member of two organizations, as Logto's claims say it (organization ids are 12 characters).
    "adele": {
        "sub": "user-adele",
        "name": "Adele Vance",
        "organizations": ["contoso00001", "fabrikam0001"],
        "organization_roles": ["contoso00001:member", "fabrikam0001:admin", "fabrikam0001:member"],
        "organization_data": [
            {"id": "contoso00001", "name": "Contoso", "description": None},
            {"id": "fabrikam0001", "name": "Fabrikam <Labs>", "description": None},
        ],
        "organization_scopes": {"contoso00001": ["read:reports"], "fabrikam0001": ["manage:members", "read:reports"]},
    },
}


def settings_env(endpoint: str, base_url: str = BASE_URL) -> dict[str, str]:
    return {
        "LOGTO_ENDPOINT": endpoint,
        "LOGTO_APP_ID": APP_ID,
        "LOGTO_APP_SECRET": APP_SECRET,
        "BASE_URL": base_url,
        "SECRET_KEY": secrets.token_hex(32),
    }


def new_standin(base_url: str = BASE_URL) -> OidcStandIn:
    return OidcStandIn(APP_ID, APP_SECRET, [f"{base_url}/callback"], [f"{base_url}/"], USERS)


@pytest.fixture
def standin() -> Iterator[OidcStandIn]:
    with new_standin() as running:
        yield running


@pytest.fixture
def app(standin: OidcStandIn) -> Flask:
    return create_app(settings_env(standin.endpoint))


def app_state(app: Flask) -> AppState:
    state: AppState = app.extensions[EXTENSION_KEY]
    return state


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def authorize_at_standin(authorization_url: str, login_hint: str) -> str:
    """Visits the stand-in's authorization endpoint as `login_hint`; returns the callback URL it redirects to."""
    parts = urlsplit(authorization_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}&login_hint={login_hint}")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 302, f"authorization refused: {response.status}"
    return response.getheader("Location", "")


def free_port() -> int:
    """A loopback port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_in(page: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_FIELD.search(page)
    assert match, f"no form with a CSRF token on the page: {page[:500]}"
    return match.group(1)


@dataclass
class HttpClient:
    """A browser over real HTTP: keeps cookies, follows no redirect; each call -> (status, Location, body)."""

    opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
    )

    def get(self, url: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(url))  # noqa: S310 (the test's own loopback servers)

    def post(self, url: str, form: dict[str, str]) -> tuple[int, str, str]:
        request = urllib.request.Request(url, data=urlencode(form).encode(), method="POST")  # noqa: S310 (loopback)
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()


def sign_in_over_http(base_url: str, login_hint: str) -> str:
    """A whole sign-in against a served app and the stand-in, pressing the page's button; returns the home page."""
    client = HttpClient()
    status, _, page = client.get(f"{base_url}/")
    assert status == 200
    status, authorization_url, _ = client.post(f"{base_url}/sign-in", {"csrf_token": csrf_token_in(page)})
    assert status == 303
    callback_url = authorize_at_standin(authorization_url, login_hint)
    assert client.get(callback_url)[:2] == (302, f"{base_url}/")
    status, _, page = client.get(f"{base_url}/")
    assert status == 200
    return page


@dataclass
class Browser:
    """One user's browser: its own cookie jar (a Flask test client) that follows the sign-in redirects."""

    client: FlaskClient
    standin: OidcStandIn
    base_url: str = BASE_URL

    def csrf_token(self, path: str = "/") -> str:
        """The CSRF token of the form on the page at `path`, as a browser showing it has it."""
        return csrf_token_in(self.client.get(path).get_data(as_text=True))

    def start_sign_in(self, interaction_mode: str | None = None) -> str:
        """Presses a sign-in button (POST /sign-in); returns the Logto authorization URL it redirects to."""
        form = {"csrf_token": self.csrf_token()} | ({"interactionMode": interaction_mode} if interaction_mode else {})
        response = self.client.post("/sign-in", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)
        return response.location

    def sign_out(self) -> TestResponse:
        """Presses the Sign out button (POST /sign-out with the page's CSRF token)."""
        return self.client.post("/sign-out", data={"csrf_token": self.csrf_token()})

    def authorize(self, authorization_url: str, login_hint: str) -> str:
        return authorize_at_standin(authorization_url, login_hint)

    def follow_callback(self, callback_url: str) -> TestResponse:
        # The callback URL is public (BASE_URL-based); the app sees the path the proxy forwards.
        assert callback_url.startswith(f"{self.base_url}/callback"), callback_url
        return self.client.get(callback_url[len(self.base_url) :])

    def sign_in(self, login_hint: str, interaction_mode: str | None = None) -> TestResponse:
        return self.follow_callback(self.authorize(self.start_sign_in(interaction_mode), login_hint))

    def home(self) -> str:
        response = self.client.get("/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def session_id(self) -> str | None:
        with self.client.session_transaction() as session:
            return session.get(SESSION_ID_KEY)


@pytest.fixture
def browser(app: Flask, standin: OidcStandIn) -> Browser:
    return Browser(app.test_client(), standin)


@pytest.fixture
def second_browser(app: Flask, standin: OidcStandIn) -> Browser:
    return Browser(app.test_client(), standin)
