"""The home page (signed-in state) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from werkzeug.wrappers import Response

from .state import app_state

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", claims=app_state().signed_in_claims())


@bp.get("/healthz")
def healthz() -> Response:
    # Liveness only: no outbound call, so an unreachable Logto does not restart the container.
    return jsonify(status="ok")
