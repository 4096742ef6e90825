/**
 * The azuread, docker and command plugins under the real engine: local/plugin-doubles/program through `up`, a
 * clean `preview`, drift made by hand in the Entra stand-in, a secret rotation, an in-place container update,
 * and `destroy`. The plugins are whatever local/engine/provider-plugins.sh chose (the doubles here; the real ones
 * with REAL_PLUGINS_DIR), so the same steps check the doubles and, on a machine that has them, the real
 * plugins. The Docker part runs when a Docker engine answers and is skipped with the reason otherwise.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineSandbox, createEngineSandbox, readAll, repoRoot, stateResources } from "../../local/engine/engine";
import { findLeaks } from "../../local/engine/leaks";
import { EntraStandIn, startEntraStandIn } from "../../local/standins/entra";
import { ensurePluginsOnPath } from "../../local/engine/plugins";
import { DockerEngine, dockerStatus, findDockerEngine, smokeImageContext } from "../../local/plugin-doubles/plugins";

const programDir = path.join(repoRoot, "local/plugin-doubles/program");
// Against the real azuread plugin each destroy waits ≥ 20 s per application, service principal and secret.
const stepTimeout = 240_000;
const appName = `smoke-${randomBytes(4).toString("hex")}`;
const containerToken = `token-${randomBytes(12).toString("hex")}`;
const redirectUri = "https://logto.example/callback/smoke";

let entra: EntraStandIn;
let engine: EngineSandbox;
let docker: DockerEngine | undefined;
let imageContext: string | undefined;
let destroyed = false;
let servicePrincipalId: string | undefined;

function changedNames(changes: { name: string; op: string }[]): string[] {
  return changes.map((c) => `${c.op} ${c.name}`).sort();
}

/** A stack output of the doubles' program; every one it exports is a string. */
async function output(name: string): Promise<string> {
  const value: unknown = (await engine.stack.outputs())[name]?.value;
  if (typeof value !== "string") throw new Error(`stack output ${name} is ${JSON.stringify(value)}, not a string`);
  return value;
}

function ourApplications() {
  return [...entra.tenant(entra.tenantIds[0]).applications.values()].filter((app) =>
    app.displayName?.startsWith(appName),
  );
}

beforeAll(async () => {
  await ensurePluginsOnPath();
  entra = await startEntraStandIn();
  const found = await findDockerEngine();
  if (typeof found === "string") {
    console.warn(`plugin smoke test: the Docker part is skipped: ${found}`);
  } else {
    docker = found;
    imageContext = await smokeImageContext();
  }
  engine = await createEngineSandbox(`smoke-${randomBytes(3).toString("hex")}`, programDir);
  const tenantId = entra.tenantIds[0];
  const deployer = entra.deployer(tenantId);
  const extraEnv: Record<string, string> = {
    SSL_CERT_FILE: entra.caFile,
    ARM_CLIENT_ID: deployer.clientId,
    ARM_CLIENT_SECRET: deployer.clientSecret,
    // The doubles' consistency waits (≥ 5 s each for the real plugin) shrink; the calls stay the same.
    AZUREAD_DOUBLE_TIME_SCALE: "0.01",
    ...(docker ? { DOCKER_HOST: docker.host } : {}),
  };
  Object.assign(engine.env, extraEnv);
  Object.assign((engine.stack.workspace as LocalWorkspace).envVars, extraEnv);
  await engine.stack.setAllConfig({
    who: { value: "world" },
    azuread: { value: "true" },
    tenantId: { value: tenantId },
    metadataHost: { value: entra.metadataHost },
    appName: { value: appName },
    redirectUri: { value: redirectUri },
    docker: { value: docker ? "true" : "false" },
    ...(docker && imageContext
      ? {
          imageContext: { value: imageContext },
          dockerPort: { value: String(20000 + Math.floor(Math.random() * 20000)) },
          dockerNetworkMode: { value: docker.networkMode },
          containerToken: { value: containerToken, secret: true },
        }
      : {}),
  });
}, stepTimeout);

afterAll(async () => {
  if (engine && !destroyed) await engine.destroy().catch(() => undefined);
  await engine?.stack.workspace.removeStack(engine.stackName).catch(() => undefined);
  await engine?.dispose();
  await entra?.close();
  if (imageContext) await rm(imageContext, { recursive: true, force: true });
}, stepTimeout);

describe.sequential("the provider plugins under the real engine", () => {
  it(
    "a preview of the new stack plans every create and changes nothing",
    async () => {
      const { changes } = await engine.preview();
      expect(changes.filter((c) => c.op === "create").map((c) => c.name)).toEqual(
        expect.arrayContaining([
          "smoke-app",
          "smoke-secret",
          "smoke-consent",
          "node-check",
          ...(docker ? ["smoke-container"] : []),
        ]),
      );
      expect(ourApplications()).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "up creates every resource, with the outputs the program uses",
    async () => {
      const { changes } = await engine.up();
      const expected = [
        "greeting",
        "node-check",
        "entra",
        "smoke-app",
        "smoke-graph-access",
        "smoke-sp",
        "smoke-consent",
        "smoke-secret",
        "smoke-redirect-uris",
        ...(docker ? ["smoke-image", "smoke-container", "container-check"] : []),
      ];
      expect(
        changes
          .filter((c) => c.op === "create")
          .map((c) => c.name)
          .sort(),
      ).toEqual(expect.arrayContaining(expected.sort()));
      expect(await output("greetingStdout")).toBe("hello world");
      expect(await output("nodeCheckStdout")).toBe("HELLO WORLD");

      const [app] = ourApplications();
      expect(app?.id).toBe(await output("appObjectId"));
      expect(app.web.redirectUris).toEqual([redirectUri]);
      expect(app.passwordCredentials.map((c) => c.keyId)).toEqual([await output("passwordKeyId")]);
      expect(app.requiredResourceAccess.map((r) => r.resourceAppId)).toEqual(["00000003-0000-0000-c000-000000000000"]);
      const tenant = entra.tenant(entra.tenantIds[0]);
      const sp = tenant.servicePrincipalByAppId(app.appId);
      expect(sp).toBeDefined();
      servicePrincipalId = sp?.id;
      const grants = [...tenant.oauth2PermissionGrants.values()].filter((g) => g.clientId === sp?.id);
      expect(grants.map((g) => g.scope)).toEqual(["openid profile email"]);
      expect(await output("callerObjectId")).toBe(entra.deployer(entra.tenantIds[0]).objectId);
      if (docker) {
        expect(await output("imageRef")).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await dockerStatus(docker, `/containers/${await output("containerId")}/json`)).toBe(200);
      }
    },
    stepTimeout,
  );

  it(
    "a second preview has nothing to do",
    async () => {
      const { changes } = await engine.preview();
      expect(changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "a display name changed by hand in Entra is put back by up --refresh",
    async () => {
      const [app] = ourApplications();
      app.displayName = "renamed by hand";
      const preview = await engine.preview({ refresh: true });
      expect(changedNames(preview.changes)).toEqual(["update smoke-app"]);
      expect(preview.changes[0].diffs).toEqual(["displayName"]);
      await engine.up({ refresh: true });
      expect(ourApplications()[0].displayName).toBe(appName);
    },
    stepTimeout,
  );

  it(
    "a new rotation period replaces the secret, the new one first",
    async () => {
      const before = await output("passwordKeyId");
      await engine.stack.setConfig("rotation", { value: "2" });
      const { changes } = await engine.up();
      expect(changes.filter((c) => c.name === "smoke-secret").map((c) => c.op)).toContain("replace");
      const after = await output("passwordKeyId");
      expect(after).not.toBe(before);
      expect(ourApplications()[0].passwordCredentials.map((c) => c.keyId)).toEqual([after]);
    },
    stepTimeout,
  );

  it(
    "new settings update what can be updated and replace the rest",
    async () => {
      const containerBefore = docker ? await output("containerId") : undefined;
      await engine.stack.setAllConfig({ who: { value: "moon" }, redirectUri: { value: `${redirectUri}-2` } });
      const { changes } = await engine.up();
      const opsOf = (name: string) => changes.filter((c) => c.name === name).map((c) => c.op);
      // command: an environment change is an update (the `update` script runs); azuread: the URI list is updated.
      for (const name of ["greeting", "node-check", "smoke-redirect-uris"]) expect(opsOf(name)).toEqual(["update"]);
      expect(await output("greetingStdout")).toBe("hello again moon (was: hello world)");
      expect(ourApplications()[0].web.redirectUris).toEqual([`${redirectUri}-2`]);
      if (docker) {
        // envs is ForceNew: a new container, the old one removed first (name and port are taken until then).
        expect(opsOf("smoke-container")).toContain("replace");
        expect(opsOf("container-check")).toContain("replace");
        const deletedFirst = changes.findIndex((c) => c.name === "smoke-container" && c.op === "delete-replaced");
        const created = changes.findIndex((c) => c.name === "smoke-container" && c.op === "create-replacement");
        expect(deletedFirst).toBeGreaterThanOrEqual(0);
        expect(deletedFirst).toBeLessThan(created);
        expect(await output("containerId")).not.toBe(containerBefore);
      }
    },
    stepTimeout,
  );

  it(
    "a new restart policy updates the container in place",
    async (context) => {
      if (!docker) context.skip();
      const id = await output("containerId");
      await engine.stack.setConfig("restart", { value: "always" });
      const { changes } = await engine.up();
      expect(changedNames(changes)).toEqual(["update smoke-container"]);
      expect(await output("containerId")).toBe(id);
    },
    stepTimeout,
  );

  it(
    "no secret is in plain text anywhere the engine wrote",
    async () => {
      const clientSecret = String(await output("clientSecret"));
      expect(clientSecret.length).toBeGreaterThan(8);
      const secrets = {
        "generated client secret": [clientSecret],
        "deployer secret": [entra.deployer(entra.tenantIds[0]).clientSecret],
        ...(docker ? { "container token": [containerToken] } : {}),
      };
      const exported = await engine.cli(["stack", "export"]);
      const sources = [
        ...engine.transcript,
        ...(await readAll(await engine.files())),
        { where: "pulumi stack export", text: exported },
      ];
      expect(findLeaks(secrets, sources)).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "destroy removes what the stack made from Entra and Docker",
    async () => {
      const containerId = docker ? await output("containerId") : undefined;
      const imageRef = docker ? await output("imageRef") : undefined;
      await engine.destroy();
      destroyed = true;
      expect(ourApplications()).toEqual([]);
      const tenant = entra.tenant(entra.tenantIds[0]);
      expect([...tenant.oauth2PermissionGrants.values()]).toEqual([]);
      expect(servicePrincipalId && tenant.servicePrincipals.has(servicePrincipalId)).toBe(false);
      if (docker) {
        expect(await dockerStatus(docker, `/containers/${containerId}/json`)).toBe(404);
        // Like the real Image, the double leaves the built image in the engine.
        expect(await dockerStatus(docker, `/images/${imageRef}/json`)).toBe(200);
      }
      expect(await stateResources(engine.stack)).toHaveLength(0);
    },
    stepTimeout,
  );
});
