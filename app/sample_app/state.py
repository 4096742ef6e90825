"""Per-app state shared by the routes: settings, the token store and the Logto client factory."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, session
from logto import LogtoConfig
from logto.OidcCore import IdTokenClaims

from .logto_client import ProviderMetadata, SessionLogtoClient, call_logto
from .organizations import ORGANIZATION_NAMES_KEY, Membership, decode_names, memberships
from .settings import Settings
from .storage import BrowserStorage
from .token_store import TokenStore

EXTENSION_KEY = "sample_app"
# The session cookie's key of this browser's entry in the TokenStore; set only once signed in.
SESSION_ID_KEY = "sid"

T = TypeVar("T")


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AppState:
    settings: Settings
    store: TokenStore
    metadata: ProviderMetadata
    logto_config: LogtoConfig

    def client(self, session_id: str | None) -> SessionLogtoClient:
        """The SDK client of the current request's browser; `session_id` None before sign-in."""
        return SessionLogtoClient(self.logto_config, BrowserStorage(self.store, session, session_id), self.metadata)

    def signed_in_claims(self) -> IdTokenClaims | None:
        """The ID token claims of the current browser's user, or None when it is not signed in."""
        session_id = session.get(SESSION_ID_KEY)
        if not session_id:
            return None
        client = self.client(session_id)
        # The ID token was verified (signature, issuer, audience) when the callback stored it.
        return client.getIdTokenClaims() if client.isAuthenticated() else None

    def memberships(self, claims: IdTokenClaims) -> list[Membership]:
        """The signed-in user's organizations (ID token) with their names (read from userinfo at sign-in)."""
        session_id = session.get(SESSION_ID_KEY)
        names = decode_names(self.store.get(session_id, ORGANIZATION_NAMES_KEY)) if session_id else {}
        return memberships(claims, names)

    async def call(self, call: Awaitable[T]) -> T:
        return await call_logto(call, self.settings.logto_endpoint)


def app_state() -> AppState:
    state: AppState = current_app.extensions[EXTENSION_KEY]
    return state
