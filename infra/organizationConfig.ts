/**
 * The B2B part of the stack config: the organization template (organization scopes and roles, tenant-wide in
 * Logto) and each connection's `organization` (the customer's Logto organization, joined just in time through
 * the connection's connector). Checked with the rest of the config, every problem at once; the components get
 * checked values (issue 22).
 */
import { z } from "zod";
import { descriptionLimit, nameLimit } from "../providers/logto/organizationFields";
import { configKey, flag, problem, setHint, setting, settings, stringList, text } from "./configSchema";

/** Logto's column sizes (packages/schemas/tables/organization*.sql). */
function tooLong(value: string, limit: number): string {
  return `it is ${value.length} characters long; Logto allows at most ${limit}: shorten it.`;
}

/** A name Logto takes: non-empty, at most its limit; undefined when unset or refused. */
function limitedText(fix: string, limit: number) {
  return text(fix, (value, ctx) => {
    if (value.length <= limit) return value;
    problem(ctx, value, tooLong(value, limit));
    return undefined;
  });
}

/** A template object's name: required, non-empty, within Logto's limit. */
function requiredName(what: string, example: string) {
  return setting((value, ctx): string | undefined => {
    const name = typeof value === "string" ? value : "";
    // It names the stack's resource too, and "::" separates the parts of a Pulumi URN.
    if (name.trim() !== "" && name.length <= nameLimit && !name.includes("::")) return name;
    problem(
      ctx,
      value,
      name.length > nameLimit
        ? tooLong(name, nameLimit)
        : name.includes("::")
          ? `"::" cannot be part of it (it names the stack's resource, and Pulumi's URNs use "::" as separator): rename it.`
          : `give the ${what} a name, e.g. ${setHint(example)}.`,
    );
    return undefined;
  });
}

const description = limitedText("give a description, or leave it out.", descriptionLimit);

/** The name of each entry of `list` whose name an earlier entry has, refused. */
function repeatedNames(names: Array<string | undefined>, list: "scopes" | "roles", ctx: z.RefinementCtx) {
  names.forEach((name, index) => {
    const first = name === undefined ? index : names.indexOf(name);
    const why = `${list}[${first}] has this name too; Logto names are unique: list each once.`;
    if (first !== index) problem(ctx, name, why, [list, index, "name"]);
  });
}

/** `it is listed before`, for an item of a list that repeats an earlier one. */
function repeated(first: number, what: string): string {
  return `it is listed before, at [${first}]: list each ${what} once (Logto refuses a set with a repeated entry).`;
}

const scopeShape = { name: requiredName("organization scope", "read:reports"), description };
const roleShape = {
  name: requiredName("organization role", "member"),
  description,
  scopes: stringList('["read:reports"]'),
};
const templateShape = {
  scopes: z
    .array(settings(scopeShape), { error: "it must be a list of scopes, e.g. [{name: read:reports}]." })
    .optional(),
  roles: z.array(settings(roleShape), { error: "it must be a list of roles, e.g. [{name: member}]." }).optional(),
};
export const organizationTemplateKeys = Object.keys(templateShape);
export const organizationScopeKeys = Object.keys(scopeShape);
export const organizationRoleKeys = Object.keys(roleShape);

type TemplateSettings = z.output<typeof organizationTemplateSchema>;

/** `organizationTemplate`: names unique, and every scope a role grants declared. */
export const organizationTemplateSchema = settings(templateShape, (template, ctx) => {
  const scopes = template.scopes ?? [];
  const roles = template.roles ?? [];
  const scopeNames = scopes.map((scope) => scope?.name);
  const roleNames = roles.map((role) => role?.name);
  repeatedNames(scopeNames, "scopes", ctx);
  repeatedNames(roleNames, "roles", ctx);
  roles.forEach((role, roleIndex) => {
    role?.scopes.forEach((scope, index) => {
      const first = role.scopes.indexOf(scope);
      if (first !== index) {
        problem(ctx, scope, repeated(first, "scope"), ["roles", roleIndex, "scopes", index]);
      } else if (!scopeNames.includes(scope)) {
        problem(
          ctx,
          scope,
          `no organization scope of this name is declared in ${configKey("organizationTemplate")}.scopes (declared: ${listed(scopeNames)}): declare it there (pulumi config set --path 'organizationTemplate.scopes[${scopes.length}].name' ${scope}), or remove it from the role.`,
          ["roles", roleIndex, "scopes", index],
        );
      }
    });
  });
});

function listed(names: Array<string | undefined>): string {
  const known = new Set(names.filter((name): name is string => name !== undefined));
  return known.size > 0 ? [...known].join(", ") : "none";
}

const organizationShape = {
  /** The organization's display name (default: the connection's display name). */
  name: limitedText("give the organization a name, or leave it out for the connection's display name.", nameLimit),
  description,
  /** The template roles (names) users get when they join through the connection. */
  defaultRoles: stringList(
    '["member"]',
    (roles, ctx) =>
      roles.filter((role, index) => {
        const first = roles.indexOf(role);
        if (first === index) return true;
        problem(ctx, role, repeated(first, "role"), [index]);
        return false;
      }),
    `list the organization roles users get when they join through this connection, e.g. ${setHint('"member"', "{path}[0]")}.`,
  ),
  /** The connection's email domains also provision verified-email sign-ups (Logto's jit/email-domains). */
  provisionEmailDomains: flag(false),
  adoptOrganizationId: text("give the id of the existing organization (Logto console > Organizations > its page)."),
  deleteOrganizationOnRemoval: flag(false),
};
export const connectionOrganizationKeys = Object.keys(organizationShape);

/** `connections[].organization`: the customer's organization. */
export const connectionOrganizationSchema = settings(organizationShape).optional();
type OrganizationSettings = NonNullable<z.output<typeof connectionOrganizationSchema>>;

/** What the rules across the config need of a connection. */
interface ConnectionWithOrganization {
  name?: string;
  branding?: { displayName?: string };
  organization?: OrganizationSettings;
}

/** The organization name a connection's entry gives, or its default: the connection's display name. */
function organizationName(connection: ConnectionWithOrganization): string {
  return connection.organization?.name ?? connection.branding?.displayName ?? connection.name ?? "";
}

/**
 * The rules between the template and the connections: every default role declared in the template, and one
 * organization per connection (by adopted id and by name).
 */
export function organizationRules(
  config: { organizationTemplate?: TemplateSettings; connections?: Array<ConnectionWithOrganization | undefined> },
  ctx: z.RefinementCtx,
): void {
  const roleNames = (config.organizationTemplate?.roles ?? []).map((role) => role?.name);
  const claims = new Map<string, number>();
  (config.connections ?? []).forEach((connection, index) => {
    const organization = connection?.organization;
    if (!organization) return;
    const path = ["connections", index, "organization"];
    organization.defaultRoles.forEach((role, roleIndex) => {
      if (roleNames.includes(role)) return;
      problem(
        ctx,
        role,
        `no organization role of this name is declared in ${configKey("organizationTemplate")}.roles (declared: ${listed(roleNames)}): declare it there, with its scopes, or use a declared one.`,
        [...path, "defaultRoles", roleIndex],
      );
    });
    /** An organization is claimed by its adopted id and by its name, each by one connection. */
    const claim = (field: "name" | "adoptOrganizationId", value: string, why: string) => {
      const first = claims.get(`${field}:${value}`);
      if (first === undefined) claims.set(`${field}:${value}`, index);
      else problem(ctx, value, `connections[${first}] claims this organization too: ${why}.`, [...path, field]);
    };
    const { adoptOrganizationId } = organization;
    if (adoptOrganizationId !== undefined) {
      const why = "it adopts the same id, and one organization belongs to one connection; adopt it in one entry only";
      claim("adoptOrganizationId", adoptOrganizationId, why);
    }
    const defaulted = organization.name === undefined ? ", the connection's display name by default" : "";
    claim(
      "name",
      organizationName(connection),
      `its organization has the same name${defaulted}, and each customer gets one organization of its own; give this one another name (${setHint('"<name>"')})`,
    );
  });
}

/** A connection's organization, as the components get it: named. */
export type OrganizationConfig = OrganizationSettings & { name: string };

/** The typed organization of a valid connection entry, with its default name. */
export function organizationConfig(connection: ConnectionWithOrganization): OrganizationConfig | undefined {
  const { organization } = connection;
  return organization && { ...organization, name: organizationName(connection) };
}

/** The typed template of a valid config, where every name is set; empty when unset. */
export function organizationTemplateConfig(template: TemplateSettings) {
  const named = <T extends { name?: string }>(items: T[] = []) =>
    items.map((item) => ({ ...item, name: item.name ?? "" }));
  return { scopes: named(template.scopes), roles: named(template.roles) };
}
export type OrganizationTemplateConfig = ReturnType<typeof organizationTemplateConfig>;
