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


def locked_requirements(name: str) -> dict[str, list[str]]:
    """A pip-compile lock: {"name==version": [its sha256 hashes]}."""
    locked: dict[str, list[str]] = {}
    pin = ""
    for line in (APP_DIR / name).read_text().splitlines():
        # A pin may name extras (cachecontrol[filecache]==…): pip --require-hashes needs them in the lock.
        if match := re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[A-Za-z0-9_,-]+\])?(==[0-9][0-9A-Za-z.]*) \\", line):
            pin = match.group(1) + match.group(2)
            locked[pin] = []
        elif match := re.fullmatch(r"\s+--hash=sha256:([0-9a-f]{64})( \\)?", line):
            locked[pin].append(match.group(1))
        else:
            assert line.startswith(("#", "    #")) or not line.strip(), f"{name}: unexpected line {line!r}"
    return locked


def requirement_lines(name: str) -> list[str]:
    """The pins of a lock, name==version."""
    return list(locked_requirements(name))


@pytest.mark.parametrize("file_name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_locked_with_hashes_and_installed_at_those_versions(file_name: str) -> None:
    locked = locked_requirements(file_name)
    assert len(locked) > 10
    for pin, hashes in locked.items():
        assert hashes, f"{file_name}: {pin} has no hash, so pip --require-hashes would refuse it"
        name, pinned = pin.split("==")
        assert version(name) == pinned, pin


def test_every_direct_requirement_is_pinned_and_in_the_lock() -> None:
    locked = {pin.lower() for pin in locked_requirements("requirements.txt")}
    direct = [line for line in (APP_DIR / "requirements.in").read_text().splitlines() if line and line[0] != "#"]
    assert len(direct) == 4
    for line in direct:
        name, pinned = re.sub(r"\[[a-z,]+\]", "", line).split("==")
        assert f"{name.lower()}=={pinned}" in locked, line


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
