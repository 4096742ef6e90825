"""Serves one image from a `docker save` archive as a read-only registry on 127.0.0.1, for `docker pull`.

Usage: python3 serve-image.py ARCHIVE REPOSITORY
  Prints "<port> <manifest digest>" on the first line of stdout once listening, then serves until stdin closes.

local/docker/docker-engine.sh uses it to give the local stand-in base image a digest the engine knows: pulled as
127.0.0.1:<port>/REPOSITORY@sha256:<digest>, the image can be named by that reference in `FROM`, and the engine
checks the content against the digest when it pulls. The manifest is Docker's schema 2 with the layers as the
archive holds them (uncompressed tars, whose digests are the image's diff ids), so the digest depends only on the
image's content: the same archive always gets the same digest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar"


def read_member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    source = archive.extractfile(name)
    if source is None:
        raise SystemExit(f"{name} is not a file in the archive")
    return source


def member_digest(archive: tarfile.TarFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    source = read_member(archive, name)
    for chunk in iter(lambda: source.read(1 << 20), b""):
        digest.update(chunk)
    return f"sha256:{digest.hexdigest()}", archive.getmember(name).size


def image_manifest(archive: tarfile.TarFile) -> tuple[bytes, dict[str, str]]:
    """The manifest's bytes, and each blob's digest -> its member name in the archive."""
    (saved,) = json.load(read_member(archive, "manifest.json"))
    blobs: dict[str, str] = {}

    def descriptor(name: str, media_type: str) -> dict[str, Any]:
        digest, size = member_digest(archive, name)
        blobs[digest] = name
        return {"mediaType": media_type, "size": size, "digest": digest}

    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": descriptor(saved["Config"], CONFIG_TYPE),
        "layers": [descriptor(layer, LAYER_TYPE) for layer in saved["Layers"]],
    }
    return json.dumps(manifest, indent=3).encode(), blobs


def handler(archive_path: str, repository: str, manifest: bytes, blobs: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    manifest_digest = f"sha256:{hashlib.sha256(manifest).hexdigest()}"

    class Registry(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.answer(body=False)

        def do_GET(self) -> None:
            self.answer(body=True)

        def answer(self, body: bool) -> None:
            prefix = f"/v2/{repository}/"
            if self.path == "/v2/":
                self.send(200, "application/json", b"{}", body)
            elif self.path in (f"{prefix}manifests/{manifest_digest}", f"{prefix}manifests/latest"):
                self.send(200, MANIFEST_TYPE, manifest, body, {"Docker-Content-Digest": manifest_digest})
            elif self.path.startswith(f"{prefix}blobs/") and self.path[len(prefix) + 6 :] in blobs:
                digest = self.path[len(prefix) + 6 :]
                with tarfile.open(archive_path) as archive:
                    member = archive.getmember(blobs[digest])
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(member.size))
                    self.send_header("Docker-Content-Digest", digest)
                    self.end_headers()
                    if body:
                        shutil.copyfileobj(read_member(archive, blobs[digest]), self.wfile, 1 << 20)
            else:
                self.send(404, "application/json", b'{"errors":[{"code":"NOT_FOUND"}]}', body)

        def send(
            self, status: int, content_type: str, data: bytes, body: bool, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Registry


def main() -> None:
    archive_path, repository = sys.argv[1], sys.argv[2]
    with tarfile.open(archive_path) as archive:
        manifest, blobs = image_manifest(archive)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(archive_path, repository, manifest, blobs))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], f"sha256:{hashlib.sha256(manifest).hexdigest()}", flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
