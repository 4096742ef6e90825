import * as pulumi from "@pulumi/pulumi";
import { ManagementClient, isNotFound, managementClient } from "./client";
import {
  Adoptable,
  AdoptionOutputs,
  MovingObject,
  OnEndpoint,
  adoptableDiff,
  announceAdoption,
  configureFromStack,
  configuredEndpoint,
  containsUnknown,
  keptBecauseAdopted,
  Recorded,
  recordedAfterUpdate,
  recordedIn,
  sameStringSet,
  soleMatch,
} from "./support";
import { urlProblems } from "./validation";
import { ReferencedDynamicResource } from "./referencedResource";

export interface ApplicationInputs extends Adoptable, OnEndpoint {
  name: string;
  description: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsAllowedOrigins: string[];
}

/** The application's client secrets are ApplicationSecret resources (issue 11, item 1). */
export interface ApplicationOutputs extends ApplicationInputs, AdoptionOutputs {
  applicationId: string;
  type: "Traditional";
  /**
   * State upgraded from the embedded secret only: the name of the secret this resource made itself, which the
   * stack's ApplicationSecret of that name may take over (no other existing secret is taken over).
   */
  legacySecretName?: string;
}

/**
 * Fields of the state the Application had while it embedded its secret (before issue 11). An update drops
 * them; the secret itself lives on as an ApplicationSecret of the same name.
 */
const embeddedSecretFields: readonly string[] = ["secretVersion", "secretName", "appSecret", "createIncomplete"];

interface ApplicationRow {
  id: string;
  name: string;
  description: string | null;
  type: string;
  /** Logto replaces it whole on PATCH; besides the URI lists it holds what the console sets (back-channel logout, logo). */
  oidcClientMetadata: Record<string, unknown> & { redirectUris: string[]; postLogoutRedirectUris: string[] };
  customClientMetadata: Record<string, unknown> & { corsAllowedOrigins?: string[] };
}

const nameLimit = 256;

function label(name: string): string {
  return `application "${name}"`;
}

function outputsFrom(row: ApplicationRow, recorded: Recorded): ApplicationOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    redirectUris: row.oidcClientMetadata?.redirectUris ?? [],
    postLogoutRedirectUris: row.oidcClientMetadata?.postLogoutRedirectUris ?? [],
    corsAllowedOrigins: row.customClientMetadata?.corsAllowedOrigins ?? [],
    adoptExisting: recorded.adoptExisting,
    deleteAdoptedOnDestroy: recorded.deleteAdoptedOnDestroy,
    endpoint: recorded.endpoint,
    adopted: recorded.adopted,
    applicationId: row.id,
    type: "Traditional",
  };
}

async function getApplication(client: ManagementClient, id: string, action: string): Promise<ApplicationRow> {
  return (await client.send<ApplicationRow>({ method: "GET", path: `/api/applications/${id}`, action })).data;
}

/** The Traditional applications named exactly `name` (names are not unique in Logto). */
async function findByName(client: ManagementClient, name: string): Promise<ApplicationRow[]> {
  const { data } = await client.send<ApplicationRow[]>({
    method: "GET",
    path: "/api/applications",
    query: { search: name },
    action: `looking up ${label(name)}`,
  });
  return data.filter((row) => row.name === name && row.type === "Traditional");
}

/** The secret name an update carries on: the embedded secret's (legacy state), or the one recorded since. */
function legacySecretNameOf(olds: Partial<ApplicationOutputs> & { secretName?: unknown }): {
  legacySecretName?: string;
} {
  const name = typeof olds.secretName === "string" ? olds.secretName : olds.legacySecretName;
  return name === undefined ? {} : { legacySecretName: name };
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

/** State that still holds the embedded secret. */
function stateNeedsUpgrade(olds: Partial<ApplicationOutputs>): boolean {
  return embeddedSecretFields.some((field) => field in olds);
}

/** An application at another endpoint: the same tenant holds it under its id as a Traditional app. */
function movingApplication(id: string, olds: Partial<ApplicationInputs>): MovingObject {
  return {
    what: `${label(olds.name ?? id)} (id ${id})`,
    cost: "a new application with a new client id and secret; every app that signs in with the old ones stops signing in until it gets the new ones (the sample app gets them in the same run), and users signed in through it must sign in again.",
    async heldBy(client) {
      try {
        return (
          (await getApplication(client, id, `looking up ${label(olds.name ?? id)} at ${client.endpoint}`)).type ===
          "Traditional"
        );
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
  };
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
      reason:
        "redirectUris is empty: a Traditional web app needs its sign-in callback, e.g. https://app.example.com/callback.",
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
    adoptExisting: news.adoptExisting ?? false,
    deleteAdoptedOnDestroy: news.deleteAdoptedOnDestroy ?? false,
    endpoint: configuredEndpoint(),
  };
}

export const applicationProvider: pulumi.dynamic.ResourceProvider<ApplicationInputs, ApplicationOutputs> = {
  configure: configureFromStack,

  async check(_olds, news) {
    const inputs = withDefaults(news);
    return { inputs, failures: checkFailures(inputs) };
  },

  async diff(id, olds, news) {
    const changed = containsUnknown(news) || changedApplicationFields(olds, news).length > 0 || stateNeedsUpgrade(olds);
    return adoptableDiff(olds, news, { replaces: [], changed }, movingApplication(id, olds));
  },

  /** One POST (or, adopting, one list and one PATCH): nothing is left half made. */
  async create(inputs) {
    const client = managementClient();
    const body = {
      name: inputs.name,
      description: inputs.description,
      oidcClientMetadata: metadataBody(inputs),
      customClientMetadata: { corsAllowedOrigins: inputs.corsAllowedOrigins },
    };
    const existing = inputs.adoptExisting
      ? soleMatch(await findByName(client, inputs.name), "Traditional applications", `adopting ${label(inputs.name)}`)
      : undefined;
    if (existing) {
      const { data } = await client.send<ApplicationRow>({
        method: "PATCH",
        path: `/api/applications/${existing.id}`,
        body: {
          ...body,
          oidcClientMetadata: metadataBody(inputs, existing),
          customClientMetadata: { ...existing.customClientMetadata, ...body.customClientMetadata },
        },
        action: `adopting ${label(inputs.name)}`,
      });
      return { id: existing.id, outs: outputsFrom(data, { ...inputs, adopted: true }) };
    }
    const row = await client.createOnce<ApplicationRow>(
      {
        method: "POST",
        path: "/api/applications",
        body: { ...body, type: "Traditional" },
        action: `creating ${label(inputs.name)}`,
      },
      async () =>
        soleMatch(
          (await findByName(client, inputs.name)).filter((found) =>
            sameStringSet(found.oidcClientMetadata.redirectUris, inputs.redirectUris),
          ),
          "Traditional applications with these redirect URIs",
          `looking up ${label(inputs.name)} after its create went unanswered`,
        ),
    );
    return { id: row.id, outs: outputsFrom(row, { ...inputs, adopted: false }) };
  },

  async read(id, props) {
    const recorded = recordedIn(props);
    try {
      const row = await getApplication(managementClient(recorded.endpoint), id, `reading application ${id}`);
      const outs = { ...outputsFrom(row, recorded), ...legacySecretNameOf(props ?? {}) };
      const { applicationId: _id, type: _type, adopted: _adopted, legacySecretName: _legacy, ...inputs } = outs;
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
    const recorded = recordedAfterUpdate(olds, news);
    if (changed.length === 0) {
      // Settings or the state's shape only: nothing to send. The embedded secret's fields are not carried over.
      const kept = Object.fromEntries(Object.entries(olds).filter(([key]) => !embeddedSecretFields.includes(key)));
      return {
        outs: {
          ...(kept as ApplicationOutputs),
          ...news,
          ...recorded,
          ...legacySecretNameOf(olds),
          applicationId: id,
          type: "Traditional",
        },
      };
    }
    const patch: Record<string, unknown> = {};
    if (changed.includes("name")) patch.name = news.name;
    if (changed.includes("description")) patch.description = news.description;
    const urisChanged = changed.includes("redirectUris") || changed.includes("postLogoutRedirectUris");
    const corsChanged = changed.includes("corsAllowedOrigins");
    // Both metadata objects are replaced whole: one GET gives what the console set, to be sent back.
    const live =
      urisChanged || corsChanged ? await getApplication(client, id, `reading ${label(news.name)}`) : undefined;
    // Logto needs both URI lists whenever oidcClientMetadata is sent.
    if (urisChanged) patch.oidcClientMetadata = metadataBody(news, live);
    if (corsChanged) {
      patch.customClientMetadata = { ...live?.customClientMetadata, corsAllowedOrigins: news.corsAllowedOrigins };
    }
    const { data } = await client.send<ApplicationRow>({
      method: "PATCH",
      path: `/api/applications/${id}`,
      body: patch,
      action: `updating ${label(news.name)} (${changed.join(", ")})`,
    });
    return { outs: { ...outputsFrom(data, recorded), ...legacySecretNameOf(olds) } };
  },

  async delete(id, props) {
    if (keptBecauseAdopted(`${label(props.name)} (id ${id})`, props)) return;
    await managementClient(props.endpoint).deleteIfPresent(`/api/applications/${id}`, `deleting ${label(props.name)}`);
  },
};

export interface ApplicationArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  redirectUris: pulumi.Input<pulumi.Input<string>[]>;
  postLogoutRedirectUris: pulumi.Input<pulumi.Input<string>[]>;
  corsAllowedOrigins?: pulumi.Input<pulumi.Input<string>[]>;
  /** Take over a Traditional application that already has this name instead of creating another. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Delete an adopted application on destroy too. Default false: it was not this stack's to delete. */
  deleteAdoptedOnDestroy?: pulumi.Input<boolean>;
}

/** A Logto "Traditional web" application; its client secrets are ApplicationSecret resources. */
export class Application extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly applicationId: pulumi.Output<string>;
  declare public readonly redirectUris: pulumi.Output<string[]>;
  declare public readonly postLogoutRedirectUris: pulumi.Output<string[]>;
  declare public readonly endpoint: pulumi.Output<string>;
  /** True when the stack took over an existing application (it then keeps its other secrets). */
  declare public readonly adopted: pulumi.Output<boolean>;
  /** The secret this resource made itself before ApplicationSecret existed (upgraded state only). */
  declare public readonly legacySecretName: pulumi.Output<string | undefined>;

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
        adoptExisting: args.adoptExisting ?? false,
        deleteAdoptedOnDestroy: args.deleteAdoptedOnDestroy ?? false,
        // Filled by check from logto:endpoint.
        endpoint: undefined,
        adopted: undefined,
        applicationId: undefined,
        type: undefined,
        legacySecretName: undefined,
      },
      opts,
      "logto",
      "Application",
    );
    announceAdoption(`application ${name}`, args);
  }
}
