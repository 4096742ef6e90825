/**
 * Entry point (`main: infra/` in Pulumi.yaml): validate the stack config, declare the resources, export
 * what a person needs. No output carries a secret.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config";
import { keepSecretsOutOfSdkDebugLog } from "./sdkDebugLog";
import { deployStack } from "./stack";

keepSecretsOutOfSdkDebugLog();
// For `pulumi up --debug` and the demo's summary: which Node.js the language host ran the program on.
void pulumi.log.debug(`program running on Node.js ${process.version}`);

// One clock for validation and for the secret rotation period.
const now = new Date();
// The engine runs the program with infra/ as working directory (`main: infra/`): find app/ from this file,
// and keep the path relative so that the state does not carry this machine's directories.
const sampleAppBuildContext = path.relative(process.cwd(), path.join(__dirname, "..", "app"));
const deployed = deployStack(loadStackConfig(now), { now, sampleAppBuildContext });

export const { logtoEndpoint, sampleAppSignInUrl, sampleAppLogtoAppId, enterpriseSsoEnabled, connections } = deployed;
