"""The server process of the image without Docker: gunicorn with gunicorn.conf.py, as the image's CMD starts
it (test_container.py checks the image's CMD is this one), and the pinned requirements it runs on."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import free_port, new_standin, settings_env, sign_in_over_http

APP_DIR = Path(__file__).resolve().parents[1]
# The image's CMD.
SERVER_COMMAND = ["gunicorn", "--config", "gunicorn.conf.py", "sample_app.wsgi:app"]


def gunicorn_config(monkeypatch: pytest.MonkeyPatch, **environ: str) -> dict[str, object]:
    for name in ("PORT", "BIND_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(APP_DIR / "gunicorn.conf.py"))


def test_gunicorn_binds_all_interfaces_on_8000_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gunicorn_config(monkeypatch)["bind"] == ["0.0.0.0:8000"]
    # With host networking the stack sets both, so the app listens where bridge mode would publish it.
    assert gunicorn_config(monkeypatch, PORT="9000", BIND_ADDRESS="127.0.0.1")["bind"] == ["127.0.0.1:9000"]


def requirement_lines(name: str) -> list[str]:
    lines = (APP_DIR / name).read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("file_name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned_and_installed_at_those_versions(file_name: str) -> None:
    for line in requirement_lines(file_name):
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[a-z,]+\])?==([0-9][0-9A-Za-z.]*)", line)
        assert match, f"{file_name}: {line!r} is not pinned as name==version"
        assert version(match.group(1)) == match.group(3), line


def test_gunicorn_runs_one_worker_and_keeps_query_strings_out_of_the_access_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = gunicorn_config(monkeypatch)
    assert config["workers"] == 1  # The token store is in-process.
    assert isinstance(config["threads"], int) and config["threads"] > 1
    assert config["preload_app"] is True
    assert isinstance(config["access_log_format"], str)
    assert not {"%(r)s", "%(q)s", "%(f)s"} & set(re.findall(r"%\(\w+\)s", config["access_log_format"]))


def local_server_command(port: int) -> list[str]:
    """The image's CMD with this venv's gunicorn, bound to loopback (tests never listen elsewhere)."""
    program, *arguments = SERVER_COMMAND
    return [sys.executable, "-m", program, *arguments, "--bind", f"127.0.0.1:{port}"]


def answers_healthz(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310 (http on loopback)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def served_app() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The server command, serving on loopback against a stand-in; yields (BASE_URL, server process)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with new_standin(base_url) as standin:
        env = {**os.environ, **settings_env(standin.endpoint, base_url=base_url), "PORT": str(port)}
        server = subprocess.Popen(
            local_server_command(port),
            cwd=APP_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 20
            while not answers_healthz(base_url):
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 20 s"
                time.sleep(0.2)
            yield base_url, server
        finally:
            server.terminate()
            server.wait(timeout=15)


def test_gunicorn_serves_a_whole_sign_in_and_logs_no_authorization_code(
    served_app: tuple[str, subprocess.Popen[str]],
) -> None:
    base_url, server = served_app

    assert "Alice Anderson" in sign_in_over_http(base_url, "alice")

    server.terminate()
    log = server.communicate(timeout=15)[0]
    assert "GET /callback HTTP/1.1" in log
    assert "code=" not in log and "state=" not in log


def test_gunicorn_refuses_to_start_without_configuration() -> None:
    env = {name: value for name, value in os.environ.items() if name not in settings_env("http://x")}

    started = time.monotonic()
    result = subprocess.run(
        local_server_command(free_port()), cwd=APP_DIR, env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    assert time.monotonic() - started < 15
    for name in settings_env("http://x"):
        assert f"{name} is not set" in result.stderr
    assert "Traceback" not in result.stderr
