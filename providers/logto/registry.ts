/** The clients of this provider process, one per Logto settings, shared by every resource kind. */
import type * as pulumi from "@pulumi/pulumi";
import { ManagementClient, createManagementClient } from "./client";
import { troubleshootingLink } from "./errors";
import {
  ManagementApiSettings,
  defaultManagementApiResource,
  resolveManagementApiSettings,
  settingSource,
} from "./settings";

/**
 * Process-wide state. Pulumi runs one provider process per deployment but deserialises each resource
 * kind's provider separately, so a cache kept in a closure would not be shared: the global is.
 */
interface ManagementApiRegistry {
  configured?: ManagementApiSettings;
  clients: Map<string, ManagementClient>;
}

/**
 * Versioned with the client's interface: a state written before the provider was stored by reference still
 * runs its own packed provider for reads and deletes, in the same process as today's, and that code keeps its
 * clients (with the older `send`/`deleteIfPresent` signatures) under the unversioned key. Sharing one key let
 * whichever came first hand the other a client it calls wrongly. Change the suffix when the interface changes.
 */
const registryKey = "__logtoEntraSsoManagementApi@typed-routes";

function registry(): ManagementApiRegistry {
  const holder = globalThis as unknown as Record<string, ManagementApiRegistry | undefined>;
  let found = holder[registryKey];
  if (!found) {
    found = { clients: new Map() };
    holder[registryKey] = found;
  }
  return found;
}

/** Called from each provider's `configure`: reads the stack config (env as fallback) once per process. */
export function configureManagementApi(config: pulumi.dynamic.Config | undefined): void {
  registry().configured = resolveManagementApiSettings(settingSource(config, process.env));
}

/** The configured settings with another endpoint (the API resource follows it unless it was set explicitly). */
function settingsAt(configured: ManagementApiSettings, endpoint: string): ManagementApiSettings {
  const derivedResource = configured.resource === defaultManagementApiResource(configured.endpoint);
  return {
    ...configured,
    endpoint,
    resource: derivedResource ? defaultManagementApiResource(endpoint) : configured.resource,
  };
}

function movedNote(recordedEndpoint: string, configuredEndpoint: string): string {
  return (
    `This object was made at ${recordedEndpoint} (recorded in the state); logto:endpoint is now ${configuredEndpoint}, ` +
    "so the provider reads and deletes it at the recorded endpoint with the configured credentials (an `up` records " +
    "the new endpoint when that Logto holds the object). To move a stack to another Logto, set the old logto:endpoint, " +
    "logto:m2mAppId and logto:m2mAppSecret back, run `pulumi up` (nothing moves) and `pulumi destroy`, then set the new " +
    "ones and run `pulumi up`; to leave the old objects behind, `pulumi state delete <urn>` them " +
    `(${troubleshootingLink("Object made at another endpoint")}).`
  );
}

/**
 * The shared client for the configured Logto (or the one the environment names when not configured). With
 * `recordedEndpoint` (where a resource's state says its object lives), the client for that endpoint.
 */
export function managementClient(recordedEndpoint?: string): ManagementClient {
  const state = registry();
  const configured = configuredSettings();
  const elsewhere = recordedEndpoint !== undefined && recordedEndpoint !== configured.endpoint;
  const settings = elsewhere ? settingsAt(configured, recordedEndpoint) : configured;
  // In-memory only: the settings (secret included) never leave this process.
  const key = JSON.stringify(settings);
  let client = state.clients.get(key);
  if (!client) {
    client = createManagementClient(settings, elsewhere ? movedNote(recordedEndpoint, configured.endpoint) : undefined);
    state.clients.set(key, client);
  }
  return client;
}

/** The configured settings (stack config, else the environment). */
export function configuredSettings(): ManagementApiSettings {
  const state = registry();
  return state.configured ?? resolveManagementApiSettings(settingSource(undefined, process.env));
}

/** Forgets configured settings and cached clients (tests start each case from a clean process state). */
export function resetManagementApiRegistry(): void {
  const state = registry();
  state.configured = undefined;
  state.clients.clear();
}
