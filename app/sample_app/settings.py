"""Sample app settings, read from the environment and checked all at once.

The app refuses to start on any problem, and says in one message every variable that is missing or
invalid and how to fix it. Secret values are never echoed back.

LOGTO_APP_SECRET and SECRET_KEY may instead be given as files, by LOGTO_APP_SECRET_FILE and SECRET_KEY_FILE
(the convention of Docker secrets): a container's environment shows in `docker inspect`, its files do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_KEY_LENGTH = 32
# OIDC scopes the app asks for on its own (logto_client.py `logto_config`, the SDK's defaults).
_SDK_SCOPES = frozenset({"openid", "offline_access", "profile", "email"})

_HINTS = {
    "LOGTO_ENDPOINT": "set it to the Logto tenant's endpoint, e.g. https://your-tenant.logto.app",
    "LOGTO_APP_ID": "set it to the App ID of the Logto 'Traditional web' application",
    "LOGTO_APP_SECRET": "set it to an App secret of that Logto application",
    "BASE_URL": (
        "set it to the public URL users open this app at, e.g. https://app.example.com "
        "(BASE_URL/callback must be a redirect URI of the Logto application)"
    ),
    "LOGTO_ORGANIZATION_SCOPES": (
        "set it to the organization scopes (permissions) to ask for, separated by spaces, e.g. "
        '"read:reports manage:members", or leave it unset'
    ),
    "SECRET_KEY": (
        f"set it to a random string of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. the output of "
        'python -c "import secrets; print(secrets.token_hex(32))"'
    ),
}


class ConfigError(Exception):
    """The environment does not hold a usable configuration; the message lists every problem."""


@dataclass(frozen=True)
class Settings:
    logto_endpoint: str
    logto_app_id: str
    logto_app_secret: str = field(repr=False)
    base_url: str
    secret_key: str = field(repr=False)
    # Organization scopes asked for at sign-in, so organization tokens can carry them (Logto grants an
    # organization token only the scopes the sign-in asked for that the user's roles there give).
    organization_scopes: tuple[str, ...] = ()

    @property
    def callback_url(self) -> str:
        # BASE_URL, not the request's Host, so the URL is right behind a reverse proxy.
        return f"{self.base_url}/callback"

    @property
    def home_url(self) -> str:
        # Where users land after sign-in and after sign-out (Logto must list it as a post sign-out URI).
        return f"{self.base_url}/"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Reads and checks every variable, then raises one ConfigError naming all problems, if any."""
    problems: list[str] = []

    def required(name: str) -> str:
        value = environ.get(name, "")
        if not value.strip():
            problems.append(f"{name} is not set: {_HINTS[name]}")
        return value

    def url(name: str) -> str:
        value = required(name).strip()
        if value:
            problem = _url_problem(value)
            if problem:
                problems.append(f"{name}={value!r} {problem}: {_HINTS[name]}")
        return value.rstrip("/")

    def credential(name: str) -> str:
        value = required(name)
        if value.strip() and value != value.strip():
            problems.append(f"{name} has leading or trailing whitespace: remove it")
        return value

    def secret(name: str) -> str:
        """NAME, or the content of the file NAME_FILE names (one trailing line break ignored)."""
        file_variable = f"{name}_FILE"
        path = environ.get(file_variable, "")
        if not path:
            return credential(name)
        if environ.get(name, ""):
            problems.append(f"{name} and {file_variable} are both set: set only one of them")
            return ""
        try:
            value = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            problems.append(f"{file_variable}={path!r} cannot be read ({error.strerror}): {_HINTS[name]}, in that file")
            return ""
        value = value[:-2] if value.endswith("\r\n") else value[:-1] if value.endswith("\n") else value
        if not value.strip():
            problems.append(f"{file_variable}={path!r} names an empty file: {_HINTS[name]}, in that file")
        elif value != value.strip():
            problems.append(f"the file {file_variable} names has leading or trailing whitespace in {name}: remove it")
        return value

    logto_endpoint = url("LOGTO_ENDPOINT")
    logto_app_id = credential("LOGTO_APP_ID")
    logto_app_secret = secret("LOGTO_APP_SECRET")
    base_url = url("BASE_URL")
    secret_key = secret("SECRET_KEY")
    if secret_key.strip() and len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"SECRET_KEY is too short ({len(secret_key)} characters): {_HINTS['SECRET_KEY']}")

    organization_scopes = tuple(environ.get("LOGTO_ORGANIZATION_SCOPES", "").split())
    reserved = [scope for scope in organization_scopes if scope.startswith("urn:") or scope in _SDK_SCOPES]
    if reserved:
        problems.append(
            f"LOGTO_ORGANIZATION_SCOPES lists {', '.join(reserved)}, which the app asks for itself or which is not an "
            f"organization scope: {_HINTS['LOGTO_ORGANIZATION_SCOPES']}"
        )

    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ConfigError("The sample app cannot start; fix these environment variables and start it again:\n" + listed)
    return Settings(logto_endpoint, logto_app_id, logto_app_secret, base_url, secret_key, organization_scopes)


def _url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL"
    if parts.query or parts.fragment:
        return "must not have a query string or fragment"
    if parts.username or parts.password:
        return "must not contain credentials"
    return None
