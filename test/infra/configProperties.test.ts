/**
 * Property-based checks of the stack config validation: generated valid configs are all accepted, and every
 * generated config with one thing wrong (a wrong type, a bad domain or URL, a duplicate, a number just past a
 * bound) is refused with a message that names the field, before anything is declared.
 */
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { RawStackConfig, validateStackConfig } from "../../infra/config";
import { publicEmailDomains } from "../../providers/logto/validation";
import { now } from "./fixtures";
import { finish, startRecording } from "./harness";

const ns = "logto-entra-sso";
const context = { stack: "dev", now };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Connection = { [key: string]: Json };
interface Config {
  logtoEndpoint: string;
  connections: Connection[];
  sampleApp: { [key: string]: Json };
  protect: boolean;
  rotationEpoch: string;
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const domain = fc
  .tuple(label, fc.constantFrom("com", "net", "io", "example", "co.uk"))
  .map(([name, tld]) => `${name}.${tld}`)
  .filter((value) => !publicEmailDomains.includes(value));
const connectionName = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,12}[a-z0-9])?$/);
const guid = fc.uuid().map((value) => value.toLowerCase());

const connection: fc.Arbitrary<Connection> = fc.record(
  {
    name: connectionName,
    tenantId: guid,
    domains: fc.uniqueArray(domain, { minLength: 1, maxLength: 3 }),
    extraScopes: fc.subarray(["User.Read", "Mail.Read", "Calendars.Read", "offline_access"]),
    tokenStorage: fc.boolean(),
    syncProfile: fc.boolean(),
    trustUnverifiedEmail: fc.boolean(),
    adminConsent: fc.boolean(),
    secretRotationDays: fc.integer({ min: 1, max: 700 }),
    signInAudience: fc.constantFrom("AzureADMyOrg", "AzureADMultipleOrgs"),
    branding: fc.record(
      { displayName: label, logo: label.map((name) => `https://cdn.example.com/${name}.svg`) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["name", "tenantId", "domains"] },
);

const validConfig: fc.Arbitrary<Config> = fc
  .record({
    logtoEndpoint: fc.constantFrom(
      "https://auth.example.com",
      "https://tenant.logto.app",
      "http://localhost:3001",
      "https://auth.example.com:8443",
    ),
    connections: fc.uniqueArray(connection, { selector: (c) => c.name, maxLength: 4 }),
    port: fc.integer({ min: 1, max: 65535 }),
    enabled: fc.boolean(),
    restartPolicy: fc.constantFrom("no", "on-failure", "always", "unless-stopped"),
    secretKey: fc.string({ minLength: 32, maxLength: 64 }),
    protect: fc.boolean(),
    rotationEpoch: fc
      .date({ min: new Date("2020-01-01T00:00:00Z"), max: now, noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    localUrl: fc.boolean(),
  })
  // Each email domain on one connection only; no multi-tenant connection trusts unverified email.
  .filter(({ connections }) =>
    connections.every((c) => !(c.trustUnverifiedEmail === true && c.signInAudience === "AzureADMultipleOrgs")),
  )
  .filter(({ connections }) => {
    const all = connections.flatMap((c) => c.domains as string[]);
    return new Set(all).size === all.length;
  })
  .map(({ port, enabled, restartPolicy, secretKey, localUrl, ...rest }) => ({
    ...rest,
    sampleApp: {
      port,
      enabled,
      restartPolicy,
      secretKey,
      baseUrl: localUrl ? `http://localhost:${port}` : "https://app.example.com",
    },
  }));

function raw(config: Config): RawStackConfig {
  return { ...config };
}

/** One thing made wrong in a valid config, and the field the message must name. */
interface Mutation {
  config: Config;
  field: string;
}

function clone(config: Config): Config {
  return structuredClone(config);
}

const connectionField = (index: number, key: string) => `${ns}:connections[${index}].${key}`;

/** Values of the wrong type for each kind of setting (ones the readers would not coerce). */
const wrongTypes: { [key: string]: Json[] } = {
  string: [5, true, [], { a: 1 }],
  boolean: [3, "yes", [], { a: 1 }],
  integer: ["abc", 1.5, true, { a: 1 }, []],
  list: ["text", 5, { a: 1 }, [5], [true]],
  object: ["text", 5, [], true],
  // A version label: text, or a whole number (`pulumi config set --path` stores 2 as a number).
  label: [true, [], { a: 1 }, 1.5],
};
const connectionFieldKinds: Array<[string, keyof typeof wrongTypes]> = [
  ["name", "string"],
  ["tenantId", "string"],
  ["domains", "list"],
  ["extraScopes", "list"],
  ["formerNames", "list"],
  ["tokenStorage", "boolean"],
  ["syncProfile", "boolean"],
  ["trustUnverifiedEmail", "boolean"],
  ["adminConsent", "boolean"],
  ["secretRotationDays", "integer"],
  ["signInAudience", "string"],
  ["mode", "string"],
  ["branding", "object"],
  ["credentials", "object"],
];
const sampleAppFieldKinds: Array<[string, keyof typeof wrongTypes]> = [
  ["enabled", "boolean"],
  ["port", "integer"],
  ["baseUrl", "string"],
  ["restartPolicy", "string"],
  ["bindAddress", "string"],
  ["imageName", "string"],
  ["appSecretVersion", "label"],
];

/** A config with at least one connection, and the index of one of them. */
const withConnection = validConfig.filter((c) => c.connections.length > 0);
const pick = <T>(items: readonly T[]) => fc.integer({ min: 0, max: items.length - 1 }).map((i) => items[i]);

const wrongConnectionType: fc.Arbitrary<Mutation> = fc
  .tuple(withConnection, fc.nat(), pick(connectionFieldKinds), fc.nat())
  .map(([config, n, [key, kind], v]) => {
    const out = clone(config);
    const index = n % out.connections.length;
    out.connections[index][key] = wrongTypes[kind][v % wrongTypes[kind].length];
    return { config: out, field: connectionField(index, key) };
  });

const wrongSampleAppType: fc.Arbitrary<Mutation> = fc
  .tuple(validConfig, pick(sampleAppFieldKinds), fc.nat())
  .map(([config, [key, kind], v]) => {
    const out = clone(config);
    out.sampleApp[key] = wrongTypes[kind][v % wrongTypes[kind].length];
    return { config: out, field: `${ns}:sampleApp.${key}` };
  });

const badDomainValue = fc.oneof(
  domain.map((d) => d.toUpperCase()),
  domain.map((d) => `user@${d}`),
  domain.map((d) => `https://${d}`),
  domain.map((d) => `${d}/path`),
  domain.map((d) => ` ${d}`),
  label.map((l) => l),
  domain.map((d) => `-${d}`),
  fc.constant(`${"a".repeat(64)}.com`),
  pick(publicEmailDomains),
);
const badDomain: fc.Arbitrary<Mutation> = fc
  .tuple(withConnection, fc.nat(), fc.nat(), badDomainValue)
  .map(([config, n, m, value]) => {
    const out = clone(config);
    const index = n % out.connections.length;
    const domains = out.connections[index].domains as string[];
    const at = m % (domains.length + 1);
    domains.splice(at, 0, value);
    return { config: out, field: `${connectionField(index, "domains")}[${at}]` };
  });

const badUrl: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .tuple(
      validConfig,
      fc.constantFrom(
        "auth.example.com",
        "ftp://auth.example.com",
        "https://auth.example.com/",
        "https://auth.example.com/oidc",
        "http://auth.example.com",
        "https://",
      ),
    )
    .map(([config, value]) => ({ config: { ...clone(config), logtoEndpoint: value }, field: "logto:endpoint" })),
  fc
    .tuple(validConfig, fc.constantFrom("localhost:8080", "https://app.example.com/", "app", "mailto:a@b.c"))
    .map(([config, value]) => {
      const out = clone(config);
      out.sampleApp.baseUrl = value;
      return { config: out, field: `${ns}:sampleApp.baseUrl` };
    }),
  fc
    .tuple(
      withConnection,
      fc.nat(),
      fc.constantFrom("http://cdn.example.com/logo.svg", "logo.svg", "ftp://cdn.example.com/logo.svg"),
      fc.constantFrom("logo", "darkLogo"),
    )
    .map(([config, n, value, key]) => {
      const out = clone(config);
      const index = n % out.connections.length;
      out.connections[index].branding = { [key]: value };
      return { config: out, field: `${connectionField(index, "branding")}.${key}` };
    }),
);

const duplicate: fc.Arbitrary<Mutation> = fc
  .tuple(
    validConfig.filter((c) => c.connections.length >= 2),
    fc.nat(),
    fc.constantFrom("name", "domain", "connectorName"),
  )
  .map(([config, n, what]) => {
    const out = clone(config);
    const later = 1 + (n % (out.connections.length - 1));
    const first = out.connections[0];
    if (what === "name") {
      out.connections[later].name = first.name;
      return { config: out, field: connectionField(later, "name") };
    }
    if (what === "connectorName") {
      first.connectorName = "shared-connector";
      out.connections[later].connectorName = "shared-connector";
      return { config: out, field: connectionField(later, "connectorName") };
    }
    const domains = out.connections[later].domains as string[];
    domains.push((first.domains as string[])[0]);
    return { config: out, field: `${connectionField(later, "domains")}[${domains.length - 1}]` };
  });

const pastBounds: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(withConnection, fc.nat(), fc.constantFrom(0, -1, 701, 730, 1.5, 100000)).map(([config, n, days]) => {
    const out = clone(config);
    const index = n % out.connections.length;
    out.connections[index].secretRotationDays = days;
    return { config: out, field: connectionField(index, "secretRotationDays") };
  }),
  fc.tuple(validConfig, fc.constantFrom(0, -80, 65536, 80.5)).map(([config, port]) => {
    const out = clone(config);
    out.sampleApp.port = port;
    out.sampleApp.baseUrl = "https://app.example.com";
    return { config: out, field: `${ns}:sampleApp.port` };
  }),
  fc.tuple(validConfig, fc.integer({ min: 0, max: 31 })).map(([config, short]) => {
    const out = clone(config);
    out.sampleApp.enabled = true;
    out.sampleApp.secretKey = "k".repeat(short);
    return { config: out, field: `${ns}:sampleApp.secretKey` };
  }),
  fc
    .tuple(validConfig, fc.constantFrom("2999-01-01", "2025-02-30", "01/01/2025", "yesterday"))
    .map(([config, epoch]) => ({
      config: { ...clone(config), rotationEpoch: epoch },
      field: `${ns}:rotationEpoch`,
    })),
  fc
    .tuple(
      withConnection,
      fc.nat(),
      fc.constantFrom(
        "not-a-guid",
        "{11111111-1111-4111-8111-111111111111}",
        "11111111-1111-4111-8111-11111111111A",
        "",
      ),
    )
    .map(([config, n, tenantId]) => {
      const out = clone(config);
      const index = n % out.connections.length;
      out.connections[index].tenantId = tenantId;
      return { config: out, field: connectionField(index, "tenantId") };
    }),
);

const badConfig: fc.Arbitrary<Mutation> = fc.oneof(
  wrongConnectionType,
  wrongSampleAppType,
  badDomain,
  badUrl,
  duplicate,
  pastBounds,
);

function refusal(config: Config): string | undefined {
  try {
    validateStackConfig(raw(config), context);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

afterEach(() => pulumi.runtime.setAllConfig({}));

describe("stack config validation, over generated configs", () => {
  it("accepts every valid config (1,000 generated)", () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(refusal(config)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses every config with one thing wrong, naming the field (1,500 generated)", () => {
    fc.assert(
      fc.property(badConfig, ({ config, field }) => {
        const message = refusal(config);
        expect(message, `accepted although ${field} is wrong`).toBeDefined();
        expect(message).toContain(`${field} is `);
      }),
      { numRuns: 1500 },
    );
  });

  it("declares nothing when the config is refused (through the entry point's loader, 40 generated)", async () => {
    await fc.assert(
      fc.asyncProperty(badConfig, async ({ config, field }) => {
        pulumi.runtime.setAllConfig({
          "logto:endpoint": config.logtoEndpoint,
          [`${ns}:connections`]: JSON.stringify(config.connections),
          [`${ns}:sampleApp`]: JSON.stringify(config.sampleApp),
          [`${ns}:protect`]: String(config.protect),
          [`${ns}:rotationEpoch`]: config.rotationEpoch,
        });
        const recording = await startRecording();
        const { loadStackConfig } = await import("../../infra/config");
        expect(() => loadStackConfig(now)).toThrow(`${field} is `);
        await finish();
        expect(recording.resources).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
