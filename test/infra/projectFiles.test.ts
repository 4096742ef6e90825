/** Pulumi.yaml documents every setting the program reads; Pulumi.dev.yaml is a valid worked example. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultRotationEpoch, projectNamespace, validateStackConfig } from "../../infra/config";
import { brandingKeys, connectionKeys, credentialKeys } from "../../infra/connectionConfig";
import { entraKeys } from "../../infra/entraCloud";
import { sampleAppKeys } from "../../infra/sampleAppConfig";
import { secretKeyMarker } from "./fixtures";

// js-yaml comes with @pulumi/pulumi (which parses these files with it); typed here for the one call used.
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
const root = join(__dirname, "..", "..");

interface ConfigDeclaration {
  type: string;
  items?: { type: string };
  default: unknown;
  description: string;
}

interface ProjectFile {
  name: string;
  runtime: { name: string; options: { typescript: boolean } };
  main: string;
  config: { [key: string]: ConfigDeclaration };
}

const project = yaml.load(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
const projectText = readFileSync(join(root, "Pulumi.yaml"), "utf8");
const devText = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8");

describe("Pulumi.yaml", () => {
  it("runs infra/ with TypeScript under the project's config namespace", () => {
    expect(project).toMatchObject({
      name: projectNamespace,
      runtime: { name: "nodejs", options: { typescript: true } },
      main: "infra/",
    });
  });

  it("declares every setting with its type, default and a description", () => {
    expect(project.config).toEqual({
      connections: { type: "array", items: { type: "object" }, default: [], description: expect.any(String) },
      entra: { type: "object", default: {}, description: expect.any(String) },
      organizationTemplate: { type: "object", default: {}, description: expect.any(String) },
      sampleApp: { type: "object", default: {}, description: expect.any(String) },
      protect: { type: "boolean", default: false, description: expect.any(String) },
      manageSsoSwitch: { type: "boolean", default: true, description: expect.any(String) },
      rotationEpoch: { type: "string", default: defaultRotationEpoch, description: expect.any(String) },
    });
  });

  it("documents each field of a connection and of the sample app, with type and default", () => {
    const fieldDoc = (description: string, field: string) =>
      new RegExp(`(^|[\\s;(])${field} \\((secret )?(string|boolean|integer|list of strings|object)[,)]`).test(
        description,
      );
    for (const field of connectionKeys) {
      expect(fieldDoc(project.config.connections.description, field), `connections: ${field}`).toBe(true);
    }
    for (const field of brandingKeys) expect(project.config.connections.description).toContain(field);
    for (const field of credentialKeys) {
      expect(fieldDoc(project.config.connections.description, field), `connections[].credentials: ${field}`).toBe(true);
    }
    for (const field of entraKeys)
      expect(fieldDoc(project.config.entra.description, field), `entra: ${field}`).toBe(true);
    for (const field of sampleAppKeys) {
      expect(fieldDoc(project.config.sampleApp.description, field), `sampleApp: ${field}`).toBe(true);
    }
  });

  it("tells how to set the Logto settings and both secrets", () => {
    for (const text of [
      "pulumi config set logto:endpoint",
      "pulumi config set logto:m2mAppId",
      "pulumi config set --secret logto:m2mAppSecret",
      "pulumi config set --secret --path sampleApp.secretKey",
    ]) {
      expect(projectText).toContain(text);
    }
  });
});

describe("Pulumi.dev.yaml", () => {
  const stack = yaml.load(devText) as { config: { [key: string]: unknown } };

  it("holds no secret: those are set with --secret", () => {
    expect(Object.keys(stack.config)).not.toContain("logto:m2mAppSecret");
    expect(JSON.stringify(stack.config)).not.toMatch(/secretKey|secure/);
    expect(devText).toContain("pulumi config set --secret logto:m2mAppSecret");
  });

  it("is a valid configuration once the secret key is set", () => {
    const sampleApp = stack.config[`${projectNamespace}:sampleApp`] as { [key: string]: unknown };
    const config = validateStackConfig(
      {
        logtoEndpoint: stack.config["logto:endpoint"],
        connections: stack.config[`${projectNamespace}:connections`],
        sampleApp: { ...sampleApp, secretKey: secretKeyMarker },
        protect: stack.config[`${projectNamespace}:protect`],
      },
      { stack: "dev", now: new Date("2025-08-15T00:00:00Z") },
    );
    expect(config.connections.map((c) => c.name)).toEqual(["contoso"]);
    expect(config.sampleApp.enabled).toBe(true);
  });
});
