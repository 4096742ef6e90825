"""The Logto SDK's Storage for one browser: where each value the SDK keeps is held.

- The pending sign-in (the SDK's "signInSession": OAuth state, PKCE code verifier and redirect URI) lives in
  the browser's own session cookie, which Flask signs with SECRET_KEY, never on the server. Anonymous requests
  therefore cost the server no memory and can evict no one, and each browser has at most one pending sign-in
  (starting another replaces it). It is refused once older than PENDING_SIGN_IN_MAX_AGE_SECONDS. The cookie is
  signed, not encrypted: the browser can read its own state and verifier, which are worth nothing without the
  authorization code and the app secret.
- Tokens exist only once signed in, and live server-side in the TokenStore under the browser's session id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

from logto import Storage

from .token_store import TokenStore

# The SDK's storage key for the pending sign-in (logto/LogtoClient.py, _setSignInSession).
SIGN_IN_SESSION_KEY = "signInSession"
# Where the pending sign-in sits in the session cookie.
PENDING_SIGN_IN_COOKIE_KEY = "pending_sign_in"
# Logto's authorization codes live minutes; a sign-in left longer than this is started again.
PENDING_SIGN_IN_MAX_AGE_SECONDS = 15 * 60


class BrowserStorage(Storage):
    """Storage over one browser: its cookie session for the pending sign-in, the TokenStore for tokens.

    `session_id` is None before sign-in: token writes then have nowhere to go, and deletes do nothing.
    """

    def __init__(
        self,
        store: TokenStore,
        cookie: MutableMapping[str, Any],
        session_id: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._cookie = cookie
        self._session_id = session_id
        self._clock = clock

    def get(self, key: str) -> str | None:
        if key == SIGN_IN_SESSION_KEY:
            return self._pending_sign_in()
        return self._store.get(self._session_id, key) if self._session_id else None

    def set(self, key: str, value: str | None) -> None:
        if value is None:
            self.delete(key)
        elif key == SIGN_IN_SESSION_KEY:
            self._cookie[PENDING_SIGN_IN_COOKIE_KEY] = {"value": value, "started": int(self._clock())}
        elif self._session_id:
            self._store.set(self._session_id, key, value)
        else:
            raise RuntimeError(f"the Logto SDK stored {key!r} before sign-in completed")

    def delete(self, key: str) -> None:
        if key == SIGN_IN_SESSION_KEY:
            self._cookie.pop(PENDING_SIGN_IN_COOKIE_KEY, None)
        elif self._session_id:
            self._store.delete(self._session_id, key)

    def _pending_sign_in(self) -> str | None:
        pending = self._cookie.get(PENDING_SIGN_IN_COOKIE_KEY)
        if not isinstance(pending, dict) or not isinstance(pending.get("value"), str):
            return None
        started = pending.get("started")
        if not isinstance(started, int) or self._clock() - started > PENDING_SIGN_IN_MAX_AGE_SECONDS:
            return None
        return pending["value"]
