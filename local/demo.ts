/**
 * `npm run demo [-- --keep]`: the product's main job, end to end on this machine. It starts the Logto and
 * Entra ID stand-ins on 127.0.0.1 and a Docker engine when none answers, deploys the real program (infra/)
 * with the real provider plugins where installed (our doubles otherwise) to a throw-away stack, checks that a
 * second preview plans nothing, signs a test user of each tenant in through the sample app with headless
 * Chromium (each lands in their tenant's organization with the default role `member`), then destroys everything. Each step is printed with its time and result, and a summary closes the run.
 *
 *   --keep   leave the stack and the stand-ins running after the sign-in, print the sign-in URL and the test
 *            user's credentials for a person to click through; Ctrl-C then tears everything down.
 *   --logto  deploy to the real Logto that LOGTO_E2E_ENDPOINT, LOGTO_E2E_M2M_APP_ID and LOGTO_E2E_M2M_APP_SECRET
 *            name instead of the Logto stand-in, with the Entra stand-in signing with the kept CA that Logto
 *            trusts (ENTRA_STANDIN_CA_DIR; local/README.md gives the order), and sign in through its own UI.
 *
 * Ctrl-C at any time tears down what was made; a second Ctrl-C leaves at once (the temporary directory with the
 * state is then kept, and its path printed).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { launchChromium, type Browser } from "./browser/chromium";
import { freePort } from "./browser/sample-app";
import { artefactDir, signIn, signOut } from "./browser/sign-in";
import { ensureDockerEngine, localBaseImage } from "./docker/docker";
import { ensureEngineOnPath, repoRoot } from "./engine/engine";
import { ensurePluginsOnPath } from "./engine/plugins";
import { realLogtoFromEnv, uniqueSuffix } from "./engine/target";
import {
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localOrganization,
  localOrganizationTemplate,
  localStackConfig,
  localTenants,
  localUsers,
  openLocalStack,
  type LocalStack,
} from "./stack";

const run = promisify(execFile);

interface StepResult {
  step: string;
  seconds: number;
  result: string;
}

const results: StepResult[] = [];
const keep = process.argv.includes("--keep");
const realLogto = process.argv.includes("--logto");
const unknown = process.argv.slice(2).filter((argument) => argument !== "--keep" && argument !== "--logto");
if (unknown.length > 0) {
  process.stderr.write(`demo: unknown argument(s) ${unknown.join(" ")}; usage: npm run demo [-- --keep] [--logto]\n`);
  process.exit(2);
}

function say(text: string): void {
  process.stdout.write(`demo: ${text}\n`);
}

/** Runs one step, printing its start, time and result; a failure ends the run (after teardown). */
async function step<T>(
  name: string,
  perform: () => Promise<T>,
  describe: (value: T) => string = () => "ok",
): Promise<T> {
  say(`${name} …`);
  const started = Date.now();
  try {
    const value = await perform();
    const outcome = describe(value);
    results.push({ step: name, seconds: (Date.now() - started) / 1000, result: outcome });
    say(`${name}: ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    results.push({ step: name, seconds: (Date.now() - started) / 1000, result: `FAILED: ${message}` });
    throw error;
  }
}

/** The Node.js version the program reported (infra/index.ts logs it at debug level) during an engine run. */
function programNodeVersion(events: EngineEvent[]): string | undefined {
  for (const event of events) {
    const found = /program running on Node\.js (v\S+)/.exec(event.diagnosticEvent?.message ?? "");
    if (found) return found[1];
  }
  return undefined;
}

async function stopDockerEngine(): Promise<void> {
  // Stops only an engine started for this process (none when DOCKER_HOST already answered).
  await run("bash", [
    path.join(repoRoot, "local/docker/docker-engine.sh"),
    "stop",
    "--owner",
    String(process.pid),
  ]).catch(() => undefined);
}

function printSummary(): void {
  const width = Math.max(...results.map((r) => r.step.length));
  process.stdout.write("\ndemo summary\n");
  for (const r of results)
    process.stdout.write(`  ${r.step.padEnd(width)}  ${r.seconds.toFixed(1).padStart(6)} s  ${r.result}\n`);
  const failed = results.some((r) => r.result.startsWith("FAILED"));
  process.stdout.write(`  result: ${failed ? "FAILED" : "passed"}\n`);
}

/** "Contoso" for the connection `contoso`; on a shared real Logto, a name of this run's own. */
function organizationName(connection: string, domainSuffix: string | undefined): string {
  const name = connection.charAt(0).toUpperCase() + connection.slice(1);
  return domainSuffix ? `${name} (demo ${domainSuffix})` : name;
}

async function main(): Promise<number> {
  let local: LocalStack | undefined;
  let browser: Browser | undefined;
  let deployed = false;
  let interrupted = 0;
  // Logto users the sign-ins made: a real Logto keeps them after the stack is gone (the stand-in goes with the run).
  const signedInUserIds: string[] = [];
  const teardown = async () => {
    await browser?.close();
    if (local && deployed) {
      const { engine, world } = local;
      await step(
        "destroy",
        () => engine.destroy(),
        (d) => `${d.result.summary.result}, ${d.result.summary.resourceChanges?.delete ?? 0} deleted`,
      );
      if (!world.logto.standIn && signedInUserIds.length > 0) {
        await step(
          "delete signed-in users",
          () => Promise.all(signedInUserIds.map((id) => world.logto.tenant.deleteUser(id))),
          (deleted) => `${deleted.length} Logto user(s) of this run deleted`,
        );
      }
    }
    await local?.close();
    await stopDockerEngine();
  };
  process.on("SIGINT", () => {
    interrupted += 1;
    if (interrupted > 1) {
      say(`second Ctrl-C: leaving now${local ? "; the state stays in the stack's temporary directory" : ""}`);
      process.exit(130);
    }
    say("Ctrl-C: tearing down what was made (Ctrl-C again to leave at once)");
  });

  try {
    await step(
      "Pulumi engine",
      () => ensureEngineOnPath(),
      (bin) => bin,
    );
    const plugins = await step(
      "provider plugins",
      () => ensurePluginsOnPath(),
      (p) =>
        ["azuread", "docker", "command"]
          .map((name) => `${name}: ${p.real.includes(name) ? "real" : "double"}`)
          .join(", "),
    );
    const dockerHost = await step(
      "Docker engine",
      () => ensureDockerEngine(),
      (host) => host,
    );
    await step(
      "Chromium",
      async () => {
        const { stdout } = await run("bash", [path.join(repoRoot, "local/browser/browser.sh")]);
        process.env.CHROMIUM = stdout.trim();
        return process.env.CHROMIUM;
      },
      (executable) => executable,
    );
    // A real Logto may be shared: its connectors' domains must be this run's alone.
    const domainSuffix = realLogto ? uniqueSuffix() : undefined;
    const users = localUsers(domainSuffix);
    local = await step(
      realLogto ? "Entra stand-in" : "stand-ins",
      () => {
        if (realLogto && !realLogtoFromEnv(process.env)) {
          throw new Error("--logto needs LOGTO_E2E_ENDPOINT, LOGTO_E2E_M2M_APP_ID and LOGTO_E2E_M2M_APP_SECRET");
        }
        // Without --logto, always the stand-in, whatever the environment says.
        const processEnv = realLogto ? process.env : {};
        return openLocalStack("demo", { standIns: { users }, env: { DOCKER_HOST: dockerHost }, processEnv });
      },
      (l) => `Logto ${l.world.logto.url}${l.world.logto.standIn ? "" : " (real)"}, Entra ${l.world.entra.url}`,
    );
    const { world, engine } = local;
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = localStackConfig(world, {
      // Each customer tenant with its organization, whose users join as `member` on their first sign-in.
      connections: Object.entries(localTenants).map(([name, tenantId]) =>
        localConnection(name, tenantId, {
          domains: [localDomain(name, domainSuffix)],
          organization: localOrganization(organizationName(name, domainSuffix)),
        }),
      ),
      settings: { "logto-entra-sso:organizationTemplate": localOrganizationTemplate },
      sampleApp: {
        enabled: true,
        port,
        baseUrl,
        bindAddress: "127.0.0.1",
        networkMode: "host",
        buildNetwork: "host",
        // The Dockerfile's base where the engine can pull it, else the local stand-in, each pinned by digest.
        baseImage: await localBaseImage(dockerHost),
      },
      sampleAppSecretKey: randomBytes(32).toString("hex"),
    });
    await applyLocalStackConfig(engine.stack, config);
    say(`plugins: ${plugins.bin}; stack ${engine.stackName} in a temporary backend`);

    deployed = true;
    const up = await step(
      "pulumi up",
      () => engine.up(),
      (u) =>
        `${u.result.summary.result}, ${u.result.summary.resourceChanges?.create ?? 0} created, ` +
        `program on Node.js ${programNodeVersion(u.events) ?? "(not reported)"}`,
    );
    if (up.result.summary.result !== "succeeded") throw new Error("pulumi up did not succeed");
    await step(
      "second preview",
      async () => {
        const preview = await engine.preview();
        if (preview.changes.length > 0)
          throw new Error(`it plans ${preview.changes.map((c) => `${c.op} ${c.name}`).join(", ")}`);
        return preview;
      },
      () => "no changes",
    );
    const outputs = await engine.stack.outputs();
    const signInUrl = String(outputs.sampleAppSignInUrl?.value);
    browser = await launchChromium();
    for (const [index, user] of users.entries()) {
      const scenario = {
        context: browser.context,
        name: `demo-tenant-${index + 1}`,
        appUrl: baseUrl,
        entraUrl: world.entra.url,
      };
      await browser.context.clearCookies();
      await step(
        `sign in (tenant ${index + 1})`,
        async () => {
          const outcome = await signIn(scenario, user);
          if (!outcome.claims)
            throw new Error(`not signed in; the page says: ${outcome.text.replace(/\s+/g, " ").slice(0, 200)}`);
          signedInUserIds.push(outcome.claims.sub);
          const organizations = outcome.organizations ?? [];
          if (organizations.length === 0) throw new Error(`${outcome.claims.name} signed in, but in no organization`);
          const out = await signOut(scenario);
          if (out.claims) throw new Error("still signed in after signing out");
          return { ...outcome.claims, organizations };
        },
        (shown) =>
          `${shown.name} (email ${shown.email}) signed in through Entra tenant ${user.tenantId}, then out ` +
          `→ organization ${shown.organizations.join(", ")}`,
      );
    }
    say(`screenshots of each step: ${path.relative(process.cwd(), artefactDir)}/demo-*.png`);
    if (keep && interrupted === 0) {
      say(`--keep: open ${signInUrl} and sign in as one of (test users of the Entra stand-in, made for this run):`);
      for (const user of users) say(`  ${user.email}  password ${user.password}`);
      say("the stack stays up until Ctrl-C");
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
    return 0;
  } catch (error) {
    // An engine failure's message carries the whole output: show its error lines, not the progress.
    const lines = error instanceof Error ? error.message.split("\n") : [String(error)];
    const errors = [...new Set(lines.filter((line) => /\berror:/.test(line)).map((line) => line.trim()))];
    say(`failed:\n  ${(errors.length > 0 ? errors : lines.slice(0, 3)).join("\n  ")}`);
    return 1;
  } finally {
    await teardown().catch((error: unknown) =>
      say(`teardown failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`),
    );
    printSummary();
  }
}

main().then(
  (code) => process.exit(code || (results.some((r) => r.result.startsWith("FAILED")) ? 1 : 0)),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
