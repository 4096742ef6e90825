/**
 * Entry point (`main: infra/` in Pulumi.yaml): validate the stack config, declare the resources, export
 * what a person needs. No output carries a secret.
 */
import { loadStackConfig } from "./config";
import { deployStack } from "./stack";

// One clock for validation and for the secret rotation period.
const now = new Date();
const deployed = deployStack(loadStackConfig(now), { now, sampleAppBuildContext: "app" });

export const logtoEndpoint = deployed.logtoEndpoint;
export const sampleAppSignInUrl = deployed.sampleAppSignInUrl;
export const sampleAppLogtoAppId = deployed.sampleAppLogtoAppId;
export const enterpriseSsoEnabled = deployed.enterpriseSsoEnabled;
export const connections = deployed.connections;
