/** The sample app's part of the stack config. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { urlProblems } from "../providers/logto/validation";
import {
  ValidationContext,
  choice,
  fieldToken,
  flag,
  lines,
  problem,
  projectNamespace,
  report,
  secretText,
  settings,
  structured,
  text,
  wholeNumber,
} from "./configSchema";

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
const confinementShape = {
  /** The root file system read-only; the secrets are on a read-only volume, /dev/shm stays a tmpfs. */
  readOnlyRootFilesystem: flag(true),
  /** `--cap-drop ALL`. */
  dropAllCapabilities: flag(true),
  /** `--security-opt no-new-privileges:true`: no process gains privileges through setuid/setgid files. */
  noNewPrivileges: flag(true),
  /** `--memory` and `--memory-swap` (no swap), in MB. */
  memoryLimitMb: wholeNumber({ fallback: 256, min: 128, max: 65536, why: "the container's memory in MB" }),
  /** `--pids-limit`: processes and threads in the container. */
  pidsLimit: wholeNumber({ fallback: 128, min: 64, max: 32768, why: "processes and threads in the container" }),
};
export type ContainerConfinement = z.output<z.ZodObject<typeof confinementShape>>;

export const sampleAppDefaults = {
  port: 8080,
  bindAddress: "127.0.0.1",
  restartPolicy: "unless-stopped" as RestartPolicy,
  appSecretVersion: "1",
  networkMode: "bridge" as NetworkMode,
  baseImage: dockerfileBaseImage(path.join(__dirname, "..", "app", "Dockerfile")),
  // Each confinement setting's value when unset.
  confinement: z.object(confinementShape).parse({}),
};

/** Flask's SECRET_KEY signs the session cookie; the sample app refuses shorter keys. */
export const minSecretKeyLength = 32;

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

const secretKeyFix = `set it with: pulumi config set --secret --path sampleApp.secretKey "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"`;
const baseImageFix = `give a Docker image reference such as ${sampleAppDefaults.baseImage} (optionally with @sha256:<digest>); it is app/Dockerfile's BASE_IMAGE build argument.`;
const buildNetworkFix = "give host, none, default or the name of a Docker network.";

/** A text setting that must also match `pattern`. */
function patterned(fix: string, pattern: RegExp, patternFix = fix) {
  return text(fix, (value, ctx) => {
    if (!pattern.test(value)) problem(ctx, value, patternFix);
    return value;
  });
}

const sampleAppShape = {
  /** Build and run the container (and check it). The Logto application exists either way. */
  enabled: flag(true),
  baseUrl: text("give the URL users open the app at.", (baseUrl, ctx) => {
    const issues = urlProblems(fieldToken, baseUrl, { allowPath: true, allowTrailingSlash: false });
    lines(ctx, issues);
    return issues.length === 0 ? baseUrl : undefined;
  }),
  port: wholeNumber({
    fallback: sampleAppDefaults.port,
    min: 1,
    max: 65535,
    why: "the host port the app is reached on",
  }),
  bindAddress: patterned(
    "give an IPv4 address such as 127.0.0.1.",
    ipv4Pattern,
    "give an IPv4 address: 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).",
  ),
  restartPolicy: choice(restartPolicies, sampleAppDefaults.restartPolicy),
  networkMode: choice(networkModes, sampleAppDefaults.networkMode),
  /** `docker build --network` for the RUN steps; unset: Docker's default. */
  buildNetwork: patterned(buildNetworkFix, buildNetworkPattern),
  /** The BASE_IMAGE build argument of app/Dockerfile. */
  baseImage: patterned(baseImageFix, pullableImagePattern),
  imageName: patterned(
    "give a Docker image name.",
    imageNamePattern,
    "give a Docker image reference in lowercase, e.g. logto-entra-sso-sample:dev.",
  ),
  logtoAppName: text("give the application a name."),
  // `pulumi config set --path sampleApp.appSecretVersion 2` stores the number 2: a label either way.
  appSecretVersion: z.preprocess(
    (value) => (Number.isInteger(value) ? String(value) : value),
    patterned(
      "give a version label such as 2.",
      secretVersionPattern,
      "use 1 to 64 letters, digits, dots, dashes or underscores.",
    ),
  ),
  ...confinementShape,
  // Only the length is ever reported: the value is a secret.
  secretKey: secretText(`${secretKeyFix}.`, (key) =>
    key.length < minSecretKeyLength
      ? `${key.length} characters long: Flask signs sessions with it, so use at least ${minSecretKeyLength} random characters; ${secretKeyFix}.`
      : undefined,
  ),
};
export const sampleAppKeys = Object.keys(sampleAppShape);

/** `sampleApp`: the container and the Logto application of the Flask sample. */
export const sampleAppSchema = structured(
  settings(sampleAppShape, (app, ctx) => {
    if (!app.enabled) return;
    if (app.secretKey === undefined) {
      report(
        ctx,
        `${fieldToken} is not set but the sample app is enabled: ${secretKeyFix} (or set sampleApp.enabled to false).`,
        ["secretKey"],
      );
    }
    // A wrong URL is undefined here, reported already.
    if (app.baseUrl === undefined) return;
    const url = new URL(app.baseUrl);
    const urlPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (["localhost", "127.0.0.1"].includes(url.hostname) && urlPort !== app.port) {
      problem(
        ctx,
        app.baseUrl,
        `it points at port ${urlPort} of this machine but the container ${app.networkMode === "host" ? "listens" : "is published"} on sampleApp.port ${app.port}: make them match, or Logto redirects users to the wrong port.`,
        ["baseUrl"],
      );
    }
  }),
);

/** The typed sample app settings, with the defaults that depend on the stack. */
export function sampleAppConfig(app: z.output<typeof sampleAppSchema>, context: ValidationContext) {
  const { readOnlyRootFilesystem, dropAllCapabilities, noNewPrivileges, memoryLimitMb, pidsLimit, ...settings } = app;
  return {
    ...settings,
    baseUrl: app.baseUrl ?? `http://localhost:${app.port}`,
    bindAddress: app.bindAddress ?? sampleAppDefaults.bindAddress,
    baseImage: app.baseImage ?? sampleAppDefaults.baseImage,
    imageName: app.imageName ?? `${projectNamespace}-sample:${context.stack.toLowerCase()}`,
    logtoAppName: app.logtoAppName ?? `Sample app (${context.stack})`,
    appSecretVersion: app.appSecretVersion ?? sampleAppDefaults.appSecretVersion,
    confinement: { readOnlyRootFilesystem, dropAllCapabilities, noNewPrivileges, memoryLimitMb, pidsLimit },
    // Flask's SECRET_KEY: set whenever the app is enabled.
    secretKey: app.secretKey ? pulumi.secret(app.secretKey) : undefined,
  };
}
export type SampleAppConfig = ReturnType<typeof sampleAppConfig>;
