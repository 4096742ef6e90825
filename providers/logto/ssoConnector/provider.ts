import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { troubleshootingLink } from "../errors";
import { managementClient } from "../registry";
import { callbackUriFor } from "../publicOrigin";
import { adoptOrCreate, configureFromStack, deleteUnlessAdopted, readOrGone, soleMatch } from "../support";
import {
  SsoConnectorInputs,
  SsoConnectorOutputs,
  SsoConnectorRow,
  ConnectorBody,
  getConnector,
  label,
  requestBody,
  outputsFromRow,
  withSettings,
} from "./schema";
import { changedFields, checkSsoConnector, diffSsoConnector } from "./check";

const connectorsPath = "/api/sso-connectors";

/**
 * The tenant's connectors, listed once per provider process (one engine operation) and kept true to its own
 * writes: Logto fetches every listed connector's issuer to answer a list (485 fetches at N = 200 with a list per
 * 10 s). A connector to adopt or a domain held from before the operation (by hand, or by an earlier run that failed
 * before recording it) is in it; a name another actor takes meanwhile gets Logto's 409 (findByConnectorName before
 * the insert, logto-io/logto packages/core/src/routes/sso-connector/index.ts), which names adoptExisting.
 */
function tenantConnectors(client: ManagementClient, forWhat: string): Promise<SsoConnectorRow[]> {
  return client.sharedGet(connectorsPath, `looking up SSO connectors for ${forWhat}`);
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
  check: checkSsoConnector,
  diff: diffSsoConnector,

  async create(inputs) {
    const client = managementClient();
    const body = requestBody(inputs);
    const secret = [inputs.config.clientSecret];
    const action = `creating ${label(inputs)}`;
    // One list serves both the adoption lookup and the domain check.
    const needsList = inputs.adoptExisting || inputs.domains.length > 0;
    const connectors = needsList ? await tenantConnectors(client, label(inputs)) : [];
    // Logto keeps connector names unique; should two ever match, neither is taken.
    const sameName = soleMatch(
      connectors.filter((row) => row.connectorName === inputs.connectorName),
      "SSO connectors",
      `looking up ${label(inputs)}`,
    );
    const existing = inputs.adoptExisting ? sameName : undefined;
    // A connector of the same name is adopted, or gets Logto's 409 (which names adoptExisting): not a domain clash.
    assertDomainsFree(connectors, inputs, sameName?.id, existing ? `adopting ${label(inputs)}` : action);
    const tracked = async (row: SsoConnectorRow) => (await trackInSharedList(client, { row }), row);
    return adoptOrCreate(existing, {
      async adopt(existing) {
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
        return tracked(patched.data);
      },
      async create() {
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
            const { data } = await client.send({
              method: "GET",
              path: connectorsPath,
              action: `looking up ${label(inputs)}`,
            });
            const found = data.find((row) => row.connectorName === inputs.connectorName);
            return found && found.config.clientId === inputs.config.clientId ? found : undefined;
          },
        );
        return tracked(created);
      },
      flatten: (row, adopted) => outputsFromRow(row, { ...inputs, adopted }, inputs.config.clientSecret),
    });
  },

  async read(id, props) {
    return readOrGone(
      id,
      props,
      (recorded) => getConnector(managementClient(recorded.endpoint), id, `reading SSO connector ${id}`),
      (row, recorded) => outputsFromRow(row, recorded, recorded.config.clientSecret),
      ["connectorId", "callbackUri", "adopted"],
    );
  },

  async update(id, olds, news) {
    const client = managementClient();
    const body = requestBody(news);
    const changed = changedFields(olds, news);
    const recorded = { ...news, adopted: olds.adopted };
    const action = `updating ${label(news)} (${changed.join(", ")})`;
    if (changed.length === 0) {
      const callbackUri = callbackUriFor(news.publicOrigin, id);
      // Every setting from the inputs, a default included: it must replace the one the outputs held.
      return { outs: { ...olds, ...withSettings(recorded), connectorId: id, callbackUri } };
    }
    if (changed.includes("domains")) {
      assertDomainsFree(await tenantConnectors(client, label(news)), news, id, action);
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
    const request = { path: "/api/sso-connectors/{id}", params: { id }, action: `deleting ${label(props)}` } as const;
    if (await deleteUnlessAdopted(`${label(props)} (id ${id})`, props, request)) {
      await trackInSharedList(managementClient(props.endpoint), { deletedId: id });
    }
  },
};
