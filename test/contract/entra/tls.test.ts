import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { call, field, httpsRequest } from "../../../local/standins/entra/testing";

/** Runs a Node child process that fetches `url` with the given environment; resolves to what it printed. */
function fetchInChild(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = `fetch(process.argv[1]).then((r) => console.log("status", r.status), (e) => console.log("error", e.cause?.code ?? e.message))`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script, url], { env }, (error, stdout) =>
      error ? reject(new Error(error.message, { cause: error })) : resolve(stdout.trim()),
    );
  });
}

describe("Entra stand-in TLS", () => {
  let entra: EntraStandIn;

  beforeAll(async () => {
    entra = await startEntraStandIn();
  });
  afterAll(() => entra.close());

  it("listens on https://127.0.0.1 and gives its CA as a file and as PEM", async () => {
    expect(entra.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(entra.metadataHost).toBe(entra.url.slice("https://".length));
    expect(readFileSync(entra.caFile, "utf8")).toBe(entra.caPem);
    const ca = new X509Certificate(entra.caPem);
    expect(ca.ca).toBe(true);
  });

  it("serves a certificate for IP 127.0.0.1 and localhost signed by that CA, not the CA itself", async () => {
    const port = Number(new URL(entra.url).port);
    const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: entra.caPem }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(peer.subjectaltname).toBe("IP Address:127.0.0.1, DNS:localhost");
    const server = new X509Certificate(peer.raw);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(new X509Certificate(entra.caPem))).toBe(true);
  });

  it("is trusted by a Node https client given only the CA file, and by no client without it", async () => {
    const trusted = await httpsRequest(`${entra.url}/metadata/endpoints?api-version=2022-09-01`, {
      ca: readFileSync(entra.caFile, "utf8"),
    });
    expect(trusted.status).toBe(200);
    await expect(
      httpsRequest(`${entra.url}/metadata/endpoints?api-version=2022-09-01`, { ca: [...tls.rootCertificates] }),
    ).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("is trusted by a Node process started with NODE_EXTRA_CA_CERTS=caFile, and only then", async () => {
    const url = `${entra.url}/metadata/endpoints?api-version=2022-09-01`;
    const { NODE_EXTRA_CA_CERTS: _ignored, ...environment } = process.env;
    expect(await fetchInChild(url, { ...environment, NODE_EXTRA_CA_CERTS: entra.caFile })).toBe("status 200");
    expect(await fetchInChild(url, environment)).toBe("error UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("uses a new CA per stand-in and removes its files on close", async () => {
    const other = await startEntraStandIn();
    const directory = path.dirname(other.caFile);
    expect(other.caPem).not.toBe(entra.caPem);
    expect(existsSync(directory)).toBe(true);
    await expect(call(other, "/metadata/endpoints?api-version=2022-09-01", { ca: entra.caPem })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    await other.close();
    expect(existsSync(directory)).toBe(false);
  });

  it("serves the cloud metadata the azuread provider reads, all endpoints on this origin", async () => {
    const answer = await call(entra, "/metadata/endpoints?api-version=2022-09-01");
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({
      name: expect.any(String),
      resourceManager: expect.any(String),
      microsoftGraphResourceId: `${entra.url}/`,
      authentication: { loginEndpoint: entra.url },
    });
    const otherVersion = await call(entra, "/metadata/endpoints?api-version=2019-05-01");
    expect(otherVersion.status).toBe(400);
    expect(field(otherVersion.body, "error", "code")).toBe("InvalidApiVersionParameter");
  });
});

describe("Entra stand-in TLS with a kept CA (for a real Logto started once trusting it)", () => {
  it("signs every run's certificate with the CA kept in caDir, so a client trusting it once reaches each run", async () => {
    const caDir = mkdtempSync(path.join(os.tmpdir(), "kept-ca-"));
    try {
      const first = await startEntraStandIn({ caDir });
      const trusted = readFileSync(path.join(caDir, "ca.pem"), "utf8");
      await first.close();
      const second = await startEntraStandIn({ caDir });
      try {
        expect(second.caPem).toBe(trusted);
        const printed = await fetchInChild(`${second.url}/common/discovery/instance`, {
          ...process.env,
          NODE_EXTRA_CA_CERTS: path.join(caDir, "ca.pem"),
        });
        expect(printed).not.toMatch(/^error/);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(caDir, { recursive: true, force: true });
    }
  });
});
