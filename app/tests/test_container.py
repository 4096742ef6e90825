"""The image itself: built from app/ by a real Docker engine (local/docker/docker-engine.sh starts one where the
machine has none, with its Python base image pinned by digest), run confined as the stack runs it (read-only
root file system, secrets as read-only files, no capabilities, no-new-privileges, memory and pids limits) with
host networking on a free loopback port, and used over HTTP as a browser would. Skipped, with the reason, only
where no engine can be started; with CI=true that is a failure.

Nothing here prints `docker inspect` of a container: its Config.Env holds the secrets in plain text. Only
single fields are read with --format, and the environment reaches `docker run` by name (`--env NAME`), so no
value is on a command line either."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_server import SERVER_COMMAND, requirement_lines

from conftest import APP_SECRET, HttpClient, free_port, new_standin, settings_env, sign_in_over_http

APP_DIR = Path(__file__).resolve().parents[1]
ENGINE_SCRIPT = APP_DIR.parent / "local" / "docker" / "docker-engine.sh"
IMAGE = "logto-entra-sso-sample:pytest"
# Docker's predefined build arguments: passed on by name where the machine needs a proxy for PyPI.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


@dataclass
class Docker:
    env: dict[str, str]

    def run(
        self, *arguments: str, timeout: float = 120, check: bool = True, values: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The docker CLI; `values` are environment values that `--env NAME` arguments pass on."""
        result = subprocess.run(
            ["docker", *arguments], env={**self.env, **(values or {})}, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"docker {arguments[0]} failed ({result.returncode}): {result.stderr.strip()[-3000:]}")
        return result

    def run_script(self, *arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
        """local/docker/docker-engine.sh with this engine's DOCKER_HOST."""
        result = subprocess.run(
            ["bash", str(ENGINE_SCRIPT), *arguments], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"docker-engine.sh {arguments[0]} failed: {result.stderr.strip()[-3000:]}"
        return result


@pytest.fixture(scope="session")
def docker() -> Iterator[Docker]:
    owner = str(os.getpid())
    # Reuses the engine of DOCKER_HOST (scripts/test.sh exports it), else starts one owned by this process.
    started = subprocess.run(
        ["bash", str(ENGINE_SCRIPT), "start", "--owner", owner], capture_output=True, text=True, timeout=1800
    )
    sys.stderr.write(started.stderr)
    host = started.stdout.strip()
    if started.returncode != 0 or not host:
        last_line = (started.stderr.strip().splitlines() or ["it printed nothing"])[-1]
        reason = f"no Docker engine could be started ({last_line})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the container tests")
        pytest.skip(reason)
    try:
        yield Docker({**os.environ, "DOCKER_HOST": host})
    finally:
        subprocess.run(["bash", str(ENGINE_SCRIPT), "stop", "--owner", owner], timeout=120, check=False)


@pytest.fixture(scope="session")
def base_image(docker: Docker) -> str:
    """The BASE_IMAGE to build with here: the Dockerfile's own, or the local stand-in, pinned by digest."""
    return docker.run_script("base-image", timeout=1800).stdout.strip()


@pytest.fixture(scope="session")
def image(docker: Docker, base_image: str) -> str:
    proxies = [f"--build-arg={name}" for name in PROXY_VARIABLES if os.environ.get(name)]
    # Host networking keeps the build's pip off any bridge.
    docker.run(
        "build", "--network", "host", *proxies, f"--build-arg=BASE_IMAGE={base_image}", "--tag", IMAGE, str(APP_DIR),
        timeout=1200,
    )  # fmt: skip
    return IMAGE


# How the stack confines the container (infra/sampleAppConfig.ts, sampleAppDefaults.confinement).
MEMORY_LIMIT_MB = 256
PIDS_LIMIT = 128
CONFINEMENT = [
    "--read-only",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges:true",
    f"--memory={MEMORY_LIMIT_MB}m",
    f"--memory-swap={MEMORY_LIMIT_MB}m",
    f"--pids-limit={PIDS_LIMIT}",
]
SECRETS_DIRECTORY = "/run/secrets"


@contextmanager
def serving(
    docker: Docker, image: str, settings: dict[str, str], port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The image running confined with `settings` on 127.0.0.1:port (host network) until healthy; yields its name.

    The two secrets are files on a read-only mount, as the stack gives them; the rest is the environment."""
    name = f"logto-entra-sso-pytest-{secrets.token_hex(4)}"
    files = tmp_path_factory.mktemp("secrets")
    files.chmod(0o755)
    values = {**settings, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1"}
    for variable in ("LOGTO_APP_SECRET", "SECRET_KEY"):
        (files / variable).write_text(values.pop(variable), encoding="utf-8")
        (files / variable).chmod(0o444)
        values[f"{variable}_FILE"] = f"{SECRETS_DIRECTORY}/{variable}"
    # The image's HEALTHCHECK command, checked every second instead of every 30 s.
    docker.run(
        "run", "--detach", "--name", name, "--network", "host", "--health-interval", "1s", *CONFINEMENT,
        f"--volume={files}:{SECRETS_DIRECTORY}:ro", *[f"--env={variable}" for variable in values], image,
        values=values,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while (
            state := docker.run(
                "inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", name
            ).stdout.split()
        ) != [
            "running",
            "healthy",
        ]:
            assert state[0] == "running", f"the container stopped: {docker.run('logs', name).stderr[-3000:]}"
            assert time.monotonic() < deadline, (
                f"not healthy within 60 s ({state}): {docker.run('logs', name).stderr[-3000:]}"
            )
            time.sleep(0.5)
        yield name
    finally:
        docker.run("rm", "--force", name, check=False)


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port` in this network namespace (the host's)."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, port_hex = local.split(":")
                if state == "0A" and int(port_hex, 16) == port:
                    addresses.add(address)
    return addresses


def test_the_container_answers_healthz_and_the_signed_out_page_on_loopback_only(
    docker: Docker, image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # A Logto nothing listens at: the signed-out page and /healthz must not need it.
    settings = settings_env(f"http://127.0.0.1:{free_port()}", base_url=base_url)
    with serving(docker, image, settings, port, tmp_path_factory) as name:
        client = HttpClient()
        status, _, body = client.get(f"{base_url}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _, page = client.get(f"{base_url}/")
        assert status == 200
        assert "Not signed in" in page and f'action="{base_url}/sign-in"' in page

        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        ids = docker.run("exec", name, "python", "-c", "import os; print(os.getuid(), os.getgid())").stdout.split()
        assert ids == ["10001", "10001"]


def test_a_whole_sign_in_through_the_confined_container_leaves_no_secret_in_its_log(
    docker: Docker, image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with new_standin(base_url) as standin:
        settings = settings_env(standin.endpoint, base_url=base_url)
        with serving(docker, image, settings, port, tmp_path_factory) as name:
            assert "Alice Anderson" in sign_in_over_http(base_url, "alice")
            log = docker.run("logs", name)
            usage = confined_usage(docker, name)
    output = log.stdout + log.stderr
    assert "GET /callback HTTP/1.1" in output
    assert "code=" not in output and "state=" not in output
    for secret in (APP_SECRET, settings["SECRET_KEY"]):
        assert secret not in output
    # What the app took of its limits after serving a sign-in: well inside them.
    sys.stderr.write(f"confined container after a sign-in: {usage}\n")
    assert usage["memory_mb"] < MEMORY_LIMIT_MB / 2
    assert usage["tasks"] < PIDS_LIMIT / 4


def confined_usage(docker: Docker, name: str) -> dict[str, float]:
    """Memory (MB, of the container's cgroup) and tasks (processes and threads) the running container uses."""
    stats = docker.run("stats", "--no-stream", "--format", "{{.MemUsage}}|{{.PIDs}}", name).stdout.strip()
    memory, tasks = stats.split("|")
    used = memory.split("/")[0].strip()
    factor = {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[used[-3:]]
    return {"memory_mb": round(float(used[:-3]) * factor, 1), "tasks": int(tasks)}


def test_the_confinement_holds_inside_the_running_container(
    docker: Docker, image: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    settings = settings_env(f"http://127.0.0.1:{free_port()}", base_url=f"http://127.0.0.1:{port}")
    with serving(docker, image, settings, port, tmp_path_factory) as name:
        host = json.loads(docker.run("inspect", "--format", "{{json .HostConfig}}", name).stdout)
        probe = docker.run(
            "exec", name, "python", "-c",
            "import pathlib, re\n"
            "status = pathlib.Path('/proc/1/status').read_text()\n"
            "print(re.search(r'CapEff:\\s+(\\w+)', status)[1], re.search(r'NoNewPrivs:\\s+(\\d)', status)[1])\n"
            "for target in ('/app/written', '/tmp/written', '/run/secrets/written'):\n"
            "    try:\n"
            "        pathlib.Path(target).write_text('x')\n"
            "        print('wrote', target)\n"
            "    except OSError as error:\n"
            "        print(error.strerror)\n"
            "print(len(pathlib.Path('/run/secrets/SECRET_KEY').read_text()))\n",
        ).stdout.split("\n")  # fmt: skip

    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["Memory"] == host["MemorySwap"] == MEMORY_LIMIT_MB * 1024 * 1024
    assert host["PidsLimit"] == PIDS_LIMIT
    assert probe[0] == "0000000000000000 1"  # No effective capability; no-new-privileges on gunicorn (pid 1).
    assert probe[1:4] == ["Read-only file system"] * 3
    assert probe[4] == "64"  # The secret files are readable by the app's user.


def normalised(requirement: str) -> str:
    name, pinned = requirement.split("==")
    return f"{name.split('[')[0].lower().replace('_', '-')}=={pinned}"


def test_the_image_holds_the_pins_the_server_files_and_no_configuration(docker: Docker, image: str) -> None:
    frozen = docker.run("run", "--rm", "--network", "none", image, "pip", "freeze").stdout.split()
    assert sorted(map(normalised, frozen)) == sorted(map(normalised, requirement_lines("requirements.txt")))
    files = docker.run("run", "--rm", "--network", "none", image, "ls", "-A", "/app").stdout.split()
    assert files == ["gunicorn.conf.py", "requirements.txt", "sample_app"]  # .dockerignore keeps tests, venv out

    # The image's own config (no container: nothing secret in it).
    config = json.loads(docker.run("image", "inspect", "--format", "{{json .Config}}", image).stdout)
    assert config["Cmd"] == SERVER_COMMAND
    assert config["User"] == "10001:10001"
    assert "8000/tcp" in config["ExposedPorts"] and "PORT=8000" in config["Env"]
    assert not [variable for variable in config["Env"] if variable.startswith(("LOGTO_", "SECRET_KEY", "BASE_URL"))]


def test_the_image_refuses_to_start_without_configuration(docker: Docker, image: str) -> None:
    started = time.monotonic()
    result = docker.run("run", "--rm", "--network", "none", image, check=False, timeout=60)

    assert result.returncode != 0
    assert time.monotonic() - started < 30
    for variable in settings_env("http://x"):
        assert f"{variable} is not set" in result.stderr
    assert "Traceback" not in result.stderr
