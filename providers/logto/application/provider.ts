import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { managementClient } from "../registry";
import {
  adoptOrCreate,
  configureFromStack,
  deleteUnlessAdopted,
  readOrGone,
  recordedIn,
  sameStringSet,
  soleMatch,
} from "../support";
import {
  ApplicationInputs,
  ApplicationOutputs,
  ApplicationRow,
  getApplication,
  label,
  outputsFrom,
  metadataBody,
} from "./schema";
import { changedApplicationFields, checkApplication, diffApplication } from "./check";

/** The Traditional applications named exactly `name` (names are not unique in Logto). */
async function findByName(client: ManagementClient, name: string): Promise<ApplicationRow[]> {
  const action = `looking up ${label(name)}`;
  const { data } = await client.send({ method: "GET", path: "/api/applications", query: { search: name }, action });
  return data.filter((row) => row.name === name && row.type === "Traditional");
}

export const applicationProvider: pulumi.dynamic.ResourceProvider<ApplicationInputs, ApplicationOutputs> = {
  configure: configureFromStack,
  check: async (_olds, news) => checkApplication(news),
  diff: diffApplication,

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
    return adoptOrCreate(existing, {
      async adopt(existing) {
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
        return data;
      },
      create: () =>
        client.createOnce(
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
        ),
      flatten: (row, adopted) => outputsFrom(row, { ...inputs, adopted }),
    });
  },

  async read(id, props) {
    return readOrGone(
      id,
      props,
      (props) => getApplication(managementClient(props.endpoint), id, `reading application ${id}`),
      (row, props) => outputsFrom(row, recordedIn(props)),
      ["applicationId", "type", "adopted"],
    );
  },

  async update(id, olds, news) {
    const client = managementClient();
    const changed = changedApplicationFields(olds, news);
    const recorded = { ...news, adopted: recordedIn(olds).adopted };
    if (changed.length === 0) {
      // Settings or the state's shape only: nothing to send.
      return { outs: { ...olds, ...news, ...recorded, applicationId: id, type: "Traditional" } };
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
    return { outs: outputsFrom(data, recorded) };
  },

  async delete(id, props) {
    await deleteUnlessAdopted(`${label(props.name)} (id ${id})`, props, {
      path: "/api/applications/{id}",
      params: { id },
      action: `deleting ${label(props.name)}`,
    });
  },
};
