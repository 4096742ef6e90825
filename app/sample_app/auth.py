"""Sign-in, callback and sign-out routes (the Logto authorization code flow with PKCE, done by the SDK)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session
from werkzeug.wrappers import Response

from .logto_client import LogtoRejected
from .state import SESSION_ID_KEY, app_state, new_session_id

bp = Blueprint("auth", __name__)

INTERACTION_MODES = ("signIn", "signUp")


@bp.get("/sign-in")
async def sign_in() -> Response:
    interaction_mode = request.args.get("interactionMode")
    if interaction_mode is not None and interaction_mode not in INTERACTION_MODES:
        abort(400, description=f"interactionMode must be one of {', '.join(INTERACTION_MODES)}.")
    state = app_state()
    # A new sign-in starts from nothing: drop the previous user's tokens and use a new session id.
    previous_session_id = session.pop(SESSION_ID_KEY, None)
    if previous_session_id:
        state.store.discard(previous_session_id)
    session_id = session[SESSION_ID_KEY] = new_session_id()
    url = await state.call(state.client(session_id).signIn(state.settings.callback_url, interaction_mode))
    return redirect(url)


@bp.get("/callback")
async def callback() -> Response:
    state = app_state()
    session_id = session.get(SESSION_ID_KEY)
    if not session_id:
        raise LogtoRejected("this browser has no sign-in in progress (its session cookie is missing or expired)")
    # Rebuilt from BASE_URL: behind a proxy the request URL may carry another host or lack a path prefix.
    query = request.query_string.decode("ascii")
    callback_uri = f"{state.settings.callback_url}?{query}" if query else state.settings.callback_url
    await state.call(state.client(session_id).handleSignInCallback(callback_uri))
    # Signed in: re-key the session, so an id planted in the browser before sign-in (fixation) is worthless.
    signed_in_session_id = new_session_id()
    state.store.move(session_id, signed_in_session_id)
    session[SESSION_ID_KEY] = signed_in_session_id
    return redirect(state.settings.home_url)


@bp.get("/sign-out")
async def sign_out() -> Response:
    state = app_state()
    # Without a session there is nothing to drop locally, but the Logto session still has to end.
    session_id = session.pop(SESSION_ID_KEY, None) or new_session_id()
    session.clear()
    try:
        url = await state.call(state.client(session_id).signOut(state.settings.home_url))
    finally:
        state.store.discard(session_id)
    return redirect(url)
