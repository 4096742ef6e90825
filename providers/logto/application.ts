import * as pulumi from "@pulumi/pulumi";
import { ManagementClient, isLogtoApiError, isNotFound, managementClient } from "./client";
import { configureFromStack, containsUnknown, partialCreateError, sameStringSet } from "./support";
import { urlProblems } from "./validation";

export interface ApplicationInputs {
  name: string;
  description: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsAllowedOrigins: string[];
  /** Any value; changing it rotates the client secret (new secret first, old one deleted after). */
  secretVersion: string;
  /** Take over a Traditional application that already has this name instead of creating another. */
  adoptExisting: boolean;
}

export interface ApplicationOutputs extends ApplicationInputs {
  applicationId: string;
  type: "Traditional";
  /** Name of the application secret this stack manages; empty when it is missing in Logto. */
  secretName: string;
  /** The client secret (a secret output). Empty when it is missing in Logto. */
  appSecret: string;
  /**
   * Set only in the state a half-finished create leaves: the app exists but Logto's "Default secret" was not
   * yet replaced by the managed one. The next update finishes that.
   */
  createIncomplete?: boolean;
}

interface ApplicationRow {
  id: string;
  name: string;
  description: string | null;
  type: string;
  /** Logto replaces it whole on PATCH; besides the URI lists it holds what the console sets (back-channel logout, logo). */
  oidcClientMetadata: Record<string, unknown> & { redirectUris: string[]; postLogoutRedirectUris: string[] };
  customClientMetadata: Record<string, unknown> & { corsAllowedOrigins?: string[] };
}

interface ApplicationSecretRow {
  name: string;
  value: string;
  expiresAt: number | null;
}

const nameLimit = 256;

/** The secret name is derived from the version, so a retried rotation finds its own earlier attempt. */
export function secretNameFor(secretVersion: string): string {
  return `pulumi-managed-${secretVersion}`;
}

function label(name: string): string {
  return `application "${name}"`;
}

function outputsFrom(
  row: ApplicationRow,
  inputs: Pick<ApplicationInputs, "secretVersion" | "adoptExisting">,
  secret: ApplicationSecretRow | undefined,
): ApplicationOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    redirectUris: row.oidcClientMetadata?.redirectUris ?? [],
    postLogoutRedirectUris: row.oidcClientMetadata?.postLogoutRedirectUris ?? [],
    corsAllowedOrigins: row.customClientMetadata?.corsAllowedOrigins ?? [],
    secretVersion: inputs.secretVersion,
    adoptExisting: inputs.adoptExisting,
    applicationId: row.id,
    type: "Traditional",
    secretName: secret?.name ?? "",
    appSecret: secret?.value ?? "",
  };
}

async function getApplication(client: ManagementClient, id: string, action: string): Promise<ApplicationRow> {
  return (await client.send<ApplicationRow>({ method: "GET", path: `/api/applications/${id}`, action })).data;
}

async function findByName(client: ManagementClient, name: string): Promise<ApplicationRow | undefined> {
  const { data } = await client.send<ApplicationRow[]>({
    method: "GET",
    path: "/api/applications",
    query: { search: name },
    action: `looking up ${label(name)}`,
  });
  return data.find((row) => row.name === name && row.type === "Traditional");
}

async function listSecrets(client: ManagementClient, id: string, name: string): Promise<ApplicationSecretRow[]> {
  const { data } = await client.send<ApplicationSecretRow[]>({
    method: "GET",
    path: `/api/applications/${id}/secrets`,
    action: `listing the secrets of ${label(name)}`,
  });
  return data;
}

/** Creates the named secret, or returns it when an earlier (interrupted) attempt made it already. */
async function ensureSecret(
  client: ManagementClient,
  id: string,
  appName: string,
  secretName: string,
): Promise<ApplicationSecretRow> {
  const findOwn = async () => (await listSecrets(client, id, appName)).find((s) => s.name === secretName);
  try {
    return await client.createOnce<ApplicationSecretRow>(
      {
        method: "POST",
        path: `/api/applications/${id}/secrets`,
        body: { name: secretName },
        action: `creating secret "${secretName}" of ${label(appName)}`,
      },
      findOwn,
    );
  } catch (error) {
    if (isLogtoApiError(error) && error.code === "application.secret_name_exists") {
      const existing = await findOwn();
      if (existing) return existing;
    }
    throw error;
  }
}

async function deleteSecret(client: ManagementClient, id: string, appName: string, secretName: string): Promise<void> {
  await client.deleteIfPresent(
    `/api/applications/${id}/secrets/${encodeURIComponent(secretName)}`,
    `deleting secret "${secretName}" of ${label(appName)}`,
  );
}

/** Leaves the managed secret as the app's only one (Logto gives every new app a "Default secret"). */
async function removeOtherSecrets(client: ManagementClient, id: string, appName: string, keep: string): Promise<void> {
  for (const other of await listSecrets(client, id, appName)) {
    if (other.name !== keep) await deleteSecret(client, id, appName, other.name);
  }
}

/** The declared URI lists over the live metadata: Logto replaces it whole, so what the console set is sent back. */
function metadataBody(inputs: ApplicationInputs, live?: ApplicationRow) {
  return {
    ...live?.oidcClientMetadata,
    redirectUris: inputs.redirectUris,
    postLogoutRedirectUris: inputs.postLogoutRedirectUris,
  };
}

type ApplicationField = "name" | "description" | "redirectUris" | "postLogoutRedirectUris" | "corsAllowedOrigins";

export function changedApplicationFields(olds: ApplicationInputs, news: ApplicationInputs): ApplicationField[] {
  const changed: ApplicationField[] = [];
  if (olds.name !== news.name) changed.push("name");
  if ((olds.description ?? "") !== (news.description ?? "")) changed.push("description");
  for (const key of ["redirectUris", "postLogoutRedirectUris", "corsAllowedOrigins"] as const) {
    if (!sameStringSet(olds[key] ?? [], news[key] ?? [])) changed.push(key);
  }
  return changed;
}

function secretNeedsRotation(olds: ApplicationOutputs, news: ApplicationInputs): boolean {
  return !olds.appSecret || olds.secretName !== secretNameFor(news.secretVersion);
}

function checkFailures(news: ApplicationInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = (value: unknown) => !containsUnknown(value);
  if (known(news.name)) {
    if (typeof news.name !== "string" || news.name.trim() === "") {
      failures.push({ property: "name", reason: "name is empty: give the application a name." });
    } else if (news.name.length > nameLimit) {
      failures.push({
        property: "name",
        reason: `name is ${news.name.length} characters long: Logto allows at most ${nameLimit}.`,
      });
    }
  }
  for (const key of ["redirectUris", "postLogoutRedirectUris", "corsAllowedOrigins"] as const) {
    if (!known(news[key])) continue;
    news[key].forEach((uri, index) => {
      const problems = urlProblems(`${key}[${index}]`, uri, {
        allowPath: key !== "corsAllowedOrigins",
        allowTrailingSlash: key !== "corsAllowedOrigins",
      });
      problems.forEach((reason) => failures.push({ property: key, reason }));
    });
  }
  if (known(news.redirectUris) && news.redirectUris.length === 0) {
    failures.push({
      property: "redirectUris",
      reason: "redirectUris is empty: a Traditional web app needs its sign-in callback, e.g. https://app.example.com/callback.",
    });
  }
  if (known(news.secretVersion) && (typeof news.secretVersion !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(news.secretVersion))) {
    failures.push({
      property: "secretVersion",
      reason: `secretVersion is "${String(news.secretVersion)}": use 1 to 64 letters, digits, dots, dashes or underscores.`,
    });
  }
  return failures;
}

function withDefaults(news: Partial<ApplicationInputs>): ApplicationInputs {
  return {
    ...news,
    name: news.name ?? "",
    description: news.description ?? "",
    redirectUris: news.redirectUris ?? [],
    postLogoutRedirectUris: news.postLogoutRedirectUris ?? [],
    corsAllowedOrigins: news.corsAllowedOrigins ?? [],
    secretVersion: news.secretVersion ?? "1",
    adoptExisting: news.adoptExisting ?? false,
  };
}

export const applicationProvider: pulumi.dynamic.ResourceProvider<ApplicationInputs, ApplicationOutputs> = {
  configure: configureFromStack,

  async check(_olds, news) {
    const inputs = withDefaults(news);
    return { inputs, failures: checkFailures(inputs) };
  },

  async diff(_id, olds, news) {
    if (containsUnknown(news)) return { changes: true };
    return { changes: changedApplicationFields(olds, news).length > 0 || secretNeedsRotation(olds, news) };
  },

  async create(inputs) {
    const client = managementClient();
    const body = {
      name: inputs.name,
      description: inputs.description,
      oidcClientMetadata: metadataBody(inputs),
      customClientMetadata: { corsAllowedOrigins: inputs.corsAllowedOrigins },
    };
    let row: ApplicationRow | undefined;
    if (inputs.adoptExisting) {
      const existing = await findByName(client, inputs.name);
      if (existing) {
        row = (
          await client.send<ApplicationRow>({
            method: "PATCH",
            path: `/api/applications/${existing.id}`,
            body: {
              ...body,
              oidcClientMetadata: metadataBody(inputs, existing),
              customClientMetadata: { ...existing.customClientMetadata, ...body.customClientMetadata },
            },
            action: `adopting ${label(inputs.name)}`,
          })
        ).data;
      }
    }
    const adopted = row !== undefined;
    if (!row) {
      row = await client.createOnce<ApplicationRow>(
        {
          method: "POST",
          path: "/api/applications",
          body: { ...body, type: "Traditional" },
          action: `creating ${label(inputs.name)}`,
        },
        async () => {
          const found = await findByName(client, inputs.name);
          return found && sameStringSet(found.oidcClientMetadata.redirectUris, inputs.redirectUris) ? found : undefined;
        },
      );
    }
    const id = row.id;
    try {
      const secret = await ensureSecret(client, id, inputs.name, secretNameFor(inputs.secretVersion));
      // Only the stack-managed secret should open the door; an adopted app's other secrets are its owner's.
      if (!adopted) await removeOtherSecrets(client, id, inputs.name, secret.name);
      return { id, outs: outputsFrom(row, inputs, secret) };
    } catch (error) {
      const unfinished: ApplicationOutputs = { ...outputsFrom(row, inputs, undefined), createIncomplete: !adopted };
      throw partialCreateError(error, id, unfinished, inputs as { __provider?: unknown });
    }
  },

  async read(id, props) {
    const client = managementClient();
    const known = { secretVersion: props?.secretVersion ?? "1", adoptExisting: props?.adoptExisting ?? false };
    try {
      const row = await getApplication(client, id, `reading application ${id}`);
      const secrets = await listSecrets(client, id, row.name);
      const own = props?.secretName ? secrets.find((s) => s.name === props.secretName) : undefined;
      const outs = outputsFrom(row, known, own);
      const { applicationId: _id, type: _type, secretName: _name, appSecret: _secret, ...inputs } = outs;
      // ReadResult types `inputs` as outputs; the engine takes them as the refreshed inputs.
      return { id, props: outs, inputs: inputs as ApplicationOutputs };
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
  },

  async update(id, olds, news) {
    const client = managementClient();
    const changed = changedApplicationFields(olds, news);
    let row: ApplicationRow | undefined;
    if (changed.length > 0) {
      const patch: Record<string, unknown> = {};
      if (changed.includes("name")) patch.name = news.name;
      if (changed.includes("description")) patch.description = news.description;
      const urisChanged = changed.includes("redirectUris") || changed.includes("postLogoutRedirectUris");
      const corsChanged = changed.includes("corsAllowedOrigins");
      // Both metadata objects are replaced whole: one GET gives what the console set, to be sent back.
      const live = urisChanged || corsChanged ? await getApplication(client, id, `reading ${label(news.name)}`) : undefined;
      // Logto needs both URI lists whenever oidcClientMetadata is sent.
      if (urisChanged) patch.oidcClientMetadata = metadataBody(news, live);
      if (corsChanged) {
        patch.customClientMetadata = { ...live?.customClientMetadata, corsAllowedOrigins: news.corsAllowedOrigins };
      }
      row = (
        await client.send<ApplicationRow>({
          method: "PATCH",
          path: `/api/applications/${id}`,
          body: patch,
          action: `updating ${label(news.name)} (${changed.join(", ")})`,
        })
      ).data;
    } else {
      row = await getApplication(client, id, `reading ${label(news.name)}`);
    }
    let secret: ApplicationSecretRow | undefined = olds.appSecret
      ? { name: olds.secretName, value: olds.appSecret, expiresAt: null }
      : undefined;
    if (secretNeedsRotation(olds, news)) {
      // New secret first, so the app is never without a working credential; the old one goes after.
      secret = await ensureSecret(client, id, news.name, secretNameFor(news.secretVersion));
      if (olds.secretName && olds.secretName !== secret.name) {
        await deleteSecret(client, id, news.name, olds.secretName);
      }
    }
    if (olds.createIncomplete && secret) await removeOtherSecrets(client, id, news.name, secret.name);
    return { outs: outputsFrom(row, news, secret) };
  },

  async delete(id, props) {
    await managementClient().deleteIfPresent(`/api/applications/${id}`, `deleting ${label(props.name)}`);
  },
};

export interface ApplicationArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  redirectUris: pulumi.Input<pulumi.Input<string>[]>;
  postLogoutRedirectUris: pulumi.Input<pulumi.Input<string>[]>;
  corsAllowedOrigins?: pulumi.Input<pulumi.Input<string>[]>;
  /** Change to rotate the client secret. Default "1". */
  secretVersion?: pulumi.Input<string>;
  adoptExisting?: pulumi.Input<boolean>;
}

/** A Logto "Traditional web" application with one stack-managed client secret. */
export class Application extends pulumi.dynamic.Resource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly applicationId: pulumi.Output<string>;
  declare public readonly appSecret: pulumi.Output<string>;
  declare public readonly secretName: pulumi.Output<string>;
  declare public readonly redirectUris: pulumi.Output<string[]>;
  declare public readonly postLogoutRedirectUris: pulumi.Output<string[]>;

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      applicationProvider,
      name,
      {
        name: args.name,
        description: args.description ?? "",
        redirectUris: args.redirectUris,
        postLogoutRedirectUris: args.postLogoutRedirectUris,
        corsAllowedOrigins: args.corsAllowedOrigins ?? [],
        secretVersion: args.secretVersion ?? "1",
        adoptExisting: args.adoptExisting ?? false,
        applicationId: undefined,
        type: undefined,
        secretName: undefined,
        appSecret: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["appSecret"] }),
      "logto",
      "Application",
    );
  }
}
