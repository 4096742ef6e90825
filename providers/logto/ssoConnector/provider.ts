import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { troubleshootingLink } from "../errors";
import { managementClient } from "../registry";
import { callbackUriFor } from "../publicOrigin";
import {
  MovingObject,
  configureFromStack,
  containsUnknown,
  ifPresent,
  keptBecauseAdopted,
  readResult,
  Recorded,
  recordedAfterUpdate,
  recordedIn,
  adoptableDiff,
  soleMatch,
} from "../support";
import {
  UserLinkSettings,
  SsoConnectorInputs,
  SsoConnectorOutputs,
  SsoConnectorRow,
  ConnectorBody,
  label,
  requestBody,
  outputsFromRow,
  originsOf,
  userLinkSettingsIn,
} from "./schema";
import { checkedOrigins, originsChanged, changedFields, checkFailures, userLinkFailures, withDefaults } from "./check";

/** A connector at another endpoint: the same tenant holds it under its id, with the same provider. */
function movingConnector(id: string, olds: Partial<SsoConnectorInputs>): MovingObject {
  return {
    what: `${label({ connectorName: olds.connectorName ?? id })} (id ${id})`,
    cost: "Logto deletes every user's link to the old connector with it (user_sso_identities, on delete cascade), so its users' next sign-in links them again only by a verified email (or with trustUnverifiedEmail), else makes new, empty accounts; and the new connector has a new id, so a new callback URI (managed connections get it registered; provided ones need the customer's administrator to add it).",
    async heldBy(client) {
      const row = await ifPresent(() =>
        getConnector(client, id, `looking up SSO connector ${id} at ${client.endpoint}`),
      );
      return row !== undefined && row.providerName === olds.providerName;
    },
  };
}

const connectorsPath = "/api/sso-connectors";

async function getConnector(client: ManagementClient, id: string, action: string): Promise<SsoConnectorRow> {
  return (await client.send({ method: "GET", path: "/api/sso-connectors/{id}", params: { id }, action })).data;
}

async function listConnectors(client: ManagementClient, action: string): Promise<SsoConnectorRow[]> {
  return (await client.send({ method: "GET", path: connectorsPath, action })).data;
}

/**
 * How long one tenant-wide list serves the creates of one provider process (one engine operation): Logto
 * loads every connector's issuer discovery document to answer the list, so 50 creates each listing cost it
 * 50 × 50 fetches; they run together, so one list serves them all. Connectors this process creates meanwhile
 * are added to it, and the ones it deletes or changes are taken out or changed, so a replacement (delete,
 * then create) sees the tenant as it is; only another actor's change in those seconds is missed, as it
 * would be between a list and a create anyway.
 */
const sharedListMs = 10_000;

function connectorsForCreate(client: ManagementClient, action: string): Promise<SsoConnectorRow[]> {
  return client.sharedGet(connectorsPath, action, sharedListMs);
}

/** Keeps the shared list true to this process's own write: `row` made or changed, or `deletedId` gone. */
async function trackInSharedList(
  client: ManagementClient,
  change: { row: SsoConnectorRow } | { deletedId: string },
): Promise<void> {
  const rows: SsoConnectorRow[] | undefined = await client.sharedAnswer(connectorsPath)?.catch(() => undefined);
  if (!rows) return;
  const id = "row" in change ? change.row.id : change.deletedId;
  const at = rows.findIndex((row) => row.id === id);
  if (at >= 0) rows.splice(at, 1);
  if ("row" in change) rows.push(change.row);
}

/**
 * Logto routes an email domain to one connector, but accepts the same domain on two and then routes
 * ambiguously: refuse a domain another connector of the tenant lists (issue 11, item 3).
 */
function assertDomainsFree(
  connectors: readonly SsoConnectorRow[],
  inputs: SsoConnectorInputs,
  ownId: string | undefined,
  action: string,
): void {
  const problems = inputs.domains.flatMap((domain, index) => {
    const holder = connectors.find(
      (row) => row.id !== ownId && (row.domains ?? []).some((taken) => taken.toLowerCase() === domain.toLowerCase()),
    );
    return holder
      ? [`domains[${index}] "${domain}" is already routed to SSO connector "${holder.connectorName}" (id ${holder.id})`]
      : [];
  });
  if (problems.length > 0) {
    throw new Error(
      `Logto: ${action} failed: ${problems.join("; ")}; Logto sends each email domain to one connector per tenant: remove it from one of them (${troubleshootingLink("Domain already routed to another connector")}).`,
    );
  }
}

export const ssoConnectorProvider: pulumi.dynamic.ResourceProvider<SsoConnectorInputs, SsoConnectorOutputs> = {
  configure: configureFromStack,

  async check(olds, news) {
    const inputs = withDefaults(news);
    const failures = [...checkFailures(inputs), ...userLinkFailures(olds ?? {}, inputs)];
    // The declared values are wrong: say so without asking Logto for its origin.
    if (failures.length > 0) return { failures };
    return { inputs: { ...inputs, ...(await checkedOrigins(olds ?? {}, inputs.endpoint)) }, failures };
  },

  async diff(id, olds, news) {
    const replaces = olds.providerName !== news.providerName ? ["providerName"] : [];
    return adoptableDiff(
      olds,
      news,
      {
        replaces,
        // Who owns the client decides what a later change may do: recorded by an update that sends nothing.
        changed:
          containsUnknown(news) ||
          changedFields(olds, news).length > 0 ||
          (olds.clientOwnership ?? "external") !== news.clientOwnership ||
          originsChanged(olds, news),
      },
      movingConnector(id, olds),
    );
  },

  async create(inputs) {
    const client = managementClient();
    const body = requestBody(inputs);
    const secret = [inputs.config.clientSecret];
    const action = `creating ${label(inputs)}`;
    // One list serves both the adoption lookup and the domain check.
    const needsList = inputs.adoptExisting || inputs.domains.length > 0;
    const connectors = needsList
      ? await connectorsForCreate(client, `looking up SSO connectors for ${label(inputs)}`)
      : [];
    // Logto keeps connector names unique; should two ever match, neither is taken.
    const sameName = soleMatch(
      connectors.filter((row) => row.connectorName === inputs.connectorName),
      "SSO connectors",
      `looking up ${label(inputs)}`,
    );
    const existing = inputs.adoptExisting ? sameName : undefined;
    // A connector of the same name is adopted, or gets Logto's 409 (which names adoptExisting): not a domain clash.
    assertDomainsFree(connectors, inputs, sameName?.id, existing ? `adopting ${label(inputs)}` : action);
    const recorded = (adopted: boolean): Recorded & UserLinkSettings => ({ ...inputs, adopted });
    if (existing) {
      if (existing.providerName !== inputs.providerName) {
        throw new Error(
          `Logto: adopting ${label(inputs)} failed: it exists with providerName ${existing.providerName}, not ${inputs.providerName}. Rename one of them or delete the existing connector.`,
        );
      }
      const patched = await client.send({
        method: "PATCH",
        path: "/api/sso-connectors/{id}",
        params: { id: existing.id },
        body,
        action: `adopting ${label(inputs)}`,
        sensitiveValues: secret,
      });
      await trackInSharedList(client, { row: patched.data });
      return { id: existing.id, outs: outputsFromRow(patched.data, recorded(true), inputs.config.clientSecret) };
    }
    const created = await client.createOnce(
      {
        method: "POST",
        path: connectorsPath,
        body: { ...body, providerName: inputs.providerName },
        action,
        sensitiveValues: secret,
      },
      async () => {
        // Only our own lost create counts: the name and the client id must both match.
        const found = (await listConnectors(client, `looking up ${label(inputs)}`)).find(
          (row) => row.connectorName === inputs.connectorName,
        );
        return found && found.config.clientId === inputs.config.clientId ? found : undefined;
      },
    );
    await trackInSharedList(client, { row: created });
    return { id: created.id, outs: outputsFromRow(created, recorded(false), inputs.config.clientSecret) };
  },

  async read(id, props) {
    const recorded = { ...recordedIn(props), ...userLinkSettingsIn(props), ...originsOf(props ?? {}) };
    const row = await ifPresent(() =>
      getConnector(managementClient(recorded.endpoint), id, `reading SSO connector ${id}`),
    );
    const outs = row && outputsFromRow(row, recorded, props?.config?.clientSecret ?? "");
    return readResult(id, outs, ["connectorId", "callbackUri", "adopted"]);
  },

  async update(id, olds, news) {
    const client = managementClient();
    const body = requestBody(news);
    const changed = changedFields(olds, news);
    const recorded = { ...recordedAfterUpdate(olds, news), ...userLinkSettingsIn(news), ...originsOf(news) };
    const action = `updating ${label(news)} (${changed.join(", ")})`;
    if (changed.length === 0) {
      const callbackUri = callbackUriFor(news.publicOrigin, id);
      return { outs: { ...olds, ...news, ...recorded, connectorId: id, callbackUri } };
    }
    if (changed.includes("domains")) {
      assertDomainsFree(await listConnectors(client, `looking up SSO connectors for ${label(news)}`), news, id, action);
    }
    // Logto replaces config, domains and branding whole, and re-validates the issuer whenever config is
    // sent: send each changed field complete, and leave unchanged ones out.
    const patch: Partial<ConnectorBody> = {};
    for (const field of changed) Object.assign(patch, { [field]: body[field] });
    const { data } = await client.send({
      method: "PATCH",
      path: "/api/sso-connectors/{id}",
      params: { id },
      body: patch,
      action,
      sensitiveValues: [news.config.clientSecret, olds.config?.clientSecret],
    });
    await trackInSharedList(client, { row: data });
    return { outs: outputsFromRow(data, recorded, news.config.clientSecret) };
  },

  async delete(id, props) {
    if (keptBecauseAdopted(`${label(props)} (id ${id})`, props)) return;
    const client = managementClient(props.endpoint);
    await client.deleteIfPresent({
      path: "/api/sso-connectors/{id}",
      params: { id },
      action: `deleting ${label(props)}`,
    });
    await trackInSharedList(client, { deletedId: id });
  },
};
