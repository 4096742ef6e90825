"""Flask sample app that signs users in through Logto (an app factory, as in the Flask tutorial)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask, render_template
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


def create_app(test_config: Mapping[str, str] | None = None) -> Flask:
    """Builds the app; `test_config`, when given, replaces os.environ as the source of the settings.

    Raises ConfigError, naming every missing or invalid variable, before anything else is set up.
    """
    settings = load_settings(os.environ if test_config is None else test_config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        # Lax still sends the cookie on the top-level redirect back from Logto to /callback.
        SESSION_COOKIE_SAMESITE="Lax",
    )
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


def _register_page_helpers(app: Flask, settings: Settings) -> None:
    @app.context_processor
    def base_url() -> dict[str, str]:
        return {"base_url": settings.base_url}

    @app.after_request
    def no_store(response: Response) -> Response:
        # Pages show who is signed in; no shared cache may keep them.
        response.headers.setdefault("Cache-Control", "no-store")
        return response

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
