/** The sample app: image, container and its environment, post-deploy checks, and the checks' script itself. */
import { execFile } from "node:child_process";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateStackConfig, type RawStackConfig } from "../../infra/config";
import { httpCheckCommand } from "../../infra/components/httpCheck";
import { rawConfig, now, secretKeyMarker } from "./fixtures";
import {
  Recording,
  find,
  isSecretEnvelope,
  plainText,
  logtoAppSecretFor,
  logtoEndpointValue,
  ofType,
  reveal,
  runProgram,
  types,
} from "./harness";

async function run(raw: RawStackConfig): Promise<Recording> {
  return (await runProgram(raw, now)).recording;
}

const ns = "logto-entra-sso";

/** The problems validateStackConfig reports for these sampleApp settings (none: an empty list). */
function validationProblems(sampleApp: { [key: string]: unknown }): string[] {
  try {
    validateStackConfig(rawConfig({ sampleApp: { secretKey: secretKeyMarker, ...sampleApp } }), { stack: "dev", now });
    return [];
  } catch (error) {
    return String((error as Error).message).split("\n");
  }
}

describe("the sample app in the program", () => {
  it("builds the image from app/ and runs it with the Logto settings, secrets kept secret", async () => {
    const recording = await run(rawConfig());
    const image = find(recording, types.image);
    expect(reveal(image.inputs)).toEqual({
      imageName: "logto-entra-sso-sample:dev",
      // The base app/Dockerfile pins; Docker's default network for the RUN steps.
      build: {
        context: "app",
        args: {
          BASE_IMAGE:
            "python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d",
        },
      },
      skipPush: true,
      buildOnPreview: false, // the SDK's default, sent by it
    });

    const container = find(recording, types.container, "sample-container");
    const writer = find(recording, types.container, "sample-secrets-writer");
    const volume = find(recording, types.volume, "sample-secrets");
    const application = find(recording, types.application);
    const appSecret = find(recording, types.applicationSecret);
    // Item 1 (issue 11): the secret files come from the ApplicationSecret, so on rotation the engine replaces
    // the writer and the container before it deletes the old secret.
    expect(writer.dependencies).toEqual(expect.arrayContaining([image.urn, appSecret.urn, volume.urn]));
    expect(container.dependencies).toEqual(expect.arrayContaining([image.urn, application.urn, writer.urn]));
    expect(reveal(appSecret.inputs)).toMatchObject({
      applicationId: "app-sample-application",
      name: "pulumi-managed-1",
    });
    expect(appSecret.additionalSecretOutputs).toEqual(["value"]);
    // The environment holds no secret (docker inspect shows it): the secrets are files, uploaded as secrets
    // into the never-started writer's volume, which the app's container mounts read-only.
    expect(isSecretEnvelope(container.inputs.envs)).toBe(false);
    expect(plainText(container.inputs.envs)).not.toContain(logtoAppSecretFor("1"));
    expect(plainText(container.inputs.envs)).not.toContain(secretKeyMarker);
    expect(reveal(volume.inputs)).toEqual({ name: "logto-entra-sso-dev-sample-secrets" });
    expect(isSecretEnvelope(writer.inputs.uploads)).toBe(true);
    expect(writer.additionalSecretOutputs).toEqual(["uploads"]);
    expect(reveal(writer.inputs)).toEqual({
      name: "logto-entra-sso-dev-sample-secrets-writer",
      image: "sha256:image-of-sample-image",
      start: false,
      mustRun: false,
      networkMode: "none",
      volumes: [{ volumeName: "logto-entra-sso-dev-sample-secrets", containerPath: "/run/secrets" }],
      uploads: [
        { file: "/run/secrets/logto-app-secret", content: logtoAppSecretFor("1"), permissions: "0444" },
        { file: "/run/secrets/flask-secret-key", content: secretKeyMarker, permissions: "0444" },
      ],
    });
    expect(reveal(container.inputs)).toEqual({
      name: "logto-entra-sso-dev-sample",
      image: "sha256:image-of-sample-image",
      envs: [
        `LOGTO_ENDPOINT=${logtoEndpointValue}`,
        "LOGTO_APP_ID=app-sample-application",
        "LOGTO_APP_SECRET_FILE=/run/secrets/logto-app-secret",
        "BASE_URL=http://localhost:8080",
        "SECRET_KEY_FILE=/run/secrets/flask-secret-key",
        "PORT=8080",
      ],
      volumes: [{ volumeName: "logto-entra-sso-dev-sample-secrets", containerPath: "/run/secrets", readOnly: true }],
      networkMode: "bridge",
      ports: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }],
      restart: "unless-stopped",
      // The confinement defaults.
      readOnly: true,
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      memory: 256,
      memorySwap: 256,
    });
    // The old container and writer hold their names (and the host port) until they are gone.
    expect(container.deleteBeforeReplace).toBe(true);
    expect(writer.deleteBeforeReplace).toBe(true);
    const pidsLimit = find(recording, types.command, "sample-pids-limit");
    expect(reveal(pidsLimit.inputs)).toEqual({
      create: 'docker update --pids-limit "$PIDS_LIMIT" "$CONTAINER_ID" >/dev/null',
      environment: { PIDS_LIMIT: "128", CONTAINER_ID: "sample-container-id" },
      triggers: ["sample-container-id"],
    });

    expect(reveal(application.inputs)).toMatchObject({
      name: "Sample app (dev)",
      redirectUris: ["http://localhost:8080/callback"],
      postLogoutRedirectUris: ["http://localhost:8080/"],
    });
  });

  it("takes port, address, restart policy, URL and image name from config", async () => {
    const recording = await run(
      rawConfig({
        sampleApp: {
          secretKey: secretKeyMarker,
          port: 9443,
          bindAddress: "0.0.0.0",
          restartPolicy: "always",
          baseUrl: "https://sample.example.com",
          imageName: "registry.example.com/team/sample:v2",
          appSecretVersion: "2",
        },
      }),
    );
    expect(reveal(find(recording, types.image).inputs)).toMatchObject({
      imageName: "registry.example.com/team/sample:v2",
    });
    expect(reveal(find(recording, types.container, "sample-container").inputs)).toMatchObject({
      envs: expect.arrayContaining(["BASE_URL=https://sample.example.com", "PORT=8080"]),
      ports: [{ internal: 8080, external: 9443, ip: "0.0.0.0" }],
      restart: "always",
    });
    expect(reveal(find(recording, types.container, "sample-secrets-writer").inputs)).toMatchObject({
      uploads: expect.arrayContaining([expect.objectContaining({ content: logtoAppSecretFor("2") })]),
    });
    expect(reveal(find(recording, types.application).inputs)).toMatchObject({
      redirectUris: ["https://sample.example.com/callback"],
    });
    expect(reveal(find(recording, types.applicationSecret).inputs)).toMatchObject({ name: "pulumi-managed-2" });
  });

  it("on the host's network, lets the app listen on the address and port itself and maps no port", async () => {
    const recording = await run(
      rawConfig({
        sampleApp: {
          secretKey: secretKeyMarker,
          networkMode: "host",
          port: 9090,
          baseUrl: "http://127.0.0.1:9090",
          buildNetwork: "host",
          baseImage: "registry.example.com/python:3.11-slim@sha256:" + "ab".repeat(32),
        },
      }),
    );
    expect(reveal(find(recording, types.image).inputs)).toMatchObject({
      build: {
        context: "app",
        network: "host",
        args: { BASE_IMAGE: "registry.example.com/python:3.11-slim@sha256:" + "ab".repeat(32) },
      },
    });
    const container = reveal(find(recording, types.container, "sample-container").inputs) as {
      [key: string]: unknown;
    };
    expect(container).toMatchObject({ networkMode: "host" });
    expect(container.envs).toEqual(
      expect.arrayContaining(["PORT=9090", "BIND_ADDRESS=127.0.0.1", "BASE_URL=http://127.0.0.1:9090"]),
    );
    expect(container.envs).not.toContain("PORT=8080");
    // A port mapping would be refused by Docker next to the host network.
    expect(container).not.toHaveProperty("ports");
  });

  it("loosens the confinement only as config says, and sets the limits it gives", async () => {
    const recording = await run(
      rawConfig({
        sampleApp: {
          secretKey: secretKeyMarker,
          readOnlyRootFilesystem: false,
          dropAllCapabilities: false,
          noNewPrivileges: false,
          memoryLimitMb: 512,
          pidsLimit: 300,
        },
      }),
    );
    const container = reveal(find(recording, types.container, "sample-container").inputs) as {
      [key: string]: unknown;
    };
    expect(container).toMatchObject({ readOnly: false, memory: 512, memorySwap: 512 });
    expect(container).not.toHaveProperty("capabilities");
    expect(container).not.toHaveProperty("securityOpts");
    // The secrets stay on the read-only volume either way.
    expect(container.volumes).toEqual([
      { volumeName: "logto-entra-sso-dev-sample-secrets", containerPath: "/run/secrets", readOnly: true },
    ]);
    expect(reveal(find(recording, types.command, "sample-pids-limit").inputs)).toMatchObject({
      environment: { PIDS_LIMIT: "300" },
    });
  });

  it("refuses confinement settings that are no booleans or out of range, naming each with its fix", () => {
    const problems = validationProblems({
      readOnlyRootFilesystem: "yes",
      noNewPrivileges: 0,
      memoryLimitMb: 64,
      pidsLimit: 1_000_000,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${ns}:sampleApp.readOnlyRootFilesystem is "yes": use true or false`),
        expect.stringContaining(`${ns}:sampleApp.noNewPrivileges is 0: use true or false`),
        expect.stringContaining(`${ns}:sampleApp.memoryLimitMb is 64: use a whole number from 128 to 65536`),
        expect.stringContaining(`${ns}:sampleApp.pidsLimit is 1000000: use a whole number from 64 to 32768`),
      ]),
    );
    expect(validationProblems({ memoryLimitMb: "384", pidsLimit: 64, dropAllCapabilities: "false" })).toEqual([]);
  });

  it("refuses limits outside what the container allows in the config, naming each (SampleApp no longer checks them)", () => {
    expect(validationProblems({ memoryLimitMb: 64, pidsLimit: 10.5 })).toEqual(
      expect.arrayContaining([
        `  - ${ns}:sampleApp.memoryLimitMb is 64: use a whole number from 128 to 65536 (the container's memory in MB).`,
        `  - ${ns}:sampleApp.pidsLimit is 10.5: use a whole number from 64 to 32768 (processes and threads in the container).`,
      ]),
    );
  });

  it("checks /healthz after the container and Logto's OIDC discovery", async () => {
    const recording = await run(rawConfig());
    const checks = ofType(recording, types.command);
    const healthz = checks.find((c) => c.name === "sample-healthz-check");
    const discovery = checks.find((c) => c.name === "sample-discovery-check");
    expect(healthz?.dependencies).toEqual(
      expect.arrayContaining([
        find(recording, types.container, "sample-container").urn,
        find(recording, types.command, "sample-pids-limit").urn,
      ]),
    );
    expect(reveal(healthz?.inputs)).toEqual({
      ...httpCheckCommand("http://localhost:8080/healthz", { timeoutSeconds: 60 }),
      triggers: ["sample-container-id"],
    });
    // What the command provider quotes when a check fails: one short line, not the script.
    expect(reveal(healthz?.inputs)).toMatchObject({
      create: "eval(process.env.CHECK_SCRIPT)",
      interpreter: ["node", "-e"],
    });
    expect(reveal(discovery?.inputs)).toMatchObject({
      create: "eval(process.env.CHECK_SCRIPT)",
      environment: {
        CHECK_URL: `${logtoEndpointValue}/oidc/.well-known/openid-configuration`,
        CHECK_EXPECT: '"authorization_endpoint"',
      },
    });
  });

  it("removes the image it built once no container uses it: the container depends on the clean-up, which a rebuild replaces", async () => {
    const recording = await run(rawConfig());
    const cleanup = find(recording, types.command, "sample-image-cleanup");
    expect(reveal(cleanup.inputs)).toMatchObject({
      delete: expect.stringContaining('docker image rm "$target"'),
      environment: { IMAGE_ID: "sha256:image-of-sample-image", IMAGE_NAME: "logto-entra-sso-sample:dev" },
      triggers: ["sha256:image-of-sample-image"],
    });
    expect(reveal(cleanup.inputs)).not.toHaveProperty("create");
    for (const container of ofType(recording, types.container)) expect(container.dependencies).toContain(cleanup.urn);
  });

  it("when switched off, makes neither image nor container nor checks, but keeps the Logto application", async () => {
    const recording = await run(rawConfig({ sampleApp: { enabled: false } }));
    for (const type of [types.sampleApp, types.image, types.container, types.volume, types.command]) {
      expect(ofType(recording, type), type).toEqual([]);
    }
    expect(ofType(recording, types.application)).toHaveLength(1);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface CheckResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the check as the command provider does: the interpreter, then `create` as its last argument. */
function runCheck(url: string, options: { expect?: string; timeoutSeconds: number }): Promise<CheckResult> {
  const check = httpCheckCommand(url, options);
  return new Promise((resolve) => {
    execFile(
      check.interpreter[0] === "node" ? process.execPath : check.interpreter[0],
      [...check.interpreter.slice(1), check.create],
      { env: { ...process.env, ...check.environment }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the post-deploy check script", () => {
  let server: Server;
  let base = "";
  let flakyCalls = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/healthz") {
        response.end("ok");
      } else if (request.url === "/discovery") {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ issuer: "x", authorization_endpoint: "y" }));
      } else if (request.url === "/flaky") {
        // Fails first, as a container does while it starts.
        flakyCalls += 1;
        response.statusCode = flakyCalls < 2 ? 503 : 200;
        response.end();
      } else {
        response.statusCode = 500;
        response.end("broken");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("passes when the URL answers 200 with the expected text", async () => {
    expect(await runCheck(`${base}/healthz`, { timeoutSeconds: 5 })).toMatchObject({
      code: 0,
      stdout: `OK ${base}/healthz answered 200\n`,
    });
    expect((await runCheck(`${base}/discovery`, { expect: '"authorization_endpoint"', timeoutSeconds: 5 })).code).toBe(
      0,
    );
  });

  it("waits for a server that answers only after a while", async () => {
    expect((await runCheck(`${base}/flaky`, { timeoutSeconds: 10 })).code).toBe(0);
    expect(flakyCalls).toBe(2);
  });

  it("fails with the last answer when the time is up", async () => {
    const broken = await runCheck(`${base}/broken`, { timeoutSeconds: 1 });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(`FAILED ${base}/broken did not answer 200 in time (last: HTTP 500)\n`);
    const wrongBody = await runCheck(`${base}/healthz`, { expect: "issuer", timeoutSeconds: 1 });
    expect(wrongBody.stderr).toContain('(last: 200 without "issuer")');
    const closed = await runCheck(`http://127.0.0.1:${await closedPort()}/healthz`, { timeoutSeconds: 1 });
    expect(closed.stderr).toContain("(last: ECONNREFUSED)");
  });
});
