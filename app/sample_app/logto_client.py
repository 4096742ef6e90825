"""The Logto SDK client the routes use: one per request, over that browser session's token storage.

The OIDC discovery document (and the JWKS cache that comes with it) is fetched once per process and shared,
instead of once per request. Every SDK call goes through `call_logto`, which bounds it in time and turns the
SDK's failures into two errors the routes can answer clearly: Logto unreachable (502) or Logto/token
rejected (400).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
import jwt
from logto import LogtoClient, LogtoConfig, LogtoException, Storage, UserInfoScope
from logto.OidcCore import OidcCore

from .settings import Settings

LOGTO_TIMEOUT_SECONDS = 15.0

T = TypeVar("T")


class LogtoUnavailable(Exception):
    """Logto could not be reached in time, or did not answer like an OIDC provider."""


class LogtoRejected(Exception):
    """Logto, or the ID token check, refused the request (bad state or code, wrong secret, bad token...)."""


class ProviderMetadata:
    """Logto's OIDC discovery document, fetched on first use and then shared by every request."""

    def __init__(self, logto_endpoint: str) -> None:
        # The SDK reads discovery from {endpoint}/oidc/.well-known/openid-configuration.
        self.discovery_url = f"{logto_endpoint}/oidc/.well-known/openid-configuration"
        self._lock = threading.Lock()
        self._core: OidcCore | None = None

    async def oidc_core(self) -> OidcCore:
        with self._lock:
            core = self._core
        if core is not None:
            return core
        try:
            metadata = await OidcCore.getProviderMetadata(self.discovery_url)
        except (aiohttp.ClientError, ValueError) as error:
            # ValueError covers a body that is not JSON or not a discovery document (e.g. a 404 page).
            raise LogtoUnavailable(
                f"Logto's OpenID configuration at {self.discovery_url} could not be read "
                f"({type(error).__name__}); check LOGTO_ENDPOINT"
            ) from error
        core = OidcCore(metadata)
        with self._lock:
            # Two first requests may race; keep one core so its JWKS cache is shared.
            if self._core is None:
                self._core = core
            return self._core


class SessionLogtoClient(LogtoClient):
    """LogtoClient that takes the OIDC core from the process-wide ProviderMetadata."""

    def __init__(self, config: LogtoConfig, storage: Storage, metadata: ProviderMetadata) -> None:
        super().__init__(config, storage)
        self._metadata = metadata

    async def getOidcCore(self) -> OidcCore:
        return await self._metadata.oidc_core()


def logto_config(settings: Settings) -> LogtoConfig:
    # The SDK always asks for openid, offline_access and profile; email lets "/" show the address; the two
    # organization scopes put `organizations` and `organization_roles` in the ID token (and make the SDK ask
    # for Logto's organizations resource, which organization tokens need).
    return LogtoConfig(
        endpoint=settings.logto_endpoint,
        appId=settings.logto_app_id,
        appSecret=settings.logto_app_secret,
        scopes=[
            UserInfoScope.email,
            UserInfoScope.organizations,
            UserInfoScope.organization_roles,
            *settings.organization_scopes,
        ],
    )


async def call_logto(call: Awaitable[T], endpoint: str) -> T:
    """Awaits an SDK call with a time limit, translating its failures into LogtoUnavailable/LogtoRejected."""
    try:
        return await asyncio.wait_for(call, LOGTO_TIMEOUT_SECONDS)
    except TimeoutError as error:
        raise LogtoUnavailable(f"Logto at {endpoint} did not answer within {LOGTO_TIMEOUT_SECONDS:g} s") from error
    except (aiohttp.ClientError, jwt.PyJWKClientConnectionError) as error:
        raise LogtoUnavailable(f"Logto at {endpoint} could not be reached ({type(error).__name__})") from error
    except LogtoException as error:
        raise LogtoRejected(str(error)) from error
    except jwt.PyJWTError as error:
        raise LogtoRejected(f"the ID token was refused: {error}") from error
