"""The image recipe (no Docker engine here, so the Dockerfile is parsed) and the exact server command it
runs: gunicorn with gunicorn.conf.py, started here as the container would start it, then probed with the
Dockerfile's own HEALTHCHECK command."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import authorize_at_standin, new_standin, settings_env

APP_DIR = Path(__file__).resolve().parents[1]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical_lines: list[str] = []
    pending = ""
    for line in (APP_DIR / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        logical_lines.append(pending.strip())
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical_lines]


def instruction(name: str) -> list[str]:
    return [arguments for found, arguments in dockerfile_instructions() if found == name]


def exec_form(name: str) -> list[str]:
    """The JSON (exec) form of the last NAME instruction, after any options such as --interval=30s."""
    arguments = instruction(name)[-1]
    argv: list[str] = json.loads(arguments[arguments.index("[") :])
    return argv


def healthcheck_argv() -> list[str]:
    return exec_form("HEALTHCHECK")


def test_base_image_is_a_pinned_python_3_11_slim() -> None:
    (base,) = instruction("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?", base), base


def test_the_server_runs_as_a_non_root_user() -> None:
    users = instruction("USER")
    assert users, "no USER instruction: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    names = [name for name, _ in dockerfile_instructions()]
    last = {name: index for index, name in enumerate(names)}
    assert last["USER"] > last["RUN"], "USER must come after the installs, which need root"


def test_the_port_gunicorn_binds_is_exposed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    assert instruction("EXPOSE") == ["8000"]
    assert "PORT=8000" in " ".join(instruction("ENV"))
    assert runpy.run_path(str(APP_DIR / "gunicorn.conf.py"))["bind"] == ["0.0.0.0:8000"]


def test_the_healthcheck_uses_python_against_healthz() -> None:
    argv = healthcheck_argv()
    assert argv[:2] == ["python", "-c"]
    assert "/healthz" in argv[2] and "127.0.0.1" in argv[2]
    assert "--timeout=" in instruction("HEALTHCHECK")[-1]


def test_cmd_starts_gunicorn_with_its_config() -> None:
    assert exec_form("CMD") == ["gunicorn", "--config", "gunicorn.conf.py", "sample_app.wsgi:app"]


def test_the_image_installs_the_pinned_requirements_and_copies_what_cmd_needs() -> None:
    assert any("pip install" in run and "-r requirements.txt" in run for run in instruction("RUN"))
    copied = [arguments.split()[0] for arguments in instruction("COPY")]
    assert copied == ["requirements.txt", "gunicorn.conf.py", "sample_app/"]
    assert all((APP_DIR / source).exists() for source in copied)
    ignored = (APP_DIR / ".dockerignore").read_text().split()
    assert {".venv/", "tests/"} <= set(ignored)


def requirement_lines(name: str) -> list[str]:
    lines = (APP_DIR / name).read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("file_name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned_and_installed_at_those_versions(file_name: str) -> None:
    for line in requirement_lines(file_name):
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[a-z,]+\])?==([0-9][0-9A-Za-z.]*)", line)
        assert match, f"{file_name}: {line!r} is not pinned as name==version"
        assert version(match.group(1)) == match.group(3), line


def test_gunicorn_runs_one_worker_and_keeps_query_strings_out_of_the_access_log() -> None:
    config = runpy.run_path(str(APP_DIR / "gunicorn.conf.py"))
    assert config["workers"] == 1  # The token store is in-process.
    assert config["threads"] > 1
    assert config["preload_app"] is True
    assert not {"%(r)s", "%(q)s", "%(f)s"} & set(re.findall(r"%\(\w+\)s", config["access_log_format"]))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def container_command(port: int) -> list[str]:
    """The Dockerfile's CMD, with this venv's gunicorn, bound to loopback (tests never listen elsewhere)."""
    program, *arguments = exec_form("CMD")
    assert program == "gunicorn"
    return [sys.executable, "-m", "gunicorn", *arguments, "--bind", f"127.0.0.1:{port}"]


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    program, *arguments = healthcheck_argv()
    assert program == "python"
    return subprocess.run(
        [sys.executable, *arguments], env={**os.environ, "PORT": str(port)}, capture_output=True, text=True, timeout=15
    )


@pytest.fixture
def served_app() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The container command, serving on loopback against a stand-in; yields (BASE_URL, server process)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with new_standin(base_url) as standin:
        env = {**os.environ, **settings_env(standin.endpoint, base_url=base_url), "PORT": str(port)}
        server = subprocess.Popen(
            container_command(port), cwd=APP_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            deadline = time.monotonic() + 20
            while run_healthcheck(port).returncode != 0:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "gunicorn did not become healthy within 20 s"
                time.sleep(0.2)
            yield base_url, server
        finally:
            server.terminate()
            server.wait(timeout=15)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_gunicorn_serves_a_whole_sign_in_and_the_healthcheck_follows_it(
    served_app: tuple[str, subprocess.Popen[str]],
) -> None:
    base_url, server = served_app
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies), _NoRedirects())

    def get(url: str) -> tuple[int, str, str]:
        try:
            with opener.open(url, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    status, authorization_url, _ = get(f"{base_url}/sign-in")
    assert status == 302
    callback_url = authorize_at_standin(authorization_url, "alice")
    assert get(callback_url)[:2] == (302, f"{base_url}/")
    status, _, page = get(f"{base_url}/")
    assert status == 200 and "Alice Anderson" in page

    server.terminate()
    log = server.communicate(timeout=15)[0]
    assert "GET /callback HTTP/1.1" in log
    assert "code=" not in log and "state=" not in log
    port = int(base_url.rsplit(":", 1)[1])
    assert run_healthcheck(port).returncode != 0  # The same check reports a stopped server as unhealthy.


def test_gunicorn_refuses_to_start_without_configuration() -> None:
    env = {name: value for name, value in os.environ.items() if name not in settings_env("http://x")}

    started = time.monotonic()
    result = subprocess.run(
        container_command(free_port()), cwd=APP_DIR, env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    assert time.monotonic() - started < 15
    for name in settings_env("http://x"):
        assert f"{name} is not set" in result.stderr
    assert "Traceback" not in result.stderr
