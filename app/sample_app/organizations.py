"""The signed-in user's organizations and roles, from the ID token, and their names, from userinfo.

The ID token (verified at the callback) says which organizations the user belongs to (`organizations`) and
the roles in each (`organization_roles`, "<organization id>:<role name>"): Logto puts both there for the
`urn:logto:scope:organizations` and `urn:logto:scope:organization_roles` scopes. Names are only in
userinfo's `organization_data`, which the SDK's `fetchUserInfo()` (logto 0.2.1) drops, so the app reads
userinfo itself, once, at the callback, with the SDK's access token, and keeps the names beside the tokens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp
from logto import LogtoClient
from logto.OidcCore import IdTokenClaims

# The TokenStore key of the organization names (next to the SDK's own keys; not a token).
ORGANIZATION_NAMES_KEY = "organizationNames"


@dataclass(frozen=True)
class Membership:
    organization_id: str
    name: str | None
    roles: tuple[str, ...]


def memberships(claims: IdTokenClaims, names: dict[str, str]) -> list[Membership]:
    """One entry per organization of the ID token, with the user's roles there, by name."""
    roles: dict[str, list[str]] = {}
    for entry in claims.organization_roles or []:
        organization_id, _, role = entry.partition(":")
        roles.setdefault(organization_id, []).append(role)
    return [
        Membership(organization_id, names.get(organization_id), tuple(sorted(roles.get(organization_id, []))))
        for organization_id in claims.organizations or []
    ]


async def fetch_organization_names(client: LogtoClient) -> dict[str, str]:
    """Organization id -> name, from userinfo's `organization_data`; empty when it has none."""
    access_token = await client.getAccessToken()
    userinfo_endpoint = (await client.getOidcCore()).metadata.userinfo_endpoint
    async with (
        aiohttp.ClientSession() as http,
        http.get(userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}) as response,
    ):
        response.raise_for_status()
        userinfo = await response.json()
    data = userinfo.get("organization_data") if isinstance(userinfo, dict) else None
    return {
        str(item["id"]): str(item["name"])
        for item in data or []
        if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str)
    }


def encode_names(names: dict[str, str]) -> str:
    return json.dumps(names, separators=(",", ":"))


def decode_names(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    parsed = json.loads(value)
    return {str(key): str(name) for key, name in parsed.items()} if isinstance(parsed, dict) else {}
