/**
 * The whole stack configuration, read and checked once before any resource is declared. Every problem is
 * collected and reported together: field, value, why it is wrong, and how to fix it. Secret values are
 * never part of a message and leave this module wrapped in secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { settingKeys } from "../providers/logto/settings";
import { logtoEndpointProblems } from "../providers/logto/validation";
import { Problems, ValidationContext, configKey, projectNamespace, readBoolean, structured } from "./configReaders";
import { ConnectionConfig, crossConnectionProblems, readConnection } from "./connectionConfig";
import { EntraCloud, readEntraCloud } from "./entraCloud";
import { parseEpochDate } from "./rotation";
import { SampleAppConfig, readSampleApp } from "./sampleAppConfig";

export { projectNamespace } from "./configReaders";
export type { ValidationContext } from "./configReaders";
export type {
  AzureCredentials,
  ConnectionConfig,
  ManagedConnectionConfig,
  ProvidedConnectionConfig,
} from "./connectionConfig";
export type { EntraCloud } from "./entraCloud";
export type { SampleAppConfig } from "./sampleAppConfig";

export const defaultRotationEpoch = "2025-01-01";

export interface StackConfig {
  logtoEndpoint: string;
  entra: EntraCloud;
  connections: ConnectionConfig[];
  sampleApp: SampleAppConfig;
  protect: boolean;
  /**
   * Whether the stack turns the tenant-wide "Enterprise SSO" switch on (and, on destroy, off when no connector
   * is left in the tenant). False leaves the switch entirely to the console.
   */
  manageSsoSwitch: boolean;
  rotationEpoch: string;
  /** What the validation fixed up on its own, to be logged. */
  notices: string[];
}

/** Values as the engine hands them over: strings, or (in tests) already structured values. */
export interface RawStackConfig {
  /** `logto:endpoint`, or else the LOGTO_ENDPOINT environment variable (the provider's rule too). */
  logtoEndpoint?: unknown;
  entra?: unknown;
  connections?: unknown;
  sampleApp?: unknown;
  protect?: unknown;
  manageSsoSwitch?: unknown;
  rotationEpoch?: unknown;
}

function readLogtoEndpoint(value: unknown, problems: Problems): string {
  const { config: field, env } = settingKeys.endpoint;
  if (typeof value !== "string" || value === "") {
    problems.add(
      field,
      value,
      `run \`pulumi config set ${field} https://<your-logto-host>\` (the Logto origin, no path), or set ${env}.`,
    );
    return "";
  }
  problems.addAll(logtoEndpointProblems(field, value, `Fix: pulumi config set ${field} <origin>.`));
  return value;
}

function readRotationEpoch(value: unknown, now: Date, problems: Problems): string {
  const field = configKey("rotationEpoch");
  if (value === undefined) return defaultRotationEpoch;
  const epoch = typeof value === "string" ? parseEpochDate(value) : undefined;
  if (!epoch) {
    problems.add(
      field,
      value,
      `give a calendar date as YYYY-MM-DD (pulumi config set rotationEpoch ${defaultRotationEpoch}).`,
    );
    return defaultRotationEpoch;
  }
  if (epoch.getTime() > now.getTime()) {
    problems.add(field, value, "it is in the future; rotation periods count from it, so use a past date.");
    return defaultRotationEpoch;
  }
  return value as string;
}

/** Checks the raw settings and returns the typed config; throws one error that lists every problem. */
export function validateStackConfig(raw: RawStackConfig, context: ValidationContext): StackConfig {
  const problems = new Problems();
  const notices: string[] = [];
  const logtoEndpoint = readLogtoEndpoint(raw.logtoEndpoint, problems);
  const entra = readEntraCloud(structured(raw.entra, configKey("entra"), problems), problems);

  const connectionsField = configKey("connections");
  const connectionsValue = structured(raw.connections, connectionsField, problems);
  let connections: ConnectionConfig[] = [];
  if (connectionsValue !== undefined && !Array.isArray(connectionsValue)) {
    problems.add(
      connectionsField,
      connectionsValue,
      "it must be a list of connections (one per customer Entra tenant).",
    );
  } else if (Array.isArray(connectionsValue)) {
    const read = connectionsValue.map((value, index) => readConnection(value, index, context, problems, notices));
    crossConnectionProblems(read, problems);
    connections = read.filter((connection): connection is ConnectionConfig => connection !== undefined);
  }
  if (connections.length === 0) {
    notices.push(
      `${connectionsField} is empty: no enterprise SSO connection is made and the sign-in experience is left as it is.`,
    );
  }

  const protect = readBoolean(raw.protect, configKey("protect"), false, problems);
  const manageSsoSwitch = readBoolean(raw.manageSsoSwitch, configKey("manageSsoSwitch"), true, problems);
  if (!manageSsoSwitch && connections.length > 0) {
    notices.push(
      `${configKey("manageSsoSwitch")} is false: the sign-in experience's Enterprise SSO switch is left as it is; turn it on in the Logto console (Sign-in experience > Sign-up and sign-in) for the connections to be offered.`,
    );
  }
  const rotationEpoch = readRotationEpoch(raw.rotationEpoch, context.now, problems);
  const sampleApp = readSampleApp(raw.sampleApp, context, problems);

  if (problems.list.length > 0) {
    // RunError: Pulumi shows the message alone, without a stack trace.
    throw new pulumi.RunError(
      `The stack configuration of "${context.stack}" has ${problems.list.length} problem(s); fix them in Pulumi.${context.stack}.yaml (every setting: docs/configuration.md):\n  - ${problems.list.join("\n  - ")}`,
    );
  }
  return { logtoEndpoint, entra, connections, sampleApp, protect, manageSsoSwitch, rotationEpoch, notices };
}

/** Reads the stack config through the engine, validates it, and logs what was fixed up. */
export function loadStackConfig(now: Date = new Date()): StackConfig {
  const own = new pulumi.Config(projectNamespace);
  // Plain reads: validation needs the values now; the one secret is rewrapped as a secret Output.
  const config = validateStackConfig(
    {
      logtoEndpoint: new pulumi.Config("logto").get("endpoint") || process.env[settingKeys.endpoint.env],
      entra: own.get("entra"),
      connections: own.get("connections"),
      sampleApp: own.get("sampleApp"),
      protect: own.get("protect"),
      manageSsoSwitch: own.get("manageSsoSwitch"),
      rotationEpoch: own.get("rotationEpoch"),
    },
    { stack: pulumi.getStack(), now },
  );
  for (const notice of config.notices) void pulumi.log.info(notice);
  return config;
}
