import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { managementClient } from "../registry";
import {
  MovingObject,
  adoptableDiff,
  configureFromStack,
  containsUnknown,
  ifPresent,
  keptBecauseAdopted,
  readResult,
  recordedAfterUpdate,
  recordedIn,
  sameStringSet,
  soleMatch,
} from "../support";
import {
  ApplicationInputs,
  ApplicationOutputs,
  embeddedSecretFields,
  ApplicationRow,
  label,
  outputsFrom,
  legacySecretNameOf,
  metadataBody,
} from "./schema";
import { changedApplicationFields, stateNeedsUpgrade, checkFailures, withDefaults } from "./check";

async function getApplication(client: ManagementClient, id: string, action: string): Promise<ApplicationRow> {
  return (await client.send({ method: "GET", path: "/api/applications/{id}", params: { id }, action })).data;
}

/** The Traditional applications named exactly `name` (names are not unique in Logto). */
async function findByName(client: ManagementClient, name: string): Promise<ApplicationRow[]> {
  const { data } = await client.send({
    method: "GET",
    path: "/api/applications",
    query: { search: name },
    action: `looking up ${label(name)}`,
  });
  return data.filter((row) => row.name === name && row.type === "Traditional");
}

/** An application at another endpoint: the same tenant holds it under its id as a Traditional app. */
function movingApplication(id: string, olds: Partial<ApplicationInputs>): MovingObject {
  return {
    what: `${label(olds.name ?? id)} (id ${id})`,
    cost: "a new application with a new client id and secret; every app that signs in with the old ones stops signing in until it gets the new ones (the sample app gets them in the same run), and users signed in through it must sign in again.",
    async heldBy(client) {
      const action = `looking up ${label(olds.name ?? id)} at ${client.endpoint}`;
      return (await ifPresent(() => getApplication(client, id, action)))?.type === "Traditional";
    },
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
      const { data } = await client.send({
        method: "PATCH",
        path: "/api/applications/{id}",
        params: { id: existing.id },
        body: {
          ...body,
          oidcClientMetadata: metadataBody(inputs, existing),
          customClientMetadata: { ...existing.customClientMetadata, ...body.customClientMetadata },
        },
        action: `adopting ${label(inputs.name)}`,
      });
      return { id: existing.id, outs: outputsFrom(data, { ...inputs, adopted: true }) };
    }
    const row = await client.createOnce(
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
    const row = await ifPresent(() =>
      getApplication(managementClient(recorded.endpoint), id, `reading application ${id}`),
    );
    const outs = row && { ...outputsFrom(row, recorded), ...legacySecretNameOf(props ?? {}) };
    return readResult(id, outs, ["applicationId", "type", "adopted", "legacySecretName"]);
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
    const { data } = await client.send({
      method: "PATCH",
      path: "/api/applications/{id}",
      params: { id },
      body: patch,
      action: `updating ${label(news.name)} (${changed.join(", ")})`,
    });
    return { outs: { ...outputsFrom(data, recorded), ...legacySecretNameOf(olds) } };
  },

  async delete(id, props) {
    if (keptBecauseAdopted(`${label(props.name)} (id ${id})`, props)) return;
    await managementClient(props.endpoint).deleteIfPresent({
      path: "/api/applications/{id}",
      params: { id },
      action: `deleting ${label(props.name)}`,
    });
  },
};
