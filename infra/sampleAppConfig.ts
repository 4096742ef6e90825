/** The sample app's part of the stack config. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { urlProblems } from "../providers/logto/validation";
import {
  Fields,
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

/** bridge: the container port is published on bindAddress:port. host: the app itself listens there. */
export const networkModes = ["bridge", "host"] as const;
export type NetworkMode = (typeof networkModes)[number];

/** The base image app/Dockerfile pins in `ARG BASE_IMAGE=<image>`; read from the file so it is written once. */
export function dockerfileBaseImage(dockerfile: string): string {
  const pinned = /^ARG BASE_IMAGE=(\S+)\s*$/m.exec(readFileSync(dockerfile, "utf8"));
  if (!pinned)
    throw new Error(
      `${dockerfile} has no "ARG BASE_IMAGE=<image>" line: the default of sampleApp.baseImage comes from it.`,
    );
  return pinned[1];
}

/**
 * How the container is confined. Each can be loosened in config (to debug, say), none needs to be: the app
 * writes nothing to disk, needs no capability and no setuid, and fits well inside the limits.
 */
export interface ContainerConfinement {
  /** The root file system read-only; the secrets are on a read-only volume, /dev/shm stays a tmpfs. */
  readOnlyRootFilesystem: boolean;
  /** `--cap-drop ALL`. */
  dropAllCapabilities: boolean;
  /** `--security-opt no-new-privileges:true`: no process gains privileges through setuid/setgid files. */
  noNewPrivileges: boolean;
  /** `--memory` and `--memory-swap` (no swap), in MB. */
  memoryLimitMb: number;
  /** `--pids-limit`: processes and threads in the container. */
  pidsLimit: number;
}

export const confinementLimits = {
  memoryLimitMb: { min: 128, max: 65536 },
  pidsLimit: { min: 64, max: 32768 },
};

export const sampleAppDefaults = {
  port: 8080,
  bindAddress: "127.0.0.1",
  restartPolicy: "unless-stopped" as RestartPolicy,
  appSecretVersion: "1",
  networkMode: "bridge" as NetworkMode,
  baseImage: dockerfileBaseImage(path.join(__dirname, "..", "app", "Dockerfile")),
  confinement: {
    readOnlyRootFilesystem: true,
    dropAllCapabilities: true,
    noNewPrivileges: true,
    memoryLimitMb: 256,
    pidsLimit: 128,
  } satisfies ContainerConfinement,
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
  networkMode: NetworkMode;
  /** `docker build --network` for the RUN steps; unset: Docker's default. */
  buildNetwork?: string;
  /** The BASE_IMAGE build argument of app/Dockerfile. */
  baseImage: string;
  imageName: string;
  logtoAppName: string;
  appSecretVersion: string;
  confinement: ContainerConfinement;
  /** Flask SECRET_KEY; set whenever the app is enabled. */
  secretKey?: pulumi.Output<string>;
}

// Docker's image reference grammar (github.com/distribution/reference): [registry[:port]/]path[:tag][@digest].
const registryPart =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?";
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const namedReference = `${registryPart}${pathComponent}(?:/${pathComponent})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?`;
const imageNamePattern = new RegExp(`^${namedReference}$`);
const pullableImagePattern = new RegExp(
  `^${namedReference}(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);
// Docker's network keywords (default, host, none) or a network name.
const buildNetworkPattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const secretVersionPattern = /^[A-Za-z0-9._-]{1,64}$/;
const ipv4Pattern = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const sampleAppKeys = [
  "enabled",
  "baseUrl",
  "port",
  "bindAddress",
  "restartPolicy",
  "networkMode",
  "buildNetwork",
  "baseImage",
  "imageName",
  "logtoAppName",
  "appSecretVersion",
  "readOnlyRootFilesystem",
  "dropAllCapabilities",
  "noNewPrivileges",
  "memoryLimitMb",
  "pidsLimit",
  "secretKey",
] as const;

function readSecretKey(
  value: unknown,
  field: string,
  enabled: boolean,
  problems: Problems,
): pulumi.Output<string> | undefined {
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
    problems.list.push(
      `${field} is not set but the sample app is enabled: ${fix} (or set sampleApp.enabled to false).`,
    );
  }
  return undefined;
}

function readBaseUrl(
  value: unknown,
  field: string,
  where: { port: number; networkMode: NetworkMode },
  enabled: boolean,
  problems: Problems,
): string {
  const { port } = where;
  const baseUrl =
    readString(value, field, problems, "give the URL users open the app at.") ?? `http://localhost:${port}`;
  const issues = urlProblems(field, baseUrl, { allowPath: true, allowTrailingSlash: false });
  problems.addAll(issues);
  if (issues.length === 0 && enabled) {
    const url = new URL(baseUrl);
    const urlPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (["localhost", "127.0.0.1"].includes(url.hostname) && urlPort !== port) {
      problems.add(
        field,
        baseUrl,
        `it points at port ${urlPort} of this machine but the container ${where.networkMode === "host" ? "listens" : "is published"} on sampleApp.port ${port}: make them match, or Logto redirects users to the wrong port.`,
      );
    }
  }
  return baseUrl;
}

function readConfinement(fields: Fields, field: string, problems: Problems): ContainerConfinement {
  const defaults = sampleAppDefaults.confinement;
  const flag = (key: "readOnlyRootFilesystem" | "dropAllCapabilities" | "noNewPrivileges") =>
    readBoolean(fields[key], `${field}.${key}`, defaults[key], problems);
  return {
    readOnlyRootFilesystem: flag("readOnlyRootFilesystem"),
    dropAllCapabilities: flag("dropAllCapabilities"),
    noNewPrivileges: flag("noNewPrivileges"),
    memoryLimitMb: readInteger(
      fields.memoryLimitMb,
      `${field}.memoryLimitMb`,
      { fallback: defaults.memoryLimitMb, ...confinementLimits.memoryLimitMb, why: "the container's memory in MB" },
      problems,
    ),
    pidsLimit: readInteger(
      fields.pidsLimit,
      `${field}.pidsLimit`,
      { fallback: defaults.pidsLimit, ...confinementLimits.pidsLimit, why: "processes and threads in the container" },
      problems,
    ),
  };
}

export function readSampleApp(value: unknown, context: ValidationContext, problems: Problems): SampleAppConfig {
  const field = configKey("sampleApp");
  // When sampleApp is no object, its fields are checked as if unset, without a second message about them.
  const fields = readObject(structured(value, field, problems), field, problems, sampleAppKeys) ?? { enabled: false };
  const enabled = readBoolean(fields.enabled, `${field}.enabled`, true, problems);
  const port = readInteger(
    fields.port,
    `${field}.port`,
    { fallback: sampleAppDefaults.port, min: 1, max: 65535, why: "the host port the app is reached on" },
    problems,
  );
  const bindAddress =
    readString(fields.bindAddress, `${field}.bindAddress`, problems, "give an IPv4 address such as 127.0.0.1.") ??
    sampleAppDefaults.bindAddress;
  if (!ipv4Pattern.test(bindAddress)) {
    problems.add(
      `${field}.bindAddress`,
      bindAddress,
      "give an IPv4 address: 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).",
    );
  }
  const imageName =
    readString(fields.imageName, `${field}.imageName`, problems, "give a Docker image name.") ??
    `${projectNamespace}-sample:${context.stack.toLowerCase()}`;
  if (!imageNamePattern.test(imageName)) {
    problems.add(
      `${field}.imageName`,
      imageName,
      "give a Docker image reference in lowercase, e.g. logto-entra-sso-sample:dev.",
    );
  }
  const networkMode = readChoice(
    fields.networkMode,
    `${field}.networkMode`,
    networkModes,
    sampleAppDefaults.networkMode,
    problems,
  );
  const buildNetwork = readString(
    fields.buildNetwork,
    `${field}.buildNetwork`,
    problems,
    "give host, none, default or the name of a Docker network.",
  );
  if (buildNetwork !== undefined && !buildNetworkPattern.test(buildNetwork)) {
    problems.add(`${field}.buildNetwork`, buildNetwork, "give host, none, default or the name of a Docker network.");
  }
  const baseImageFix = `give a Docker image reference such as ${sampleAppDefaults.baseImage} (optionally with @sha256:<digest>); it is app/Dockerfile's BASE_IMAGE build argument.`;
  const baseImage =
    readString(fields.baseImage, `${field}.baseImage`, problems, baseImageFix) ?? sampleAppDefaults.baseImage;
  if (!pullableImagePattern.test(baseImage)) problems.add(`${field}.baseImage`, baseImage, baseImageFix);
  // `pulumi config set --path sampleApp.appSecretVersion 2` stores the number 2: a label either way.
  const versionValue = Number.isInteger(fields.appSecretVersion)
    ? String(fields.appSecretVersion)
    : fields.appSecretVersion;
  const appSecretVersion =
    readString(versionValue, `${field}.appSecretVersion`, problems, "give a version label such as 2.") ??
    sampleAppDefaults.appSecretVersion;
  if (!secretVersionPattern.test(appSecretVersion)) {
    problems.add(
      `${field}.appSecretVersion`,
      appSecretVersion,
      "use 1 to 64 letters, digits, dots, dashes or underscores.",
    );
  }
  const secretKey = readSecretKey(fields.secretKey, `${field}.secretKey`, enabled, problems);
  return {
    enabled,
    baseUrl: readBaseUrl(fields.baseUrl, `${field}.baseUrl`, { port, networkMode }, enabled, problems),
    port,
    bindAddress,
    restartPolicy: readChoice(
      fields.restartPolicy,
      `${field}.restartPolicy`,
      restartPolicies,
      sampleAppDefaults.restartPolicy,
      problems,
    ),
    networkMode,
    ...(buildNetwork !== undefined ? { buildNetwork } : {}),
    baseImage,
    imageName,
    logtoAppName:
      readString(fields.logtoAppName, `${field}.logtoAppName`, problems, "give the application a name.") ??
      `Sample app (${context.stack})`,
    appSecretVersion,
    confinement: readConfinement(fields, field, problems),
    ...(secretKey ? { secretKey } : {}),
  };
}
