/**
 * scripts/ephemeral-stack.sh against the Logto stand-in (or a real Logto, see target.ts), with
 * test/engine/program: it must create, check, destroy and remove its stack, tear down when `up` fails, and keep
 * a stack whose destroy failed, saying how to finish it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineEnvironment, createEngineEnvironment, engineProgramDir, repoRoot } from "../../local/engine/engine";
import { findLeaks } from "../../local/engine/leaks";
import { writeCalls } from "../providers/harness";
import { LogtoTarget, openLogtoTarget, realLogtoFromEnv } from "../../local/engine/target";
import { TenantSnapshot } from "../../local/engine/tenant";

const script = path.join(repoRoot, "scripts/ephemeral-stack.sh");
const scriptTimeout = 180_000;
const againstRealLogto = realLogtoFromEnv(process.env) !== undefined;
const stackNamePattern = /test-\d{14}-[0-9a-f]{6}/;

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The stack the script announced. */
  stack: string;
}

let target: LogtoTarget;
let engine: EngineEnvironment;
let before: TenantSnapshot;
let configFile: string;
const entraSecret = `entra-${randomBytes(18).toString("base64url")}`;

/** Runs the script as a CI job would, with the engine environment and the secrets in environment variables. */
function runScript(args: string[]): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [script, ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...engine.env, TEST_ENTRA_SECRET: entraSecret, TEST_M2M_SECRET: target.m2mAppSecret },
        maxBuffer: 64 * 1024 * 1024,
        timeout: scriptTimeout,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, stack: stackNamePattern.exec(stderr)?.[0] ?? "" });
      },
    );
  });
}

const secretArgs = [
  "--secret-env",
  "logto-engine-test:entraClientSecret=TEST_ENTRA_SECRET",
  "--secret-env",
  "logto:m2mAppSecret=TEST_M2M_SECRET",
];

async function stacksInBackend(): Promise<string[]> {
  const listing = await new Promise<string>((resolve, reject) => {
    execFile(
      "pulumi",
      ["stack", "ls", "--json", "--non-interactive"],
      { cwd: engineProgramDir, env: { ...process.env, ...engine.env } },
      (error, stdout, stderr) => (error ? reject(new Error(`pulumi stack ls: ${stderr}`)) : resolve(stdout)),
    );
  });
  return (JSON.parse(listing) as Array<{ name: string }>).map((summary) => summary.name);
}

async function leftoverSettingsFiles(): Promise<string[]> {
  return (await readdir(engineProgramDir)).filter((name) => stackNamePattern.test(name));
}

beforeAll(async () => {
  target = await openLogtoTarget();
  engine = await createEngineEnvironment();
  before = await target.tenant.snapshot();
  configFile = path.join(engine.root, "ephemeral.yaml");
  // A stack settings file as a user would keep it for CI: plain values here, secrets from the environment.
  const config = {
    "logto-engine-test:connectorName": target.names.connectorName,
    "logto-engine-test:domains": [target.names.domain],
    "logto-engine-test:entraClientId": "2f4b8a4e-1c0d-4f7e-8b61-5d3c9e0a7b12",
    "logto-engine-test:entraIssuer": target.issuer,
    "logto-engine-test:appName": target.names.appName,
    "logto-engine-test:appBaseUrl": "http://127.0.0.1:5998",
    "logto:endpoint": target.endpoint,
    "logto:m2mAppId": target.m2mAppId,
  };
  // JSON values are valid YAML.
  const yaml = Object.entries(config)
    .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)
    .join("\n");
  await writeFile(configFile, `config:\n${yaml}\n`);
}, 30 * 60_000); // a cold engine build (no cache yet) takes minutes

afterAll(async () => {
  target?.standIn?.faults.clear();
  // A run that kept its stack (or crashed) leaves it here: finish it as the script would have.
  for (const stack of engine ? await stacksInBackend().catch(() => []) : []) {
    await new Promise<void>((resolve) =>
      execFile(
        "bash",
        [
          "-c",
          'pulumi destroy --yes --non-interactive --stack "$1" && pulumi stack rm --yes --non-interactive --stack "$1"',
          "finish",
          stack,
        ],
        { cwd: engineProgramDir, env: { ...process.env, ...engine.env } },
        () => resolve(),
      ),
    );
  }
  for (const name of await leftoverSettingsFiles()) await rm(path.join(engineProgramDir, name));
  await engine?.dispose();
  await target?.close();
}, 5 * 60_000);

describe.sequential("scripts/ephemeral-stack.sh", () => {
  it("refuses to start without --config, naming the option", async () => {
    const run = await runScript([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--config <file> is required");
  });

  it(
    "creates a test-… stack, runs up and the smoke checks, then destroys and removes it",
    async () => {
      const earlier = target.standIn ? writeCalls(target.standIn).length : 0;
      const checkOutput = path.join(engine.env.TMPDIR, "check-output.txt");
      const run = await runScript([
        "--config",
        configFile,
        "--cwd",
        engineProgramDir,
        ...secretArgs,
        "--check",
        `pulumi stack output --stack "$EPHEMERAL_STACK" connectorId > ${JSON.stringify(checkOutput)}`,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stack).toMatch(stackNamePattern);
      const phases = run.stderr.split("\n").filter((line) => line.startsWith("ephemeral-stack: "));
      expect(phases.map((line) => line.replace(` (${run.stack})`, ""))).toEqual([
        "ephemeral-stack: stack init",
        "ephemeral-stack: config set --secret logto-engine-test:entraClientSecret",
        "ephemeral-stack: config set --secret logto:m2mAppSecret",
        "ephemeral-stack: up",
        "ephemeral-stack: smoke check: preview --expect-no-changes",
        "ephemeral-stack: smoke check: --check",
        "ephemeral-stack: destroy",
        "ephemeral-stack: stack rm",
        `ephemeral-stack: done: ${run.stack} created, checked, destroyed and removed`,
      ]);

      const connectorId = (await readFile(checkOutput, "utf8")).trim();
      expect(connectorId).toMatch(/^[a-z0-9]+$/);
      if (target.standIn) {
        expect(writeCalls(target.standIn).slice(earlier)).toEqual(
          expect.arrayContaining([
            "POST /api/sso-connectors",
            "POST /api/applications",
            `DELETE /api/sso-connectors/${connectorId}`,
          ]),
        );
      }
      expect(await target.tenant.snapshot()).toEqual(before);
      expect(await stacksInBackend()).toEqual([]);
      expect(await leftoverSettingsFiles()).toEqual([]);
      const secrets = { "Entra client secret": [entraSecret], "M2M secret": [target.m2mAppSecret] };
      expect(findLeaks(secrets, [{ where: "script output", text: run.stdout + run.stderr }])).toEqual([]);
    },
    scriptTimeout,
  );

  it.skipIf(againstRealLogto)(
    "tears down when up fails: exits non-zero, destroys what up made, removes the stack (stand-in only)",
    async () => {
      target.standIn?.faults.add({ method: "POST", path: "/api/sso-connectors", status: 500 });
      const run = await runScript(["--config", configFile, "--cwd", engineProgramDir, ...secretArgs]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`ephemeral-stack: up failed (exit ${run.code}); tearing down`);
      expect(run.stderr).toContain(`ephemeral-stack: stack rm (${run.stack})`);
      // The application was created before the connector failed; destroy removed it.
      expect(await target.tenant.snapshot()).toEqual(before);
      expect(await stacksInBackend()).toEqual([]);
      expect(await leftoverSettingsFiles()).toEqual([]);
    },
    scriptTimeout,
  );

  it.skipIf(againstRealLogto)(
    "keeps a stack whose destroy fails and prints the commands that finish it (stand-in only)",
    async () => {
      const standIn = target.standIn;
      if (!standIn) throw new Error("needs the stand-in's fault hooks");
      standIn.faults.add({ method: "POST", path: "/api/sso-connectors", status: 500 });
      standIn.faults.add({ method: "DELETE", path: /^\/api\/applications\/[^/]+$/, status: 500, times: Infinity });
      const run = await runScript(["--config", configFile, "--cwd", engineProgramDir, ...secretArgs]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`the stack ${run.stack} is kept`);
      expect(await stacksInBackend()).toEqual([run.stack]);
      expect(existsSync(path.join(engineProgramDir, `Pulumi.${run.stack}.yaml`))).toBe(true);

      // Once Logto answers again, the printed commands finish the job.
      standIn.faults.clear();
      const finish = /finish it with: (.*)$/m.exec(run.stderr)?.[1] ?? "";
      expect(finish).toContain(`destroy --yes --stack ${run.stack}`);
      await new Promise<void>((resolve, reject) =>
        execFile("bash", ["-c", finish], { env: { ...process.env, ...engine.env } }, (error, _out, stderr) =>
          error ? reject(new Error(stderr)) : resolve(),
        ),
      );
      expect(await target.tenant.snapshot()).toEqual(before);
      expect(await stacksInBackend()).toEqual([]);
    },
    scriptTimeout,
  );
});
