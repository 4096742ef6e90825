"""The home page (signed-in state) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, session
from werkzeug.wrappers import Response

from .state import SESSION_ID_KEY, app_state

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    session_id = session.get(SESSION_ID_KEY)
    claims = None
    if session_id:
        client = app_state().client(session_id)
        # The ID token was verified (signature, issuer, audience) when the callback stored it.
        claims = client.getIdTokenClaims() if client.isAuthenticated() else None
    return render_template("index.html", claims=claims)


@bp.get("/healthz")
def healthz() -> Response:
    # Liveness only: no outbound call, so an unreachable Logto does not restart the container.
    return jsonify(status="ok")
