/**
 * docs/configuration.md against the settings the program accepts: Pulumi.yaml's `config:` schema, the keys
 * the config readers take and the Logto provider's settings. A key without a section, a section for a key
 * that is gone, or a default that is not the one the code applies fails here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../infra/config";
import { brandingKeys, connectionKeys, credentialKeys } from "../../infra/connectionConfig";
import { entraKeys } from "../../infra/entraCloud";
import {
  connectionOrganizationKeys,
  organizationRoleKeys,
  organizationScopeKeys,
  organizationTemplateKeys,
} from "../../infra/organizationConfig";
import { sampleAppKeys } from "../../infra/sampleAppConfig";
import { resolveManagementApiSettings, settingKeys } from "../../providers/logto/settings";
import { headings, readDoc, repoRoot, sectionBody } from "./markdown";

const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
const projectText = readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8");
const project = yaml.load(projectText) as { config: { [key: string]: { default: unknown } } };
const doc = readDoc("docs/configuration.md");

/** Sections whose heading is one code span name a key: "`sampleApp.port`". */
const keySections = new Map(
  headings(doc).flatMap((heading) => {
    const key = /^`([^`]+)`$/.exec(heading.text)?.[1];
    return key ? [[key, sectionBody(doc, heading)] as const] : [];
  }),
);

/** The program's own top-level keys as infra/config.ts reads them (`own.get("…")`). */
const readTopLevelKeys = [
  ...readFileSync(join(repoRoot, "infra/config.ts"), "utf8").matchAll(/own\.get\("(\w+)"\)/g),
].map((m) => m[1]);

const acceptedKeys = [
  ...Object.values(settingKeys).map((key) => key.config),
  ...Object.keys(project.config),
  ...connectionKeys.map((key) => `connections[].${key}`),
  ...brandingKeys.map((key) => `connections[].branding.${key}`),
  ...credentialKeys.map((key) => `connections[].credentials.${key}`),
  ...connectionOrganizationKeys.map((key) => `connections[].organization.${key}`),
  ...organizationTemplateKeys.map((key) => `organizationTemplate.${key}`),
  ...organizationScopeKeys.map((key) => `organizationTemplate.scopes[].${key}`),
  ...organizationRoleKeys.map((key) => `organizationTemplate.roles[].${key}`),
  ...entraKeys.map((key) => `entra.${key}`),
  ...sampleAppKeys.map((key) => `sampleApp.${key}`),
];

function bullet(body: string, label: string): string | undefined {
  // The value follows on the line, or (Example) in a code block under it.
  return new RegExp(`^- \\*\\*${label}:\\*\\*(.*)$`, "m").exec(body)?.[1].trim();
}

/** The first code span of a section's Default line, placeholders filled as the defaults below are computed. */
function documentedDefault(key: string): string | undefined {
  const line = bullet(keySections.get(key) ?? "", "Default");
  const code = line !== undefined ? /`([^`]*)`/.exec(line)?.[1] : undefined;
  return code
    ?.replace(/<stack>/g, "dev")
    .replace(/<name>/g, "contoso")
    .replace(/<port>/g, "8080");
}

const shown = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined"));

describe("docs/configuration.md", () => {
  it("Pulumi.yaml declares exactly the top-level keys infra/config.ts reads", () => {
    expect([...readTopLevelKeys].sort()).toEqual(Object.keys(project.config).sort());
  });

  it("has a section for every key the program accepts, and none for a key it does not", () => {
    const documented = [...keySections.keys()].sort();
    expect(
      documented.filter((key) => !acceptedKeys.includes(key)),
      "sections for unknown keys",
    ).toEqual([]);
    expect(
      acceptedKeys.filter((key) => !keySections.has(key)),
      "keys without a section",
    ).toEqual([]);
  });

  it("gives each key its type, default, example and what changing it does to existing resources", () => {
    const classes = /^(Nothing|In place|Replacement|Creates \/ deletes|see its fields)\b/;
    for (const key of acceptedKeys) {
      const body = keySections.get(key) ?? "";
      for (const label of ["Type", "Default", "Example"]) expect(bullet(body, label), `${key}: ${label}`).toBeDefined();
      expect(bullet(body, "Changing it") ?? "", `${key}: Changing it`).toMatch(classes);
    }
  });

  it("names each Logto setting's environment variable, and Pulumi.yaml's comments list every Logto setting", () => {
    for (const { config, env } of Object.values(settingKeys)) {
      expect(bullet(keySections.get(config) ?? "", "Environment"), config).toBe(`\`${env}\``);
      const commented = projectText.split("\n").some((line) => line.startsWith("#") && line.includes(` ${config} `));
      expect(commented, `Pulumi.yaml comment for ${config}`).toBe(true);
    }
  });

  it("states the defaults the code applies", () => {
    const config = validateStackConfig(
      {
        logtoEndpoint: "https://auth.example.com",
        connections: [
          {
            name: "contoso",
            tenantId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
            domains: ["contoso.com"],
            organization: { defaultRoles: ["member"] },
          },
        ],
        organizationTemplate: { roles: [{ name: "member" }] },
        sampleApp: { secretKey: "k".repeat(32) },
      },
      { stack: "dev", now: new Date("2026-01-01T00:00:00Z") },
    );
    const [connection] = config.connections;
    const { organization } = connection;
    if (!organization) throw new Error("the connection should have its organization");
    if (connection.mode !== "managed") throw new Error("the default mode should be managed");
    const settings = resolveManagementApiSettings(
      (name) =>
        ({ endpoint: "https://auth.example.com", m2mAppId: "m2m", m2mAppSecret: "not-a-real-secret" })[name as string],
    );
    const defaults: { [key: string]: unknown } = {
      ...Object.fromEntries(Object.entries(project.config).map(([key, declaration]) => [key, declaration.default])),
      protect: config.protect,
      manageSsoSwitch: config.manageSsoSwitch,
      rotationEpoch: config.rotationEpoch,
      "logto:managementApiResource": settings.resource,
      "logto:requestTimeoutMs": settings.requestTimeoutMs,
      "logto:maxAttempts": settings.maxAttempts,
      "logto:retryBaseDelayMs": settings.retryBaseDelayMs,
      "logto:retryBudgetMs": settings.retryBudgetMs,
      "entra.environment": "environment" in config.entra.provider ? config.entra.provider.environment : undefined,
      "entra.loginEndpoint": config.entra.loginEndpoint,
      ...Object.fromEntries(
        (
          [
            "mode",
            "formerNames",
            "connectorName",
            "extraScopes",
            "tokenStorage",
            "syncProfile",
            "trustUnverifiedEmail",
            "branding",
            "signInAudience",
            "adminConsent",
            "secretRotationDays",
          ] as const
        ).map((key) => [`connections[].${key}`, connection[key]]),
      ),
      ...Object.fromEntries(
        (
          [
            "enabled",
            "baseUrl",
            "port",
            "bindAddress",
            "restartPolicy",
            "networkMode",
            "baseImage",
            "imageName",
            "logtoAppName",
            "appSecretVersion",
          ] as const
        ).map((key) => [`sampleApp.${key}`, config.sampleApp[key]]),
      ),
      ...Object.fromEntries(
        (["name", "provisionEmailDomains", "deleteOrganizationOnRemoval"] as const).map((key) => [
          `connections[].organization.${key}`,
          organization[key],
        ]),
      ),
      "organizationTemplate.scopes": config.organizationTemplate.scopes,
      "organizationTemplate.roles[].scopes": config.organizationTemplate.roles[0].scopes,
      ...Object.fromEntries(
        Object.entries(config.sampleApp.confinement).map(([key, value]) => [`sampleApp.${key}`, value]),
      ),
    };
    const wrong = Object.entries(defaults)
      .filter(([key, value]) => documentedDefault(key) !== shown(value))
      .map(([key, value]) => `${key}: code ${shown(value)}, doc ${documentedDefault(key) ?? "(none)"}`);
    expect(wrong).toEqual([]);
    // Settings the code leaves unset by default say so.
    const unset = [
      "logto:endpoint",
      "logto:m2mAppId",
      "logto:m2mAppSecret",
      "sampleApp.buildNetwork",
      "sampleApp.secretKey",
      "entra.metadataHost",
      "connections[].organization",
      "connections[].organization.description",
      "connections[].organization.adoptOrganizationId",
      "organizationTemplate.roles[].description",
    ];
    expect(organization.description).toBeUndefined();
    expect(organization.adoptOrganizationId).toBeUndefined();
    expect(connection.credentials).toBeUndefined();
    expect(config.sampleApp.buildNetwork).toBeUndefined();
    for (const key of [...unset, "connections[].credentials"])
      expect(bullet(keySections.get(key) ?? "", "Default"), key).toMatch(/^none\b/);
  });
});
