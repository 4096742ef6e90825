"""A local stand-in for Logto's OIDC endpoints, on 127.0.0.1, so the SDK's real HTTP code runs in tests.

It serves what the logto SDK reads (discovery at {endpoint}/oidc/.well-known/openid-configuration, the JWKS,
the token endpoint) and what a browser visits (authorization and end-session endpoints), with Logto's paths.
It checks what Logto checks: registered redirect URIs, client credentials, single-use codes bound to the
redirect URI, and PKCE (S256). The ID tokens are RS256 JWTs signed with the key its JWKS publishes.
There is no login page: the test picks the user with the OIDC `login_hint` parameter.

Organizations as Logto serves them (packages/core/src/oidc/scope.ts, grants/refresh-token.ts): a user's
`organizations` / `organization_roles` claims go in the ID token and userinfo, `organization_data` only in
userinfo (`/oidc/me`, with the access token of the code exchange); the refresh grant with `organization_id`
gives a member an organization token (a JWT, `aud` urn:logto:organization:<id>) whose `scope` is the
organization scopes the sign-in asked for that the user's roles there give (`organization_scopes`), and
refuses a non-member with `access_denied`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@lru_cache(maxsize=2)
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per name for the whole test run (generating one takes a noticeable moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    user: dict[str, Any]
    expires_at: float
    scope: str = ""


# What a user entry holds beside its claims: never put in a token as is.
_USERINFO_ONLY = ("organization_data",)
_NOT_CLAIMS = ("organization_scopes",)


@dataclass
class OidcStandIn:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    users: dict[str, dict[str, Any]]
    # Knobs for negative tests: claims merged into every ID token, and the key that signs it.
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    signing_key_name: str = "standin"
    # What the stand-in saw, for assertions.
    requests: list[str] = field(default_factory=list)
    authorization_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued_id_tokens: list[str] = field(default_factory=list)
    userinfo_requests: list[str] = field(default_factory=list)
    # Knobs: userinfo answers this status instead of the claims; organization tokens are opaque (an
    # authorization server that ignores `organization_id`).
    userinfo_status: int = 200
    opaque_organization_tokens: bool = False
    kid: str = "standin-key"

    def __post_init__(self) -> None:
        self._grants: dict[str, _Grant] = {}
        # Access and refresh tokens issued, by value: the grant they came from.
        self._access_tokens: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = f"{self.endpoint}/oidc"
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> OidcStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/me",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def jwks(self) -> dict[str, Any]:
        public_jwk = json.loads(RSAAlgorithm.to_jwk(rsa_key("standin").public_key()))
        return {"keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """The authorization endpoint: signs in `login_hint` at once and redirects with a code."""
        self.authorization_requests.append(query)
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, {"error": "invalid_client"}
        if redirect_uri not in self.redirect_uris:
            return 400, {}, {"error": "invalid_redirect_uri"}
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, {"error": "invalid_request"}
        if "openid" not in query.get("scope", "").split():
            return 400, {}, {"error": "invalid_scope"}
        user = self.users.get(query.get("login_hint", ""))
        if user is None:
            return _redirect(redirect_uri, {"error": "access_denied", "state": query.get("state", "")})
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                self.client_id,
                redirect_uri,
                query.get("code_challenge", ""),
                user,
                time.time() + 60,
                query.get("scope", ""),
            )
        return _redirect(redirect_uri, {"code": code, "state": query.get("state", ""), "iss": self.issuer})

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        self.token_requests.append(form)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {}, {"error": "invalid_client", "error_description": "client authentication failed"}
        if form.get("grant_type") == "refresh_token":
            return self._refresh(form)
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or grant.expires_at < time.time()
            or grant.redirect_uri != form.get("redirect_uri")
            or grant.code_challenge != challenge
        ):
            return 400, {}, {"error": "invalid_grant", "error_description": "grant request is invalid"}
        id_token = self._id_token(grant.user)
        self.issued_id_tokens.append(id_token)
        access_token, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = grant
            self._refresh_tokens[refresh_token] = grant
        return (
            200,
            {},
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": refresh_token,
                "id_token": id_token,
                "scope": "openid offline_access profile email",
            },
        )

    def _refresh(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """The refresh grant, for organization tokens only (`organization_id`), rotating the refresh token."""
        with self._lock:
            grant = self._refresh_tokens.pop(form.get("refresh_token", ""), None)
        if grant is None:
            return 400, {}, {"error": "invalid_grant", "error_description": "grant request is invalid"}
        new_refresh_token = secrets.token_urlsafe(32)
        with self._lock:
            self._refresh_tokens[new_refresh_token] = grant
        organization_id = form.get("organization_id", "")
        if organization_id not in grant.user.get("organizations", []):
            # 403, as the real Logto answered (test/logto-contract/sign-in/sso-jit-sign-in.json).
            return 403, {}, {"error": "access_denied", "error_description": "user is not a member of the organization"}
        asked = set(grant.scope.split())
        given = grant.user.get("organization_scopes", {}).get(organization_id, [])
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant.user["sub"],
            "aud": f"urn:logto:organization:{organization_id}",
            "iat": now,
            "exp": now + 3600,
            "scope": " ".join(scope for scope in given if scope in asked),
            "client_id": self.client_id,
        }
        token = (
            secrets.token_urlsafe(32)
            if self.opaque_organization_tokens
            else jwt.encode(claims, rsa_key("standin"), algorithm="RS256", headers={"kid": self.kid})
        )
        return (
            200,
            {},
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": new_refresh_token,
                "scope": claims["scope"],
            },
        )

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        self.userinfo_requests.append(authorization)
        with self._lock:
            grant = self._access_tokens.get(authorization.removeprefix("Bearer "))
        if grant is None:
            return 401, {}, {"error": "invalid_token"}
        if self.userinfo_status != 200:
            return self.userinfo_status, {}, {"error": "server_error"}
        return 200, {}, {key: value for key, value in grant.user.items() if key not in _NOT_CLAIMS}

    def end_session(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        target = query.get("post_logout_redirect_uri", "")
        if query.get("client_id") != self.client_id or target not in self.post_logout_redirect_uris:
            return 400, {}, {"error": "invalid_request"}
        return 302, {"Location": target}, None

    def _id_token(self, user: dict[str, Any]) -> str:
        now = int(time.time())
        in_token = {key: value for key, value in user.items() if key not in _USERINFO_ONLY + _NOT_CLAIMS}
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 3600, **in_token}
        claims.update(self.id_token_overrides)
        return jwt.encode(claims, rsa_key(self.signing_key_name), algorithm="RS256", headers={"kid": self.kid})


def _redirect(target: str, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    separator = "&" if urlsplit(target).query else "?"
    return 302, {"Location": f"{target}{separator}{urlencode(params)}"}, None


def _handler_for(standin: OidcStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            standin.requests.append(f"GET {parts.path}")
            query = dict(parse_qsl(parts.query))
            routes: dict[str, Callable[[], tuple[int, dict[str, str], Any]]] = {
                "/oidc/.well-known/openid-configuration": lambda: (200, {}, standin.discovery()),
                "/oidc/jwks": lambda: (200, {}, standin.jwks()),
                "/oidc/auth": lambda: standin.authorize(query),
                "/oidc/session/end": lambda: standin.end_session(query),
                "/oidc/me": lambda: standin.userinfo(self.headers.get("Authorization", "")),
            }
            route = routes.get(parts.path)
            self._answer(*(route() if route else (404, {}, {"error": "not_found"})))

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            standin.requests.append(f"POST {parts.path}")
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if parts.path == "/oidc/token":
                self._answer(*standin.token(dict(parse_qsl(body))))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass  # Keep test output quiet; `standin.requests` records the traffic.

    return Handler
