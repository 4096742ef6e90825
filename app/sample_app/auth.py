"""Sign-in, callback and sign-out routes (the Logto authorization code flow with PKCE, done by the SDK).

Starting a sign-in and signing out change state, so they are POSTs that carry the CSRF token (CSRFProtect
refuses them without it): no other site can sign a user out, or start a sign-in in their browser. A GET to
either shows a page with the button and changes nothing. The callback stays a GET (Logto redirects to it);
the OAuth state of the pending sign-in protects it.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response

from .logto_client import LogtoRejected, LogtoUnavailable
from .organizations import ORGANIZATION_NAMES_KEY, encode_names, fetch_organization_names
from .state import SESSION_ID_KEY, app_state, new_session_id
from .storage import PENDING_SIGN_IN_COOKIE_KEY

bp = Blueprint("auth", __name__)

INTERACTION_MODES = ("signIn", "signUp")


def _interaction_mode(value: str | None) -> str | None:
    if value is not None and value not in INTERACTION_MODES:
        abort(400, description=f"interactionMode must be one of {', '.join(INTERACTION_MODES)}.")
    return value


@bp.get("/sign-in")
def sign_in_page() -> str:
    interaction_mode = _interaction_mode(request.args.get("interactionMode"))
    return render_template("sign_in.html", claims=app_state().signed_in_claims(), interaction_mode=interaction_mode)


@bp.post("/sign-in")
async def sign_in() -> Response:
    interaction_mode = _interaction_mode(request.form.get("interactionMode"))
    state = app_state()
    # A new sign-in starts from nothing: the previous user's tokens are dropped.
    previous_session_id = session.pop(SESSION_ID_KEY, None)
    if previous_session_id:
        state.store.discard(previous_session_id)
    # No session id yet: the SDK's pending sign-in goes into this browser's cookie (storage.py).
    url = await state.call(state.client(None).signIn(state.settings.callback_url, interaction_mode))
    return redirect(url, 303)


@bp.get("/callback")
async def callback() -> Response:
    state = app_state()
    if PENDING_SIGN_IN_COOKIE_KEY not in session:
        raise LogtoRejected("this browser has no sign-in in progress (its session cookie is missing or expired)")
    # Rebuilt from BASE_URL: behind a proxy the request URL may carry another host or lack a path prefix.
    query = request.query_string.decode("ascii")
    callback_uri = f"{state.settings.callback_url}?{query}" if query else state.settings.callback_url
    # The tokens go under a session id made now: an id seen before sign-in (fixation) is worth nothing.
    session_id = new_session_id()
    client = state.client(session_id)
    try:
        await state.call(client.handleSignInCallback(callback_uri))
    except BaseException:
        state.store.discard(session_id)
        raise
    if client.getIdTokenClaims().organizations:
        # Names are shown where known; without them the page shows organization ids, so this never fails
        # the sign-in.
        try:
            names = await state.call(fetch_organization_names(client))
        except (LogtoUnavailable, LogtoRejected, ValueError) as error:
            current_app.logger.warning("Organization names could not be read from userinfo: %s", error)
        else:
            state.store.set(session_id, ORGANIZATION_NAMES_KEY, encode_names(names))
    # A fresh cookie session for the signed-in user (a new CSRF token too).
    session.clear()
    session[SESSION_ID_KEY] = session_id
    return redirect(state.settings.home_url)


@bp.get("/sign-out")
def sign_out_page() -> str:
    return render_template("sign_out.html", signed_in=app_state().signed_in_claims() is not None)


@bp.post("/sign-out")
async def sign_out() -> Response:
    state = app_state()
    # Without a session there is nothing to drop locally, but the Logto session still has to end.
    session_id = session.pop(SESSION_ID_KEY, None)
    session.clear()
    try:
        url = await state.call(state.client(session_id).signOut(state.settings.home_url))
    finally:
        if session_id:
            state.store.discard(session_id)
    return redirect(url, 303)
