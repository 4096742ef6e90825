/**
 * The azuread provider is a Go program: it reads the cloud metadata over https with Go's TLS stack and the
 * system roots, which SSL_CERT_FILE replaces (go-azure-sdk sdk/internal/metadata/client.go). This checks a Go
 * client trusts the stand-in through SSL_CERT_FILE=caFile, and only through it, then signs in and calls Graph.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";

const goProgram = `package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

func main() {
	host, tenant, clientID, secret := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	resp, err := http.Get("https://" + host + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		fmt.Println("metadata error:", err)
		return
	}
	var metadata struct {
		MicrosoftGraphResourceID string \`json:"microsoftGraphResourceId"\`
		Authentication           struct{ LoginEndpoint string \`json:"loginEndpoint"\` } \`json:"authentication"\`
	}
	json.NewDecoder(resp.Body).Decode(&metadata)
	graph := strings.TrimSuffix(metadata.MicrosoftGraphResourceID, "/")
	form := url.Values{"client_id": {clientID}, "client_secret": {secret}, "grant_type": {"client_credentials"}, "scope": {graph + "/.default"}}
	resp, err = http.PostForm(metadata.Authentication.LoginEndpoint+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		fmt.Println("token error:", err)
		return
	}
	var token struct{ AccessToken string \`json:"access_token"\` }
	json.NewDecoder(resp.Body).Decode(&token)
	request, _ := http.NewRequest("GET", graph+"/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '00000003-0000-0000-c000-000000000000'"), nil)
	request.Header.Set("Authorization", "Bearer "+token.AccessToken)
	resp, err = http.DefaultClient.Do(request)
	if err != nil {
		fmt.Println("graph error:", err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println("graph", resp.StatusCode, strings.Contains(string(body), "Microsoft Graph"))
}
`;

function runGo(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("go", ["run", path.join(dir, "main.go"), ...args], { env, timeout: 240_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`go run failed: ${stderr || error.message}`)) : resolve(stdout.trim()),
    );
  });
}

describe("Entra stand-in, seen from a Go client", () => {
  let entra: EntraStandIn;
  let dir: string;

  beforeAll(async () => {
    entra = await startEntraStandIn();
    dir = await mkdtemp(path.join(os.tmpdir(), "entra-go-client-"));
    await writeFile(path.join(dir, "main.go"), goProgram);
  });
  afterAll(async () => {
    await entra.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    "is trusted with SSL_CERT_FILE=caFile: metadata, token and Graph; without it the TLS check fails",
    { timeout: 300_000 },
    async () => {
      const [tenantId] = entra.tenantIds;
      const { clientId, clientSecret } = entra.deployer(tenantId);
      const args = [entra.metadataHost, tenantId, clientId, clientSecret];
      // Standard library only: no module, no network. Without SSL_CERT_FILE, Go uses the system roots.
      const { SSL_CERT_FILE: _inherited, ...systemRoots } = process.env;
      const env = { ...systemRoots, GO111MODULE: "off", GOFLAGS: "", GOTOOLCHAIN: "local" };
      expect(await runGo(dir, args, { ...env, SSL_CERT_FILE: entra.caFile })).toBe("graph 200 true");
      expect(await runGo(dir, args, env)).toMatch(/^metadata error: .*certificate signed by unknown authority/);
    },
  );
});
