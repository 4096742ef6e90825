/**
 * Smoke program of the plugin doubles: the resources and invokes of @pulumi/command, @pulumi/docker and
 * @pulumi/azuread that the real stack uses (infra/), with the same kinds of inputs, so that `up`, a clean
 * `preview` and `destroy` exercise every operation the stack needs from each plugin.
 */
import * as azuread from "@pulumi/azuread";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { keepSecretsOutOfSdkDebugLog } from "../../../infra/sdkDebugLog";

// As the real program does: the SDK would otherwise log secret outputs in its debug RPC messages.
keepSecretsOutOfSdkDebugLog();

const config = new pulumi.Config();
// The stack outputs: this program's module exports, filled in by the parts that are switched on.
const stackOutputs = exports as Record<string, pulumi.Input<string>>;

/** Polls CHECK_URL for up to 30 s until it answers 200 with CHECK_EXPECT in the body. */
const httpCheck = `
(async () => {
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const body = await (await fetch(process.env.CHECK_URL)).text();
      if (body.includes(process.env.CHECK_EXPECT)) { console.log(body.trim()); return; }
    } catch {}
    if (Date.now() > deadline) { console.error("no answer from " + process.env.CHECK_URL); process.exit(1); }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
})();
`;
const who = config.require("who");

const greeting = new command.local.Command("greeting", {
  create: 'echo "hello $WHO"',
  update: 'echo "hello again $WHO (was: $PULUMI_COMMAND_STDOUT)"',
  delete: 'echo "bye $WHO"',
  environment: { WHO: who },
  triggers: [config.get("trigger") ?? "1"],
});
export const greetingStdout = greeting.stdout;

// Like the stack's post-deploy checks: node -e with the script's settings in the environment.
const nodeCheck = new command.local.Command("node-check", {
  create: "console.log(process.env.CHECK_WORD.toUpperCase())",
  interpreter: ["node", "-e"],
  environment: { CHECK_WORD: pulumi.interpolate`${greeting.stdout}` },
  triggers: [greeting.id],
});
export const nodeCheckStdout = nodeCheck.stdout;

if (config.getBoolean("docker")) {
  const image = new docker.Image("smoke-image", {
    imageName: `plugin-doubles-smoke:${pulumi.getStack()}`,
    build: { context: config.require("imageContext") },
    skipPush: true,
  });
  const port = config.requireNumber("dockerPort");
  // On an engine without the default bridge network the container shares the host's network, and a
  // published port would be discarded.
  const networkMode = config.get("dockerNetworkMode") ?? "bridge";
  const container = new docker.Container(
    "smoke-container",
    {
      name: `plugin-doubles-smoke-${pulumi.getStack()}`,
      image: image.repoDigest,
      envs: [
        `GREETING=${who}`,
        `PORT=${networkMode === "host" ? port : 8080}`,
        pulumi.secret(pulumi.interpolate`TOKEN=${config.requireSecret("containerToken")}`),
      ],
      networkMode,
      ports: networkMode === "host" ? [] : [{ internal: 8080, external: port, ip: "127.0.0.1" }],
      restart: config.get("restart") ?? "unless-stopped",
    },
    { deleteBeforeReplace: true, additionalSecretOutputs: ["envs"] },
  );
  // Like the stack's healthz check: the container answers over HTTP.
  new command.local.Command(
    "container-check",
    {
      create: httpCheck,
      interpreter: ["node", "-e"],
      environment: { CHECK_URL: `http://127.0.0.1:${port}/`, CHECK_EXPECT: `hello ${who}` },
      triggers: [container.id],
    },
    { dependsOn: [container] },
  );
  stackOutputs.imageRef = image.repoDigest;
  stackOutputs.containerId = container.id;
  stackOutputs.containerName = container.name;
}

if (config.getBoolean("azuread")) {
  const provider = new azuread.Provider("entra", {
    tenantId: config.require("tenantId"),
    metadataHost: config.require("metadataHost"),
  });
  const app = new azuread.ApplicationRegistration(
    "smoke-app",
    { displayName: config.require("appName"), signInAudience: "AzureADMyOrg", notes: "plugin doubles smoke test" },
    { provider },
  );
  const published = azuread.getApplicationPublishedAppIdsOutput({ provider });
  const graphClientId = published.result.apply((ids) => ids["MicrosoftGraph"]);
  const graph = azuread.getServicePrincipalOutput({ clientId: graphClientId }, { provider });
  const scopeIds = graph.oauth2PermissionScopeIds.apply((ids) => ["openid", "profile", "email"].map((s) => ids[s]));
  const access = new azuread.ApplicationApiAccess(
    "smoke-graph-access",
    { applicationId: app.id, apiClientId: graphClientId, scopeIds },
    { provider },
  );
  const sp = new azuread.ServicePrincipal("smoke-sp", { clientId: app.clientId }, { provider });
  new azuread.ServicePrincipalDelegatedPermissionGrant(
    "smoke-consent",
    {
      servicePrincipalObjectId: sp.objectId,
      resourceServicePrincipalObjectId: graph.objectId,
      claimValues: ["openid", "profile", "email"],
    },
    { provider, dependsOn: [access] },
  );
  const password = new azuread.ApplicationPassword(
    "smoke-secret",
    {
      applicationId: app.id,
      displayName: "smoke",
      endDate: "2030-01-01T00:00:00Z",
      rotateWhenChanged: { period: config.get("rotation") ?? "1" },
    },
    { provider },
  );
  new azuread.ApplicationRedirectUris(
    "smoke-redirect-uris",
    { applicationId: app.id, type: "Web", redirectUris: [config.require("redirectUri")] },
    { provider },
  );
  const client = azuread.getClientConfigOutput({ provider });
  stackOutputs.appClientId = app.clientId;
  stackOutputs.appObjectId = app.objectId;
  stackOutputs.passwordKeyId = password.keyId;
  stackOutputs.clientSecret = pulumi.secret(password.value);
  stackOutputs.callerObjectId = client.objectId;
}
