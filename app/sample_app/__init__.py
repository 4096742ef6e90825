"""Flask sample app that signs users in through Logto (an app factory, as in the Flask tutorial)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import auth, pages
from .logto_client import LogtoRejected, LogtoUnavailable, ProviderMetadata, logto_config
from .settings import ConfigError, Settings, load_settings
from .state import EXTENSION_KEY, AppState
from .token_store import TokenStore

__all__ = ["ConfigError", "create_app"]

# Bounds of the in-process token store (see token_store.py): about 5 KB of tokens per signed-in session.
MAX_SESSIONS = 5000
IDLE_TIMEOUT_SECONDS = 8 * 60 * 60
# The app's forms carry a token and a mode; anything bigger is refused before it is parsed (nothing spills
# into temporary files, and the container's root file system is read-only).
MAX_REQUEST_BODY_BYTES = 16 * 1024


def create_app(test_config: Mapping[str, str] | None = None) -> Flask:
    """Builds the app; `test_config`, when given, replaces os.environ as the source of the settings.

    Raises ConfigError, naming every missing or invalid variable, before anything else is set up.
    """
    settings = load_settings(os.environ if test_config is None else test_config)
    https = settings.base_url.startswith("https://")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Over https the __Host- prefix makes browsers refuse the cookie unless it is Secure, for the whole
        # host (Path=/) and set by this host itself (no Domain): no sibling subdomain can plant or override it.
        SESSION_COOKIE_NAME="__Host-session" if https else "session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_PATH="/",
        # Lax still sends the cookie on the top-level redirect back from Logto to /callback.
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BODY_BYTES,
        # A CSRF token is good for as long as its browser session: a sign-out button left open for hours works.
        WTF_CSRF_TIME_LIMIT=None,
    )
    CSRFProtect(app)
    app.extensions[EXTENSION_KEY] = AppState(
        settings=settings,
        store=TokenStore(MAX_SESSIONS, IDLE_TIMEOUT_SECONDS),
        metadata=ProviderMetadata(settings.logto_endpoint),
        logto_config=logto_config(settings),
    )
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    _register_page_helpers(app, settings)
    return app


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries."""
    logto = urlsplit(settings.logto_endpoint)
    policy = [
        # No script at all; styles only from the app's own style sheet.
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        # The sign-in and sign-out forms post here and are redirected on to Logto.
        f"form-action 'self' {logto.scheme}://{logto.netloc}",
        "frame-ancestors 'none'",
    ]
    headers = {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        # The full URL only to this origin (which CSRFProtect's https referrer check needs), nothing to Logto.
        "Referrer-Policy": "same-origin",
        # For browsers without CSP's frame-ancestors.
        "X-Frame-Options": "DENY",
        # Pages show who is signed in; no shared cache may keep them.
        "Cache-Control": "no-store",
    }
    if settings.base_url.startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def _register_page_helpers(app: Flask, settings: Settings) -> None:
    headers = security_headers(settings)

    @app.context_processor
    def base_url() -> dict[str, str]:
        return {"base_url": settings.base_url}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            # setdefault: static files keep their own Cache-Control.
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> tuple[str, int]:
        detail = f"{error.description} Nothing was changed: go back, reload the page and use its button again."
        return render_template("error.html", title="The form was not accepted", detail=detail), 400

    @app.errorhandler(LogtoRejected)
    def logto_rejected(error: LogtoRejected) -> tuple[str, int]:
        app.logger.warning("Logto request refused: %s", error)
        return render_template("error.html", title="Sign-in could not be completed", detail=str(error)), 400

    @app.errorhandler(LogtoUnavailable)
    def logto_unavailable(error: LogtoUnavailable) -> tuple[str, int]:
        app.logger.error("Logto unavailable: %s", error)
        return render_template("error.html", title="Logto is unavailable", detail=str(error)), 502

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", title=error.name, detail=error.description), error.code or 500
