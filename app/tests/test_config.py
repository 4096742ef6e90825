"""Settings from the environment: fail fast, with one message naming every problem and its fix."""

from __future__ import annotations

import pytest

from conftest import settings_env
from sample_app import ConfigError, create_app
from sample_app.settings import load_settings

VARIABLES = ["LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET", "BASE_URL", "SECRET_KEY"]


def config_error(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ)
    return str(raised.value)


def test_an_empty_environment_names_every_variable_with_a_fix() -> None:
    message = config_error({})

    for name in VARIABLES:
        assert f"{name} is not set: set it to" in message
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in message


def test_create_app_reads_os_environ_and_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOGTO_APP_ID", "from-the-environment")

    with pytest.raises(ConfigError) as raised:
        create_app()

    message = str(raised.value)
    assert "LOGTO_APP_ID" not in message
    assert all(f"{name} is not set" in message for name in VARIABLES if name != "LOGTO_APP_ID")


def test_blank_values_count_as_missing() -> None:
    message = config_error(settings_env("https://logto.example.test") | {"LOGTO_APP_ID": "  "})

    assert message.count("\n  - ") == 1
    assert "LOGTO_APP_ID is not set" in message


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("LOGTO_ENDPOINT", "logto.example.test", "is not an absolute http(s) URL"),
        ("LOGTO_ENDPOINT", "ftp://logto.example.test", "is not an absolute http(s) URL"),
        ("BASE_URL", "https://app.example.test/?next=1", "must not have a query string or fragment"),
        ("BASE_URL", "https://user:pw@app.example.test", "must not contain credentials"),
    ],
)
def test_urls_must_be_plain_absolute_http_urls(name: str, value: str, problem: str) -> None:
    message = config_error(settings_env("https://logto.example.test") | {name: value})

    assert f"{name}={value!r} {problem}" in message


def test_a_short_secret_key_is_refused_without_being_echoed() -> None:
    message = config_error(settings_env("https://logto.example.test") | {"SECRET_KEY": "dev-secret"})

    assert "SECRET_KEY is too short (10 characters)" in message
    assert "dev-secret" not in message


def test_credentials_with_stray_whitespace_are_refused_without_being_echoed() -> None:
    message = config_error(settings_env("https://logto.example.test") | {"LOGTO_APP_SECRET": "s3cr3t-value\n"})

    assert "LOGTO_APP_SECRET has leading or trailing whitespace" in message
    assert "s3cr3t-value" not in message


def test_every_problem_is_reported_at_once() -> None:
    message = config_error({"LOGTO_ENDPOINT": "nope", "SECRET_KEY": "short"})

    assert message.count("\n  - ") == 5


def test_valid_settings_derive_the_callback_and_home_urls_from_base_url() -> None:
    env = settings_env("https://logto.example.test/") | {"BASE_URL": "https://app.example.test/sample/"}

    settings = load_settings(env)

    assert settings.logto_endpoint == "https://logto.example.test"
    assert settings.callback_url == "https://app.example.test/sample/callback"
    assert settings.home_url == "https://app.example.test/sample/"
    assert env["LOGTO_APP_SECRET"] not in repr(settings)
    assert env["SECRET_KEY"] not in repr(settings)


def test_secrets_can_come_from_files_named_by_the_file_variables(tmp_path) -> None:
    env = settings_env("https://logto.example.test")
    (tmp_path / "app_secret").write_text(env.pop("LOGTO_APP_SECRET") + "\n", encoding="utf-8")
    (tmp_path / "secret_key").write_text(env.pop("SECRET_KEY"), encoding="utf-8")
    expected_secret = (tmp_path / "app_secret").read_text(encoding="utf-8").rstrip("\n")

    settings = load_settings(
        env | {"LOGTO_APP_SECRET_FILE": str(tmp_path / "app_secret"), "SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    )

    assert settings.logto_app_secret == expected_secret
    assert settings.secret_key == (tmp_path / "secret_key").read_text(encoding="utf-8")


def test_secret_files_that_are_missing_empty_or_doubled_are_refused_without_echoing_secrets(tmp_path) -> None:
    env = settings_env("https://logto.example.test")
    (tmp_path / "empty").write_text("\n", encoding="utf-8")

    without_values = {name: value for name, value in env.items() if name not in ("LOGTO_APP_SECRET", "SECRET_KEY")}
    message = config_error(
        without_values
        | {"LOGTO_APP_SECRET_FILE": str(tmp_path / "missing"), "SECRET_KEY_FILE": str(tmp_path / "empty")}
    )
    assert f"LOGTO_APP_SECRET_FILE={str(tmp_path / 'missing')!r} cannot be read (No such file or directory)" in message
    assert f"SECRET_KEY_FILE={str(tmp_path / 'empty')!r} names an empty file" in message

    both = config_error(env | {"LOGTO_APP_SECRET_FILE": str(tmp_path / "empty")})
    assert "LOGTO_APP_SECRET and LOGTO_APP_SECRET_FILE are both set: set only one of them" in both
    assert env["LOGTO_APP_SECRET"] not in both
