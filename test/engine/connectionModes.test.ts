/**
 * infra/ under the real engine with both ways of connecting a customer tenant: contoso in mode managed (the
 * stack makes the app registration) and fabrikam in mode provided (the customer's admin made it and sent a
 * client id and secret). Then the customer rotates their secret, and contoso is renamed: a rename must replace
 * nothing (same Entra client id, same Logto connector and callback URI). Steps share one stack.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEntraPassword, registerEntraApp, type EntraApp } from "../../local/browser/chain";
import { ChangeStep, EngineSandbox } from "../../local/engine/engine";
import {
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localStackConfig,
  localTenants,
  openLocalStack,
  type LocalStack,
  type LocalWorld,
} from "../../local/stack";

const stepTimeout = 10 * 60_000;

let local: LocalStack;
let world: LocalWorld;
let engine: EngineSandbox;
let customerApp: EntraApp;
let contosoIds: { clientId: string; connectorId: string; callbackUri: string };

/** A connector as the Management API shows it (the stand-in's or a real Logto's). */
async function connector(connectorName: string) {
  const found = (await world.logto.tenant.connectors()).find((row) => row.connectorName === connectorName);
  if (!found) throw new Error(`no connector ${connectorName}`);
  return found;
}

/** The connectors this stack made: its name prefixes theirs (other stacks may share a real Logto). */
async function stackConnectors() {
  return (await world.logto.tenant.connectors()).filter((row) => row.connectorName.startsWith(`${engine.stackName}-`));
}

function appsIn(tenantId: string) {
  return [...world.entra.tenant(tenantId).applications.values()].filter(
    (app) => app.appId !== world.entra.deployer(tenantId).clientId,
  );
}

async function connectionOutputs(): Promise<Record<string, Record<string, unknown>>> {
  return (await engine.stack.outputs()).connections?.value as Record<string, Record<string, unknown>>;
}

function steps(changes: ChangeStep[]): string[] {
  return changes
    .filter((step) => !step.type.startsWith("pulumi:providers:"))
    .map((step) => `${step.op} ${step.name}`)
    .sort();
}

beforeAll(async () => {
  local = await openLocalStack("modes", { standIns: { issuerFetchTimeoutMs: 1000 } });
  ({ engine } = local);
  world = local.world;
  // What the customer's administrator did in their tenant before sending the client id and a secret.
  customerApp = await registerEntraApp(world.entra, localTenants.fabrikam, "Logto SSO (made by Fabrikam's admin)");
  const config = localStackConfig(world, {
    connections: [
      localConnection("contoso", localTenants.contoso, { domains: [localDomain("contoso", world.domainSuffix)] }),
      localConnection("fabrikam", localTenants.fabrikam, {
        mode: "provided",
        clientId: customerApp.appId,
        domains: [localDomain("fabrikam", world.domainSuffix)],
      }),
    ],
  });
  config.pathSecrets["logto-entra-sso:connections[1].clientSecret"] = { value: customerApp.secret, secret: true };
  await applyLocalStackConfig(engine.stack, config);
}, 30 * 60_000);

afterAll(async () => {
  await local?.close();
}, 10 * 60_000);

describe.sequential("engine: managed and provided connections, a customer's secret rotation, a rename", () => {
  it(
    "1. a provided connection gets only its Logto connector, with the customer's client id and secret, and the steps for the admin",
    async () => {
      const up = await engine.up();
      expect(up.result.summary.result).toBe("succeeded");
      // Nothing made in the customer's tenant, and no azuread provider for it.
      expect(appsIn(localTenants.fabrikam).map((app) => app.appId)).toEqual([customerApp.appId]);
      expect(up.changes.map((step) => step.name)).not.toContain("fabrikam-azuread");
      const fabrikam = await connector(`${engine.stackName}-fabrikam`);
      expect(fabrikam.config).toMatchObject({
        clientId: customerApp.appId,
        clientSecret: customerApp.secret,
        issuer: world.entra.issuerFor(localTenants.fabrikam),
      });

      const outputs = await connectionOutputs();
      const callbackUri = `${world.logto.url}/callback/${fabrikam.id}`;
      expect(outputs.fabrikam).toMatchObject({
        mode: "provided",
        entraClientId: customerApp.appId,
        callbackUri,
        adminConsentUrl: `${world.entra.url}/${localTenants.fabrikam}/adminconsent?client_id=${customerApp.appId}`,
      });
      expect(outputs.fabrikam.customerAdminSteps).toEqual([
        expect.stringContaining(`redirect URI ${callbackUri}`),
        expect.stringContaining("openid profile email User.Read"),
        expect.stringContaining("connections[1].clientSecret"),
      ]);
      expect(JSON.stringify(outputs)).not.toContain(customerApp.secret);
      const [contosoApp] = appsIn(localTenants.contoso);
      const contoso = await connector(`${engine.stackName}-contoso`);
      contosoIds = {
        clientId: contosoApp.appId,
        connectorId: contoso.id,
        callbackUri: `${world.logto.url}/callback/${contoso.id}`,
      };
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "2. the customer rotates their secret: the new value in config updates the connector in place, nothing else",
    async () => {
      const rotated = await addEntraPassword(customerApp);
      await engine.stack.setConfig(
        "logto-entra-sso:connections[1].clientSecret",
        { value: rotated.secret, secret: true },
        true,
      );
      const up = await engine.up();
      expect(steps(up.changes)).toEqual(["update fabrikam-sso-connector"]);
      expect((await connector(`${engine.stackName}-fabrikam`)).config.clientSecret).toBe(rotated.secret);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "3. renaming a connection with formerNames replaces nothing: same client id, connector and callback URI",
    async () => {
      const settings = (await engine.stack.getAllConfig())["logto-entra-sso:connections"];
      // As a person edits Pulumi.<stack>.yaml: the list without its secrets (they stay set by path).
      const connections = (JSON.parse(settings.value) as Array<Record<string, unknown>>).map(
        ({ clientSecret: _secret, ...rest }) => rest,
      );
      const { clientSecret: _deployerSecret, ...credentials } = connections[0].credentials as Record<string, unknown>;
      connections[0] = { ...connections[0], credentials, name: "contoso-eu", formerNames: ["contoso"] };
      const deployerSecret = world.entra.deployer(localTenants.contoso).clientSecret;
      await applyLocalStackConfig(engine.stack, {
        settings: { "logto-entra-sso:connections": connections },
        pathSecrets: {
          "logto-entra-sso:connections[0].credentials.clientSecret": { value: deployerSecret, secret: true },
          "logto-entra-sso:connections[1].clientSecret": {
            value: String((await connector(`${engine.stackName}-fabrikam`)).config.clientSecret),
            secret: true,
          },
        },
      });

      const preview = await engine.preview();
      const planned = preview.changes.filter((step) => !step.type.startsWith("pulumi:providers:"));
      expect(planned.filter((step) => step.op !== "update").map((step) => `${step.op} ${step.name}`)).toEqual([]);
      const up = await engine.up();
      expect(up.changes.filter((step) => step.op !== "update").map((step) => `${step.op} ${step.name}`)).toEqual([]);
      expect(steps(up.changes)).toEqual(expect.arrayContaining(["update contoso-eu-sso-connector"]));

      const [contosoApp] = appsIn(localTenants.contoso);
      expect(contosoApp.appId).toBe(contosoIds.clientId);
      const renamed = await connector(`${engine.stackName}-contoso-eu`);
      expect(renamed.id).toBe(contosoIds.connectorId);
      expect(contosoApp.web.redirectUris).toEqual([contosoIds.callbackUri]);
      expect(Object.keys(await connectionOutputs()).sort()).toEqual(["contoso-eu", "fabrikam"]);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "4. destroy removes what the stack made and leaves the customer's app registration alone",
    async () => {
      const destroy = await engine.destroy();
      expect(destroy.result.summary.result).toBe("succeeded");
      expect(appsIn(localTenants.contoso)).toEqual([]);
      expect(appsIn(localTenants.fabrikam).map((app) => app.appId)).toEqual([customerApp.appId]);
      expect(await stackConnectors()).toEqual([]);
    },
    stepTimeout,
  );
});
