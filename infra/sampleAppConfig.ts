/** The sample app's part of the stack config. */
import * as pulumi from "@pulumi/pulumi";
import { urlProblems } from "../providers/logto/validation";
import {
  Problems,
  ValidationContext,
  configKey,
  projectNamespace,
  readBoolean,
  readChoice,
  readInteger,
  readObject,
  readString,
  structured,
} from "./configReaders";

export const restartPolicies = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof restartPolicies)[number];

export const sampleAppDefaults = {
  port: 8080,
  bindAddress: "127.0.0.1",
  restartPolicy: "unless-stopped" as RestartPolicy,
  appSecretVersion: "1",
};

/** Flask's SECRET_KEY signs the session cookie; the sample app refuses shorter keys. */
export const minSecretKeyLength = 32;

export interface SampleAppConfig {
  /** Build and run the container (and check it). The Logto application exists either way. */
  enabled: boolean;
  baseUrl: string;
  port: number;
  bindAddress: string;
  restartPolicy: RestartPolicy;
  imageName: string;
  logtoAppName: string;
  appSecretVersion: string;
  /** Flask SECRET_KEY; set whenever the app is enabled. */
  secretKey?: pulumi.Output<string>;
}

const imageNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const secretVersionPattern = /^[A-Za-z0-9._-]{1,64}$/;
const ipv4Pattern = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const sampleAppKeys = [
  "enabled",
  "baseUrl",
  "port",
  "bindAddress",
  "restartPolicy",
  "imageName",
  "logtoAppName",
  "appSecretVersion",
  "secretKey",
] as const;

function readSecretKey(value: unknown, field: string, enabled: boolean, problems: Problems): pulumi.Output<string> | undefined {
  const fix = `set it with: pulumi config set --secret --path sampleApp.secretKey "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"`;
  // Only the length is ever reported: the value is a secret.
  if (value !== undefined && typeof value !== "string") {
    problems.list.push(`${field} is not a string: ${fix}.`);
  } else if (typeof value === "string" && value.length < minSecretKeyLength) {
    problems.list.push(
      `${field} is ${value.length} characters long: Flask signs sessions with it, so use at least ${minSecretKeyLength} random characters; ${fix}.`,
    );
  } else if (typeof value === "string") {
    return pulumi.secret(value);
  } else if (enabled) {
    problems.list.push(`${field} is not set but the sample app is enabled: ${fix} (or set sampleApp.enabled to false).`);
  }
  return undefined;
}

function readBaseUrl(value: unknown, field: string, port: number, enabled: boolean, problems: Problems): string {
  const baseUrl = readString(value, field, problems, "give the URL users open the app at.") ?? `http://localhost:${port}`;
  const issues = urlProblems(field, baseUrl, { allowPath: true, allowTrailingSlash: false });
  problems.addAll(issues);
  if (issues.length === 0 && enabled) {
    const url = new URL(baseUrl);
    const urlPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (["localhost", "127.0.0.1"].includes(url.hostname) && urlPort !== port) {
      problems.add(
        field,
        baseUrl,
        `it points at port ${urlPort} of this machine but the container is published on sampleApp.port ${port}: make them match, or Logto redirects users to the wrong port.`,
      );
    }
  }
  return baseUrl;
}

export function readSampleApp(value: unknown, context: ValidationContext, problems: Problems): SampleAppConfig {
  const field = configKey("sampleApp");
  // When sampleApp is no object, its fields are checked as if unset, without a second message about them.
  const fields = readObject(structured(value, field, problems), field, problems, sampleAppKeys) ?? { enabled: false };
  const enabled = readBoolean(fields.enabled, `${field}.enabled`, true, problems);
  const port = readInteger(
    fields.port,
    `${field}.port`,
    { fallback: sampleAppDefaults.port, min: 1, max: 65535, why: "the host port the container is published on" },
    problems,
  );
  const bindAddress =
    readString(fields.bindAddress, `${field}.bindAddress`, problems, "give an IPv4 address such as 127.0.0.1.") ?? sampleAppDefaults.bindAddress;
  if (!ipv4Pattern.test(bindAddress)) {
    problems.add(`${field}.bindAddress`, bindAddress, "give an IPv4 address: 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).");
  }
  const imageName =
    readString(fields.imageName, `${field}.imageName`, problems, "give a Docker image name.") ??
    `${projectNamespace}-sample:${context.stack.toLowerCase()}`;
  if (!imageNamePattern.test(imageName)) {
    problems.add(`${field}.imageName`, imageName, "give a Docker image reference in lowercase, e.g. logto-entra-sso-sample:dev.");
  }
  const appSecretVersion =
    readString(fields.appSecretVersion, `${field}.appSecretVersion`, problems, "give a version label such as 2.") ??
    sampleAppDefaults.appSecretVersion;
  if (!secretVersionPattern.test(appSecretVersion)) {
    problems.add(`${field}.appSecretVersion`, appSecretVersion, "use 1 to 64 letters, digits, dots, dashes or underscores.");
  }
  const secretKey = readSecretKey(fields.secretKey, `${field}.secretKey`, enabled, problems);
  return {
    enabled,
    baseUrl: readBaseUrl(fields.baseUrl, `${field}.baseUrl`, port, enabled, problems),
    port,
    bindAddress,
    restartPolicy: readChoice(fields.restartPolicy, `${field}.restartPolicy`, restartPolicies, sampleAppDefaults.restartPolicy, problems),
    imageName,
    logtoAppName:
      readString(fields.logtoAppName, `${field}.logtoAppName`, problems, "give the application a name.") ??
      `Sample app (${context.stack})`,
    appSecretVersion,
    ...(secretKey ? { secretKey } : {}),
  };
}
