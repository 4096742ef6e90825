/**
 * Replays every recorded Logto exchange in ../shared/logto-contract/ and in the project's own recordings,
 * test/logto-contract/, against the stand-in, in file order, and checks the stand-in answers the same way.
 * Files 00-18 and 19-29 of ../shared are two passes over one server (README of the recordings), the project's
 * recordings a third (organizations); each pass gets a fresh stand-in, so ids created in one file are the ones
 * used later.
 */
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../local/standins/entra";
import { startLogtoStandIn, managementApiResource, type LogtoStandIn } from "../../local/standins/logto";
import { isPlainObject } from "../../local/standins/logto/json";
import { userRow } from "../../local/standins/logto/state";

const sharedContractDir = path.resolve(__dirname, "../../../shared/logto-contract");
const projectContractDir = path.resolve(__dirname, "../logto-contract");
const issuerFetchTimeoutMs = 500;

interface Recording {
  request: { method: string; path: string; body: unknown; authorization: string | null };
  response: { status: number; headers: Record<string, string>; body: unknown; elapsedMs: number };
}

function readRecording(dir: string, file: string): Recording {
  const parsed: unknown = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const request = isPlainObject(parsed) ? parsed.request : undefined;
  const response = isPlainObject(parsed) ? parsed.response : undefined;
  if (!isPlainObject(request) || !isPlainObject(response) || !isPlainObject(response.headers)) {
    throw new Error(`${file}: expected {request: {method, path, body, headers?}, response: {status, headers, body}}`);
  }
  const { method, path: requestPath } = request;
  const { status, elapsed_ms: elapsedMs } = response;
  // 00-* has no request headers: its credentials are described in the body's `_auth`.
  const authorization = isPlainObject(request.headers) ? (request.headers.authorization ?? null) : null;
  if (
    typeof method !== "string" ||
    typeof requestPath !== "string" ||
    typeof status !== "number" ||
    typeof elapsedMs !== "number"
  ) {
    throw new Error(`${file}: request.method/path and response.status/elapsed_ms are required`);
  }
  if (authorization !== null && typeof authorization !== "string")
    throw new Error(`${file}: authorization must be a string or null`);
  const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
  return {
    request: { method, path: requestPath, body: request.body, authorization },
    response: { status, headers, body: response.body, elapsedMs },
  };
}

const recordingsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((file) => /^\d\d.*\.json$/.test(file))
    .sort();
const recordingFiles = recordingsIn(sharedContractDir);
const secondPassFrom = "19";

// Credentials the recordings redacted that must be replaced by something other than the pass's valid ones.
type Credential =
  { kind: "bearer"; token: string } | { kind: "bearerIssuedBy"; file: string } | { kind: "basicWrongSecret" };
const credentialOverrides: Record<string, Credential> = {
  // Recorded with the header redacted to null; the exchange sent a malformed bearer token (JWSInvalid).
  "16b-bad-token-401.json": { kind: "bearer", token: "not-a-valid-token" },
  // Note: "HTTP Basic with the right app id and a wrong secret".
  "29-token-wrong-secret.json": { kind: "basicWrongSecret" },
  // Note: "token from 29b" (issued without scope=all).
  "29c-api-call-with-token-without-scope-all.json": {
    kind: "bearerIssuedBy",
    file: "29b-token-without-scope-all.json",
  },
};

/**
 * 09b-3's recorded list lacks the connectors of 07 and 07d, which 13/13b delete: 09b-* were recorded after
 * 13b although numbered before 10 (09b-1's connector was created at 1795608485589, 20 s after 07's). In file
 * order those two connectors still exist when 09b-3 lists, so the replay checks the recorded rows and that
 * the extra rows are exactly those two.
 */
const rowsDeletedBeforeRecording: Record<string, string[]> = {
  "09b-3-list-sso-connectors-issuer-down.json": ["72dtmn23jq7q", "6nn3kfj61n0i"],
};

// The fake issuer of the recordings, and a loopback port nothing listened on (06b).
const recordedIssuerOrigin = "http://127.0.0.1:4010";
const recordedIssuerTenant = "fake-entra-tenant";
const recordedRefusedOrigin = "http://127.0.0.1:4999";
const recordedLogtoOrigin = "http://127.0.0.1:3001";
const recordedM2mAppId = "4f1hvx0tlyefpf9ndjf8o";
// login.microsoftonline.com stays as recorded: the stand-in never contacts hosts off loopback and answers
// ENOTFOUND for them, as the offline recording machine did (06-*, 08c).

async function closedLoopbackOrigin(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

class ReplaySession {
  /** Recorded value → value in this replay (generated ids, secret values, origins). */
  private readonly replacements = new Map<string, string>();
  private readonly tokensIssuedBy = new Map<string, string>();
  private managementToken = "";

  private constructor(
    readonly logto: LogtoStandIn,
    private readonly issuer: EntraStandIn,
    /** A second issuer for 09b-*, stopped before 09b-2 as the recording's was; 07-09's issuer stays up. */
    private readonly stoppingIssuer: EntraStandIn,
    refusedOrigin: string,
  ) {
    this.replacements.set(recordedLogtoOrigin, logto.url);
    this.replacements.set(recordedRefusedOrigin, refusedOrigin);
    this.replacements.set(recordedM2mAppId, logto.m2mAppId);
  }

  static async start(): Promise<ReplaySession> {
    // The recordings' fake issuer was plain http on port 4010; the Entra stand-in is https, so the Logto
    // stand-in trusts its CA, and the origin substitution swaps the scheme along with the port.
    const [issuer, stoppingIssuer] = await Promise.all(
      [1, 2].map(() => startEntraStandIn({ tenants: [recordedIssuerTenant] })),
    );
    const logto = await startLogtoStandIn({ issuerFetchTimeoutMs, trustedCaPem: [issuer.caPem, stoppingIssuer.caPem] });
    // The recording tenant listed its M2M app (05d); the stand-in's starts empty, so add the row by hand.
    logto.state.applications.set(logto.m2mAppId, {
      tenantId: "default",
      id: logto.m2mAppId,
      name: "iac-test-m2m",
      description: "M2M app for IaC contract testing",
      type: "MachineToMachine",
      oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
      customClientMetadata: {},
      protectedAppMetadata: null,
      customData: {},
      isThirdParty: false,
      appLevelAccessControlEnabled: false,
      createdAt: Date.now() - 60_000,
    });
    const session = new ReplaySession(logto, issuer, stoppingIssuer, await closedLoopbackOrigin());
    const token = await fetch(`${logto.url}/oidc/token`, {
      method: "POST",
      headers: {
        authorization: basic(logto.m2mAppId, logto.m2mAppSecret),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: managementApiResource, scope: "all" }),
    });
    const tokenBody: unknown = await token.json();
    if (!isPlainObject(tokenBody) || typeof tokenBody.access_token !== "string") throw new Error("no management token");
    session.managementToken = tokenBody.access_token;
    return session;
  }

  async close(): Promise<void> {
    await Promise.all([this.logto.close(), this.issuer.close(), this.stoppingIssuer.close().catch(() => undefined)]);
  }

  async beforeReplay(file: string): Promise<void> {
    // 09b-2's note: "the issuer has been stopped before this GET"; it stays down through 09b-5.
    if (file.startsWith("09b-2-")) await this.stoppingIssuer.close();
  }

  /** Swaps recorded ids, secret values and origins for this replay's. */
  substitute(file: string, value: unknown): unknown {
    if (value === undefined) return undefined;
    const issuer = file.startsWith("09b-") ? this.stoppingIssuer : this.issuer;
    let text = JSON.stringify(value).split(recordedIssuerOrigin).join(issuer.url);
    for (const [recorded, actual] of this.replacements) text = text.split(recorded).join(actual);
    return JSON.parse(text);
  }

  /** Learns the ids and secret values the stand-in generated where the recording shows Logto's. */
  learn(recorded: unknown, actual: unknown): void {
    if (Array.isArray(recorded) && Array.isArray(actual)) {
      recorded.forEach((item, index) => this.learn(item, actual[index]));
      return;
    }
    if (!isPlainObject(recorded) || !isPlainObject(actual)) return;
    const learnable = ["id", ...("applicationId" in recorded ? ["value"] : [])];
    for (const key of learnable) {
      const [from, to] = [recorded[key], actual[key]];
      if (
        typeof from === "string" &&
        typeof to === "string" &&
        from.length === to.length &&
        !this.replacements.has(from)
      ) {
        this.replacements.set(from, to);
      }
    }
  }

  authorization(file: string, recording: Recording): string | undefined {
    const override = credentialOverrides[file];
    if (override?.kind === "bearer") return `Bearer ${override.token}`;
    if (override?.kind === "bearerIssuedBy") return `Bearer ${this.tokensIssuedBy.get(override.file)}`;
    if (override?.kind === "basicWrongSecret") return basic(this.logto.m2mAppId, `wrong-${this.logto.m2mAppSecret}`);
    const recorded = recording.request.authorization;
    const body = recording.request.body;
    const basicInBody = isPlainObject(body) && typeof body._auth === "string" && body._auth.startsWith("HTTP Basic");
    if (recorded === "Basic <redacted>" || basicInBody) return basic(this.logto.m2mAppId, this.logto.m2mAppSecret);
    if (recorded === "Bearer <redacted>") return `Bearer ${this.managementToken}`;
    return undefined;
  }

  rememberToken(file: string, body: unknown): void {
    if (isPlainObject(body) && typeof body.access_token === "string") this.tokensIssuedBy.set(file, body.access_token);
  }
}

async function send(session: ReplaySession, file: string, recording: Recording) {
  const { method, body } = recording.request;
  const requestPath = String(session.substitute(file, recording.request.path));
  const headers: Record<string, string> = {};
  const authorization = session.authorization(file, recording);
  if (authorization !== undefined) headers.authorization = authorization;
  let payload: string | undefined;
  if (requestPath === "/oidc/token" && isPlainObject(body)) {
    // Token requests are forms; `_encoding`/`_auth` describe the recording, they are not parameters.
    headers["content-type"] = "application/x-www-form-urlencoded";
    const params = Object.entries(body).filter(([key]) => !key.startsWith("_"));
    payload = new URLSearchParams(params.map(([key, value]): [string, string] => [key, String(value)])).toString();
  } else if (body !== null) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(session.substitute(file, body));
  }
  const startedAt = Date.now();
  const response = await fetch(`${session.logto.url}${requestPath}`, { method, headers, body: payload });
  const text = await response.text();
  // Relation POSTs answer koa's text "Created" (test/logto-contract/03j); everything else is JSON or empty.
  const isJson = response.headers.get("content-type")?.includes("json") ?? true;
  const parsed = text.length === 0 ? null : isJson ? (JSON.parse(text) as unknown) : text;
  return { response, body: parsed, elapsedMs: Date.now() - startedAt };
}

/** Timestamps and tokens differ on every run; everything else must match. */
function withoutVolatileValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatileValues);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key === "createdAt" && typeof item === "number") return [key, "<timestamp>"];
      if (key === "access_token" && typeof item === "string" && item.length > 0) return [key, "<token>"];
      return [key, withoutVolatileValues(item)];
    }),
  );
}

/** The stand-in reports a failed discovery with got's error `code`, `name` and request, not its full options. */
function comparableError(body: unknown): unknown {
  if (!isPlainObject(body) || !isPlainObject(body.data) || !isPlainObject(body.data.error)) return body;
  const { code, name, options } = body.data.error;
  if (!isPlainObject(options)) return body;
  return {
    ...body,
    data: { ...body.data, error: { code, name, options: { method: options.method, url: options.url } } },
  };
}

/**
 * The recorder of ../shared kept one line of a repeated header: its Link values are the last relation Logto
 * sends (05d, 10b: `rel="last"` without the `rel="first"` before it); test/logto-contract/ kept them all.
 */
type LinkRecording = "lastRelationOnly" | "whole";

function comparableLink(link: string | null, recording: LinkRecording): string | null {
  if (link === null || recording === "whole") return link;
  return link.split(/,\s*(?=<)/).at(-1) ?? null;
}

async function replay(session: ReplaySession, dir: string, file: string, links: LinkRecording): Promise<void> {
  const recording = readRecording(dir, file);
  await session.beforeReplay(file);
  const { response, body, elapsedMs } = await send(session, file, recording);
  const recorded = recording.response;
  expect(response.status, `${file}: status, answered ${JSON.stringify(body)?.slice(0, 600)}`).toBe(recorded.status);

  let actual = body;
  const deletedBeforeRecording = (rowsDeletedBeforeRecording[file] ?? []).map((id) =>
    String(session.substitute(file, id)),
  );
  if (deletedBeforeRecording.length > 0 && Array.isArray(actual)) {
    const isExtra = (row: unknown): boolean => isPlainObject(row) && deletedBeforeRecording.includes(String(row.id));
    expect(
      actual
        .filter(isExtra)
        .map((row) => (isPlainObject(row) ? row.id : undefined))
        .sort(),
    ).toEqual([...deletedBeforeRecording].sort());
    actual = actual.filter((row) => !isExtra(row));
  }

  if (recorded.status < 300) {
    session.learn(recorded.body, actual);
    session.rememberToken(file, actual);
  }
  const expected = session.substitute(file, recorded.body);
  if (recorded.status >= 400) {
    expect(comparableError(actual), `${file}: error body`).toEqual(comparableError(expected));
  } else {
    const comparable = orderedByIdOrUnordered.has(file) ? sortedArrays : (value: unknown) => value;
    expect(comparable(withoutVolatileValues(actual)), `${file}: body`).toEqual(
      comparable(withoutVolatileValues(expected)),
    );
  }

  for (const name of ["total-number", "link", "www-authenticate", "cache-control"]) {
    const value = recorded.headers[name];
    const answered = response.headers.get(name);
    expect(name === "link" ? comparableLink(answered, links) : answered, `${file}: ${name} header`).toBe(
      value === undefined ? null : String(session.substitute(file, value)),
    );
  }
  if (recorded.headers["content-type"] !== undefined) {
    expect(response.headers.get("content-type"), `${file}: content-type`).toBe(recorded.headers["content-type"]);
  }
  // Logto spent ~3 s retrying an unreachable issuer; the stand-in spends issuerFetchTimeoutMs.
  if (recorded.elapsedMs > 2500)
    expect(elapsedMs, `${file}: issuer discovery time`).toBeGreaterThanOrEqual(issuerFetchTimeoutMs - 50);
}

/**
 * The users the organization recordings made members of (08-*, 13-*) were created beforehand with
 * `POST /api/users`, which the stand-in does not serve (its users come from sign-ins): the pass adds the rows as
 * recorded.
 */
function seedOrganizationRecordingUsers(logto: LogtoStandIn): void {
  const users = [
    { id: "736t0wxmvc6g", username: "orgs_rec_653051", name: "Orgs Rec 653051", createdAt: 1796653052040 },
    { id: "9758849pouin", username: "orgs_usage_716236", name: "Orgs Usage 716236", createdAt: 1796676716650 },
  ];
  for (const user of users) logto.state.users.set(user.id, userRow(user));
}

/**
 * Lists whose order in Logto follows its generated ids (`json_agg(distinct …)`, `distinct on (id)`) or no
 * `order by` at all (relation tables): the stand-in's ids differ from the recording's, so these bodies are
 * compared as sets. Lists Logto orders by name or creation are compared in order.
 */
const orderedByIdOrUnordered = new Set([
  "03e-list-organization-roles-search.json",
  "03g-get-organization-role-scopes.json",
  "03m-get-organization-role-scopes-after-failed-put.json",
  "06c-get-jit-roles.json",
  "08g-get-organization-user-roles.json",
  "08h-get-organization-user-scopes.json",
]);

function sortedArrays(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortedArrays).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sortedArrays(item)]));
}

interface Pass {
  name: string;
  dir: string;
  files: string[];
  links: LinkRecording;
  seed?: (logto: LogtoStandIn) => void;
}

const passes: Pass[] = [
  {
    name: "pass 1 (00-18)",
    dir: sharedContractDir,
    files: recordingFiles.filter((file) => file < secondPassFrom),
    links: "lastRelationOnly",
  },
  {
    name: "pass 2 (19-29)",
    dir: sharedContractDir,
    files: recordingFiles.filter((file) => file >= secondPassFrom),
    links: "lastRelationOnly",
  },
  {
    name: "organizations (test/logto-contract)",
    dir: projectContractDir,
    files: recordingsIn(projectContractDir),
    links: "whole",
    seed: seedOrganizationRecordingUsers,
  },
];

describe("Logto stand-in honours the recorded contract", () => {
  it("finds the recordings of every pass", () => {
    for (const pass of passes) expect(pass.files.length, pass.name).toBeGreaterThan(0);
  });

  for (const pass of passes) {
    describe(pass.name, () => {
      let session: ReplaySession;
      beforeAll(async () => {
        session = await ReplaySession.start();
        pass.seed?.(session.logto);
      });
      afterAll(async () => {
        await session.close();
      });
      for (const file of pass.files) it(file, () => replay(session, pass.dir, file, pass.links));
    });
  }
});
