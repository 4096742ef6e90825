/**
 * The product's own program (infra/, the real Pulumi.yaml and config schema) under the real engine, with the
 * azuread plugin (the real one where installed, our double otherwise: local/engine/provider-plugins.sh) against the
 * Graph + Entra stand-in and the Logto provider against the Logto stand-in (or a real Logto: LOGTO_E2E_*, see
 * local/README.md; its writes are then not seen, so the write checks cover Entra alone): two connections in two tenants,
 * taken through up, a clean second run, drift made by hand in Entra, a secret rotation with the clock moved
 * on, and destroy. The steps share one stack, so they run in order.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  microsoftGraphAppId,
  microsoftGraphScopes,
  type Application,
  type TenantDirectory,
} from "../../local/standins/entra";
import { ChangeStep, EngineSandbox, readAll } from "../../local/engine/engine";
import { findLeaks, type TextSource } from "../../local/engine/leaks";
import {
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localSecrets,
  localStackConfig,
  localTenants,
  openLocalStack,
  type LocalStack,
  type LocalWorld,
} from "../../local/stack";

const stepTimeout = 10 * 60_000;
const tenants = [
  { name: "contoso", tenantId: localTenants.contoso },
  { name: "fabrikam", tenantId: localTenants.fabrikam },
] as const;
const scopeNames = ["openid", "profile", "email", "User.Read"];
const dayMs = 24 * 3600 * 1000;

let local: LocalStack;
let standIns: LocalWorld;
let realPlugins: string[] = [];
let engine: EngineSandbox;
let entraBefore: string;
const secretValues = new Map<string, Set<string>>();

function remember(what: string, values: Iterable<string>): void {
  const known = secretValues.get(what) ?? new Set<string>();
  for (const value of values) known.add(value);
  secretValues.set(what, known);
}

function directory(tenantId: string): TenantDirectory {
  return standIns.entra.tenant(tenantId);
}

/** The app registration the stack made in a tenant (the deployer's own is not one). */
function ourApplication(tenantId: string): Application {
  const apps = [...directory(tenantId).applications.values()].filter((app) => app.displayName?.endsWith("(Logto SSO)"));
  expect(apps, `app registrations made in ${tenantId}`).toHaveLength(1);
  return apps[0];
}

/** A connection's connector as the Management API shows it (the Logto stand-in's or a real Logto's). */
async function connectorOf(name: string) {
  const connectorName = `${engine.stackName}-${name}`;
  const connector = (await standIns.logto.tenant.connectors()).find((row) => row.connectorName === connectorName);
  if (!connector) throw new Error(`no connector ${connectorName} in Logto`);
  remember("Entra client secret", [String(connector.config.clientSecret)]);
  return connector;
}

/** What this stack made in Logto: its name prefixes every object's (others may share a real Logto). */
async function stackObjects(): Promise<{ connectors: string[]; applications: string[] }> {
  const ours = (name: string) => name.startsWith(`${engine.stackName}-`) || name.startsWith(`${engine.stackName} `);
  const [connectors, applications] = await Promise.all([
    standIns.logto.tenant.connectors(),
    standIns.logto.tenant.applications(),
  ]);
  return {
    connectors: connectors.filter((row) => ours(row.connectorName)).map((row) => row.id),
    applications: applications.filter((row) => ours(row.name)).map((row) => row.id),
  };
}

/** Resource steps as "op name", provider steps left out. */
function resourceSteps(changes: ChangeStep[]): string[] {
  return changes
    .filter((step) => !step.type.startsWith("pulumi:providers:"))
    .map((step) => `${step.op} ${step.name}`)
    .sort();
}

/** Requests that change something, in the order they arrived at either stand-in (Entra's alone with a real Logto). */
function writesSince(sequence: number): string[] {
  const isWrite = (method: string) => method !== "GET";
  const entra = standIns.entra.requests
    .filter((r) => r.sequence > sequence && isWrite(r.method) && !r.path.endsWith("/oauth2/v2.0/token"))
    .map((r) => ({ sequence: r.sequence, text: `entra ${r.method} ${r.path}` }));
  const logto = (standIns.logto.standIn?.requests ?? [])
    .filter((r) => r.sequence > sequence && isWrite(r.method) && r.path !== "/oidc/token")
    .map((r) => ({ sequence: r.sequence, text: `logto ${r.method} ${r.path}` }));
  return [...entra, ...logto].sort((a, b) => a.sequence - b.sequence).map((r) => r.text);
}

function lastSequence(): number {
  return Math.max(
    0,
    ...standIns.entra.requests.map((r) => r.sequence),
    ...(standIns.logto.standIn?.requests ?? []).map((r) => r.sequence),
  );
}

async function leakSources(): Promise<TextSource[]> {
  const exported = await engine.cli(["stack", "export"]);
  return [
    { where: "pulumi stack export", text: exported },
    ...engine.transcript,
    ...(await readAll(await engine.files())),
  ];
}

function secretsToFind(): { [what: string]: string[] } {
  return Object.fromEntries([...secretValues].map(([what, values]) => [what, [...values]]));
}

beforeAll(async () => {
  local = await openLocalStack("infra", {
    standIns: { issuerFetchTimeoutMs: 1000 },
    env: {
      // Lets step 4 move the program's clock on (test/engine/clock-shift.cjs); 0 until then.
      NODE_OPTIONS: `--require ${path.join(__dirname, "clock-shift.cjs")}`,
      CLOCK_SHIFT_MS: "0",
    },
  });
  ({ engine } = local);
  standIns = local.world;
  realPlugins = local.plugins.real;
  entraBefore = JSON.stringify(standIns.entra.dump());
  for (const [what, values] of Object.entries(
    localSecrets(
      standIns,
      tenants.map((t) => t.tenantId),
    ),
  ))
    remember(what, values);
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(standIns, {
      connections: tenants.map((t) =>
        localConnection(t.name, t.tenantId, {
          secretRotationDays: 30,
          domains: [localDomain(t.name, standIns.domainSuffix)],
        }),
      ),
    }),
  );
}, 30 * 60_000);

afterAll(async () => {
  await local?.close();
}, 10 * 60_000);

describe.sequential("engine: the real program (infra/) over the Entra and Logto stand-ins", () => {
  it(
    "1. up creates per tenant the registration, password, Graph access, service principal, grant, connector and redirect URI",
    async () => {
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const graphScopeIds = scopeNames.map((name) => microsoftGraphScopes.find((scope) => scope.value === name)?.id);
      expect(graphScopeIds.every((id) => typeof id === "string")).toBe(true);

      for (const { name, tenantId } of tenants) {
        const app = ourApplication(tenantId);
        const connector = await connectorOf(name);
        expect(connector).toMatchObject({
          providerName: "AzureAdOidc",
          domains: [localDomain(name, standIns.domainSuffix)],
          config: { clientId: app.appId, issuer: standIns.entra.issuerFor(tenantId), scope: "User.Read" },
        });
        expect(app).toMatchObject({
          signInAudience: "AzureADMyOrg",
          web: { redirectUris: [`${standIns.logto.url}/callback/${connector.id}`] },
          requiredResourceAccess: [{ resourceAppId: microsoftGraphAppId }],
        });
        // The provider keeps scope ids as a set: their order in Graph is its own.
        expect(app.requiredResourceAccess[0].resourceAccess).toEqual(
          expect.arrayContaining(graphScopeIds.map((id) => ({ id, type: "Scope" }))),
        );
        expect(app.requiredResourceAccess[0].resourceAccess).toHaveLength(graphScopeIds.length);
        expect(app.passwordCredentials).toHaveLength(1);
        const dir = directory(tenantId);
        const ourSp = dir.servicePrincipalByAppId(app.appId);
        const graphSp = dir.servicePrincipalByAppId(microsoftGraphAppId);
        expect(ourSp).toBeDefined();
        const grants = [...dir.oauth2PermissionGrants.values()];
        expect(grants).toEqual([
          expect.objectContaining({ clientId: ourSp?.id, resourceId: graphSp?.id, consentType: "AllPrincipals" }),
        ]);
        expect(grants[0].scope.split(" ").sort()).toEqual([...scopeNames].sort());
        // The connector holds the one password the registration has: Entra accepts it.
        expect(dir.checkSecret(app, String(connector.config.clientSecret))).toBe("valid");
      }
      expect(await standIns.logto.tenant.singleSignOnEnabled()).toBe(true);
      expect((await stackObjects()).connectors).toHaveLength(2);
    },
    stepTimeout,
  );

  it(
    "2. a second preview plans nothing, and up writes nothing to either system",
    async () => {
      const preview = await engine.preview();
      expect(preview.changes).toEqual([]);
      const since = lastSequence();
      const up = await engine.up();
      expect(up.changes).toEqual([]);
      expect(writesSince(since)).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "3. drift made by hand in Entra shows in preview --refresh; up --refresh repairs it and the connector gets the new secret",
    async () => {
      const contoso = ourApplication(localTenants.contoso);
      const fabrikam = ourApplication(localTenants.fabrikam);
      const oldFabrikamSecret = String((await connectorOf("fabrikam")).config.clientSecret);
      // As in the Entra admin center: a redirect URI removed, a Graph permission removed, a client secret deleted.
      contoso.web.redirectUris = [];
      contoso.requiredResourceAccess[0].resourceAccess = contoso.requiredResourceAccess[0].resourceAccess.slice(0, -1);
      fabrikam.passwordCredentials = [];

      const preview = await engine.preview({ refresh: true });
      const planned = resourceSteps(preview.changes);
      expect(planned).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(create|update) contoso-sso-redirect-uris$/),
          "update contoso-entra-graph-access",
          "create fabrikam-entra-secret",
        ]),
      );
      expect(
        planned.filter(
          (step) =>
            !/contoso-sso-redirect-uris|contoso-entra-graph-access|fabrikam-entra-secret|fabrikam-sso-connector/.test(
              step,
            ),
        ),
      ).toEqual([]);

      const up = await engine.up({ refresh: true });
      expect(up.result.summary.result).toBe("succeeded");
      // Graph writes replace the stored objects: read them again.
      const [contosoAfter, fabrikamAfter] = [
        ourApplication(localTenants.contoso),
        ourApplication(localTenants.fabrikam),
      ];
      expect(contosoAfter.web.redirectUris).toEqual([
        `${standIns.logto.url}/callback/${(await connectorOf("contoso")).id}`,
      ]);
      expect(contosoAfter.requiredResourceAccess[0].resourceAccess).toHaveLength(scopeNames.length);
      expect(fabrikamAfter.passwordCredentials).toHaveLength(1);
      const newSecret = String((await connectorOf("fabrikam")).config.clientSecret);
      expect(newSecret).not.toBe(oldFabrikamSecret);
      expect(directory(localTenants.fabrikam).checkSecret(fabrikamAfter, newSecret)).toBe("valid");
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "4. rotation: past the period boundary the new password is made, the connector updated, and only then the old password removed",
    async () => {
      const app = ourApplication(localTenants.contoso);
      const [oldKey] = app.passwordCredentials.map((credential) => credential.keyId);
      const since = lastSequence();
      engine.stack.workspace.envVars.CLOCK_SHIFT_MS = String(31 * dayMs);
      const up = await engine.up();
      // Both connections rotate (same period length); a replacement, the new password first.
      expect(resourceSteps(up.changes)).toEqual(
        ["contoso", "fabrikam"]
          .flatMap((name) => [
            `create-replacement ${name}-entra-secret`,
            `delete-replaced ${name}-entra-secret`,
            `replace ${name}-entra-secret`,
            `update ${name}-sso-connector`,
          ])
          .sort(),
      );
      const contosoConnectorId = (await connectorOf("contoso")).id;
      const writes = writesSince(since).filter((write) => write.includes(app.id) || write.includes(contosoConnectorId));
      const added = writes.indexOf(`entra POST /v1.0/applications/${app.id}/addPassword`);
      const removed = writes.indexOf(`entra POST /v1.0/applications/${app.id}/removePassword`);
      expect(added).toBeGreaterThanOrEqual(0);
      expect(removed).toBeGreaterThan(added);
      // The connector's update between the two shows in the Logto stand-in's request log (a real Logto keeps
      // none); with either, the connector ends with the one valid password (below).
      if (standIns.logto.standIn) {
        const patched = writes.indexOf(`logto PATCH /api/sso-connectors/${contosoConnectorId}`);
        expect(patched).toBeGreaterThan(added);
        expect(removed).toBeGreaterThan(patched);
      }
      const rotated = ourApplication(localTenants.contoso);
      expect(rotated.passwordCredentials.map((credential) => credential.keyId)).not.toContain(oldKey);
      expect(rotated.passwordCredentials).toHaveLength(1);
      expect(
        directory(localTenants.contoso).checkSecret(
          rotated,
          String((await connectorOf("contoso")).config.clientSecret),
        ),
      ).toBe("valid");
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "5. destroy leaves Entra and Logto as found, and nothing the engine wrote or printed holds a secret",
    async () => {
      const sources = await leakSources();
      const destroy = await engine.destroy();
      expect(destroy.result.summary.result).toBe("succeeded");
      expect(JSON.stringify(standIns.entra.dump())).toBe(entraBefore);
      expect(await stackObjects()).toEqual({ connectors: [], applications: [] });
      if (standIns.logto.standIn) {
        expect([...standIns.logto.standIn.state.ssoConnectors.values()]).toEqual([]);
        expect([...standIns.logto.standIn.state.applications.values()]).toEqual([]);
      }
      const leaks = findLeaks(secretsToFind(), [...sources, ...(await leakSources())]);
      expect(leaks.filter((leak) => leak.upstream === undefined)).toEqual([]);
      const upstream = leaks.filter((leak) => leak.upstream !== undefined);
      if (realPlugins.includes("azuread")) {
        // Known, and not ours to fix: see leaks.ts. Reported so that a run with the real plugin says so.
        console.warn(
          `${upstream.length} plain-text secret(s) in debug diagnostics of the real azuread plugin: ${[...new Set(upstream.map((l) => l.secret))].join(", ")}`,
        );
      } else {
        expect(upstream).toEqual([]);
      }
    },
    stepTimeout,
  );
});
