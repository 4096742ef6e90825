/**
 * The whole stack configuration, read and checked once before any resource is declared. Every problem is
 * collected and reported together: field, value, why it is wrong, and how to fix it. Secret values are
 * never part of a message and leave this module wrapped in secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { settingKeys } from "../providers/logto/settings";
import { logtoEndpointProblems } from "../providers/logto/validation";
import {
  ValidationContext,
  configKey,
  fieldToken,
  flag,
  lines,
  problem,
  problemLines,
  projectNamespace,
  setting,
  structured,
} from "./configSchema";
import { ConnectionConfig, connectionConfig, connectionsSchema } from "./connectionConfig";
import { EntraCloud, entraCloud, entraSchema } from "./entraCloud";
import * as organizations from "./organizationConfig";
import { parseEpochDate } from "./rotation";
import { SampleAppConfig, sampleAppConfig, sampleAppSchema } from "./sampleAppConfig";

export { projectNamespace } from "./configSchema";

export const defaultRotationEpoch = "2025-01-01";

type StackSettings = z.output<ReturnType<typeof stackConfigSchema>>;

export type StackConfig = Omit<StackSettings, "entra" | "connections" | "organizationTemplate" | "sampleApp"> & {
  entra: EntraCloud;
  connections: ConnectionConfig[];
  /** The organization scopes and roles this stack declares (tenant-wide in Logto); empty when unset. */
  organizationTemplate: organizations.OrganizationTemplateConfig;
  sampleApp: SampleAppConfig;
  /** What the validation fixed up on its own, to be logged. */
  notices: string[];
};

/** Values as the engine hands them over: strings, or (in tests) already structured values. */
export type RawStackConfig = { [Key in keyof StackSettings]?: unknown };

const logtoEndpoint = setting((value, ctx): string => {
  const { config: field, env } = settingKeys.endpoint;
  if (typeof value !== "string" || value === "") {
    problem(
      ctx,
      value,
      `run \`pulumi config set ${field} https://<your-logto-host>\` (the Logto origin, no path), or set ${env}.`,
    );
    return "";
  }
  lines(ctx, logtoEndpointProblems(fieldToken, value, `Fix: pulumi config set ${field} <origin>.`));
  return value;
});

function rotationEpoch(now: Date) {
  return setting((value, ctx): string => {
    if (value === undefined) return defaultRotationEpoch;
    const epoch = typeof value === "string" ? parseEpochDate(value) : undefined;
    if (!epoch) {
      problem(
        ctx,
        value,
        `give a calendar date as YYYY-MM-DD (pulumi config set rotationEpoch ${defaultRotationEpoch}).`,
      );
    } else if (epoch.getTime() > now.getTime()) {
      problem(ctx, value, "it is in the future; rotation periods count from it, so use a past date.");
    } else {
      return value as string;
    }
    return defaultRotationEpoch;
  });
}

/** The whole stack config: one schema, in the order its problems are reported. */
function stackConfigSchema(context: ValidationContext) {
  return z.object({
    /** `logto:endpoint`, or else the LOGTO_ENDPOINT environment variable (the provider's rule too). */
    logtoEndpoint,
    entra: entraSchema,
    connections: structured(connectionsSchema(context).optional()),
    organizationTemplate: structured(organizations.organizationTemplateSchema),
    protect: flag(false),
    /**
     * Whether the stack turns the tenant-wide "Enterprise SSO" switch on (and, on destroy, off when no connector
     * is left in the tenant). False leaves the switch entirely to the console.
     */
    manageSsoSwitch: flag(true),
    rotationEpoch: rotationEpoch(context.now),
    sampleApp: sampleAppSchema,
  });
}

/** The full key of a setting, from its path in the schema. */
function fullKey(path: string): string {
  return path === "logtoEndpoint" ? settingKeys.endpoint.config : configKey(path);
}

/** Checks the raw settings and returns the typed config; throws one error that lists every problem. */
export function validateStackConfig(raw: RawStackConfig, context: ValidationContext): StackConfig {
  const parsed = stackConfigSchema(context)
    .superRefine(organizations.organizationRules)
    .safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems = problemLines(parsed.error, fullKey);
    // RunError: Pulumi shows the message alone, without a stack trace.
    throw new pulumi.RunError(
      `The stack configuration of "${context.stack}" has ${problems.length} problem(s); fix them in Pulumi.${context.stack}.yaml (every setting: docs/configuration.md):\n  - ${problems.join("\n  - ")}`,
    );
  }
  const { entra, organizationTemplate, sampleApp, ...settings } = parsed.data;
  const notices: string[] = [];
  const connections = (settings.connections ?? []).map((connection, index) =>
    connectionConfig(connection, index, context, notices),
  );
  const connectionsField = configKey("connections");
  if (connections.length === 0) {
    notices.push(
      `${connectionsField} is empty: no enterprise SSO connection is made and the sign-in experience is left as it is.`,
    );
  }
  if (!settings.manageSsoSwitch && connections.length > 0) {
    notices.push(
      `${configKey("manageSsoSwitch")} is false: the sign-in experience's Enterprise SSO switch is left as it is; turn it on in the Logto console (Sign-in experience > Sign-up and sign-in) for the connections to be offered.`,
    );
  }
  return {
    ...settings,
    entra: entraCloud(entra),
    connections,
    organizationTemplate: organizations.organizationTemplateConfig(organizationTemplate),
    sampleApp: sampleAppConfig(sampleApp, context),
    notices,
  };
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
      organizationTemplate: own.get("organizationTemplate"),
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
