"""The home page (signed-in state, organizations and roles), an organization's token, and the health check."""

from __future__ import annotations

import jwt
from flask import Blueprint, abort, jsonify, render_template, session
from logto.OidcCore import OidcCore
from pydantic import ValidationError
from werkzeug.wrappers import Response

from .logto_client import LogtoRejected
from .state import SESSION_ID_KEY, app_state

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    state = app_state()
    claims = state.signed_in_claims()
    organizations = state.memberships(claims) if claims else []
    return render_template("index.html", claims=claims, organizations=organizations)


@bp.get("/organizations/<organization_id>")
async def organization(organization_id: str) -> str:
    """The scopes of an organization token for one of the user's organizations (refresh grant, Logto RFC 0001)."""
    state = app_state()
    claims = state.signed_in_claims()
    if claims is None:
        abort(401, description="Sign in first: organization tokens are issued to signed-in users.")
    membership = next((m for m in state.memberships(claims) if m.organization_id == organization_id), None)
    if membership is None:
        abort(404, description="You are not a member of this organization (according to your ID token).")
    client = state.client(session[SESSION_ID_KEY])
    token = await state.call(client.getOrganizationToken(organization_id))
    if token is None:
        raise LogtoRejected("this session has no refresh token, so no organization token can be asked for")
    # Read, not verified: the token is for Logto's APIs and the page only shows what it grants.
    try:
        scopes = sorted(OidcCore.decodeAccessToken(token).scope.split())
    except (jwt.PyJWTError, ValidationError) as error:
        raise LogtoRejected(
            f"Logto answered with an access token that is not an organization token: {error}"
        ) from error
    return render_template("organization.html", membership=membership, scopes=scopes)


@bp.get("/healthz")
def healthz() -> Response:
    # Liveness only: no outbound call, so an unreachable Logto does not restart the container.
    return jsonify(status="ok")
