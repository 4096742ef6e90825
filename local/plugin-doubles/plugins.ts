/**
 * What the plugin smoke test needs besides the engine sandbox and the plugins (../engine/plugins.ts): a Docker
 * engine if one answers, and a build context for a small image that needs no registry.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { copyFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../engine/engine";

const run = promisify(execFile);

export interface DockerEngine {
  host: string;
  /** "bridge" when the engine has its default network, "host" otherwise (an engine started with --bridge none). */
  networkMode: "bridge" | "host";
}

function engineGet(socketPath: string, requestPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: requestPath, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error("no answer in 5 s")));
    request.on("error", reject);
  });
}

/** The status the Docker engine answers a GET of `requestPath` with (404 for a container that is gone). */
export function dockerStatus(engine: DockerEngine, requestPath: string): Promise<number> {
  return engineGet(engine.host.slice("unix://".length), requestPath);
}

/** The Docker engine at DOCKER_HOST (unix sockets only) or the default socket, if it answers; else why not. */
export async function findDockerEngine(): Promise<DockerEngine | string> {
  const host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  if (!host.startsWith("unix://")) return `DOCKER_HOST is ${host}: the smoke test talks to unix sockets only`;
  const socketPath = host.slice("unix://".length);
  try {
    if ((await engineGet(socketPath, "/_ping")) !== 200) return `the Docker engine at ${host} does not answer /_ping`;
    const bridge = await engineGet(socketPath, "/networks/bridge");
    return { host, networkMode: bridge === 200 ? "bridge" : "host" };
  } catch (error) {
    return `no Docker engine answers at ${host} (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * A build context for an image FROM scratch: a static HTTP server built from testdata/smoke-server, so the
 * Docker part needs neither a registry nor a base image.
 */
export async function smokeImageContext(): Promise<string> {
  const source = path.join(repoRoot, "local/plugin-doubles/testdata/smoke-server");
  const context = await mkdtemp(path.join(os.tmpdir(), "plugin-doubles-image-"));
  await run("go", ["build", "-trimpath", "-o", path.join(context, "smoke-server"), "."], {
    cwd: source,
    env: { ...process.env, CGO_ENABLED: "0", GOWORK: "off" },
  });
  await Promise.all(
    ["Dockerfile", ".dockerignore"].map((name) => copyFile(path.join(source, name), path.join(context, name))),
  );
  return context;
}
