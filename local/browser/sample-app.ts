/**
 * The Flask sample app (app/) as a local process, the way its image runs it (gunicorn with gunicorn.conf.py)
 * but from app/.venv (scripts/python-venv.sh) and bound to 127.0.0.1 on a free port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const appDir = path.resolve(__dirname, "../../app");
const gunicorn = path.join(appDir, ".venv/bin/gunicorn");

export interface SampleAppSettings {
  logtoEndpoint: string;
  appId: string;
  appSecret: string;
  port: number;
}

export interface SampleApp {
  /** "http://127.0.0.1:<port>", the app's BASE_URL. */
  url: string;
  /** What gunicorn printed (access log without query strings, warnings): for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startSampleApp(settings: SampleAppSettings): Promise<SampleApp> {
  if (!existsSync(gunicorn))
    throw new Error(`${gunicorn} is missing: run \`bash scripts/python-venv.sh\` to create app/.venv`);
  const url = `http://127.0.0.1:${settings.port}`;
  const child = spawn(gunicorn, ["--config", "gunicorn.conf.py", "sample_app.wsgi:app"], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LOGTO_ENDPOINT: settings.logtoEndpoint,
      LOGTO_APP_ID: settings.appId,
      LOGTO_APP_SECRET: settings.appSecret,
      BASE_URL: url,
      SECRET_KEY: randomBytes(32).toString("hex"),
      PORT: String(settings.port),
      BIND_ADDRESS: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString()));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the sample app exited with ${child.exitCode} before answering:\n${printed}`);
    try {
      const answer = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (answer.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(`the sample app did not answer ${url}/healthz within 20 s:\n${printed}`);
    }
    await sleep(100);
  }
  return { url, output: () => printed, stop: () => stopProcess(child) };
}
