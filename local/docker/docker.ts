/**
 * The Docker engine a local run deploys the sample app container to: the one at DOCKER_HOST when it answers
 * (scripts/test.sh starts one for its run), else one local/docker/docker-engine.sh starts for this process and
 * stops when it exits. Read through the Engine API, never printed: a container's inspect data holds its secret
 * environment.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");

export interface DockerAnswer {
  status: number;
  body: unknown;
}

/** GET on the Engine API at a unix:// DOCKER_HOST. */
export function dockerGet(host: string, requestPath: string): Promise<DockerAnswer> {
  if (!host.startsWith("unix://"))
    return Promise.reject(new Error(`DOCKER_HOST is ${host}: only unix:// sockets are read here`));
  return new Promise((resolve, reject) => {
    const request = http.get(
      { socketPath: host.slice("unix://".length), path: requestPath, timeout: 10_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          // /events answers JSON lines under a JSON content type: those stay text for the caller to split.
          let body: unknown = text;
          if ((response.headers["content-type"] ?? "").includes("json") && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on("timeout", () =>
      request.destroy(new Error(`the Docker engine at ${host} did not answer ${requestPath} in 10 s`)),
    );
    request.on("error", reject);
  });
}

/** Container events (start, die, destroy, …) between two moments, oldest first, with their time in ms. */
export async function containerEvents(
  host: string,
  sinceMs: number,
  untilMs: number,
): Promise<Array<{ action: string; name: string; atMs: number }>> {
  const query = new URLSearchParams({
    since: String(Math.floor(sinceMs / 1000)),
    until: String(Math.ceil(untilMs / 1000) + 1),
    filters: JSON.stringify({ type: ["container"] }),
  });
  const { body } = await dockerGet(host, `/events?${query.toString()}`);
  // The answer is one JSON object per line.
  return String(body)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { Action: string; Actor: { Attributes: { name?: string } }; timeNano: number })
    .map((event) => ({ action: event.Action, name: event.Actor.Attributes.name ?? "", atMs: event.timeNano / 1e6 }))
    .filter((event) => event.atMs >= sinceMs && event.atMs <= untilMs);
}

async function answers(host: string): Promise<boolean> {
  try {
    return (await dockerGet(host, "/_ping")).status === 200;
  } catch {
    return false;
  }
}

let started: Promise<string> | undefined;

/** local/docker/docker-engine.sh with `args`; resolves to the one line it prints on stdout (progress goes to stderr). */
function engineScript(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn("bash", [path.join(repoRoot, "local/docker/docker-engine.sh"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      env,
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(stdout.trim())
        : reject(new Error(`local/docker/docker-engine.sh ${args[0]} exited with ${code}`)),
    );
  });
}

/** DOCKER_HOST of an engine that answers, starting one (owned by this process) when there is none. */
export function ensureDockerEngine(): Promise<string> {
  started ??= (async () => {
    const current = process.env.DOCKER_HOST;
    if (current && (await answers(current))) return current;
    const host = await engineScript(["start", "--owner", String(process.pid)]);
    process.env.DOCKER_HOST = host;
    return host;
  })();
  return started;
}

/**
 * The BASE_IMAGE app/Dockerfile is built FROM on the engine at `host`, pinned by digest: the Dockerfile's own
 * where the engine has it or can pull it, else the local stand-in local/docker/docker-engine.sh made for it.
 */
export function localBaseImage(host: string): Promise<string> {
  return engineScript(["base-image"], { ...process.env, DOCKER_HOST: host });
}
