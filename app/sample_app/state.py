"""Per-app state shared by the routes: settings, the token store and the Logto client factory."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app
from logto import LogtoConfig

from .logto_client import ProviderMetadata, SessionLogtoClient, call_logto
from .settings import Settings
from .token_store import SessionTokenStorage, TokenStore

EXTENSION_KEY = "sample_app"
# The only value kept in Flask's signed cookie: the key of this browser's entry in the TokenStore.
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

    def client(self, session_id: str) -> SessionLogtoClient:
        return SessionLogtoClient(self.logto_config, SessionTokenStorage(self.store, session_id), self.metadata)

    async def call(self, call: Awaitable[T]) -> T:
        return await call_logto(call, self.settings.logto_endpoint)


def app_state() -> AppState:
    state: AppState = current_app.extensions[EXTENSION_KEY]
    return state
