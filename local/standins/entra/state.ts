/**
 * The stand-in's directories, one per tenant, live: tests read them, and edit them by hand to simulate what
 * someone changes in the Entra admin center (drift). A tenant starts with the Microsoft Graph service
 * principal and the deployer (the app registration, service principal and secret a stack deploys with).
 */
import { createHash } from "node:crypto";

import { ReplicationLag, type ConsistencySwitches } from "./consistency";
import { newClientSecret, newGuid } from "./ids";
import { microsoftGraphAppId, microsoftGraphAppRoles, microsoftGraphScopes } from "./microsoft-graph";
import {
  applicationDefaults,
  graphDateTime,
  servicePrincipalDefaults,
  type Application,
  type GraphJson,
  type PermissionGrant,
  type ServicePrincipal,
  type User,
} from "./objects";

export interface Deployer {
  /** The deployer app's appId: ARM_CLIENT_ID. */
  clientId: string;
  /** ARM_CLIENT_SECRET. */
  clientSecret: string;
  /** Its service principal's object id: the `oid` of its tokens, and the first owner of what it creates. */
  objectId: string;
  /** Its application's object id. */
  applicationObjectId: string;
}

/** A test user to put in a tenant: who signs in on the stand-in's sign-in page, with this password. */
export interface TestUserSeed {
  /** The sign-in name, `name@tenant-domain`; unique across the stand-in's tenants (the sign-in page looks it up). */
  userPrincipalName: string;
  password: string;
  displayName?: string;
  /** Without one the user has no `mail`, and ID tokens carry no `email` (as for many work accounts). */
  mail?: string;
  givenName?: string;
  surname?: string;
}

export interface TenantDump {
  tenantId: string;
  applications: Application[];
  servicePrincipals: GraphJson[];
  oauth2PermissionGrants: PermissionGrant[];
  /** Owner object ids per service principal id. */
  servicePrincipalOwners: Record<string, string[]>;
  users: User[];
}

export type DirectoryObject =
  | { odataType: "#microsoft.graph.servicePrincipal"; object: GraphJson }
  | { odataType: "#microsoft.graph.user"; object: User };

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** What is wrong with a test user seed, or undefined. */
export function testUserProblem(seed: TestUserSeed): string | undefined {
  if (typeof seed.userPrincipalName !== "string" || !/^[^@\s]+@[^@\s]+$/.test(seed.userPrincipalName)) {
    return `userPrincipalName must look like name@domain, got ${JSON.stringify(seed.userPrincipalName)}`;
  }
  if (typeof seed.password !== "string" || seed.password === "")
    return `password of ${seed.userPrincipalName} must be a non-empty string`;
  if (seed.mail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(seed.mail))
    return `mail of ${seed.userPrincipalName} must look like name@domain`;
  return undefined;
}

const twoYearsMs = 2 * 365 * 24 * 3600 * 1000;

/** One tenant's directory. */
export class TenantDirectory {
  readonly applications = new Map<string, Application>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  readonly oauth2PermissionGrants = new Map<string, PermissionGrant>();
  /** Owners (service principal or user object ids) of each service principal, by its id. */
  readonly servicePrincipalOwners = new Map<string, string[]>();
  private readonly seedUserIds: readonly string[];
  /** Test users (`addUser`, or the stand-in's `users` option), by object id. */
  readonly users = new Map<string, User>();
  readonly lag: ReplicationLag;
  /** The domain Graph reports as `publisherDomain`. */
  readonly domain: string;
  readonly graphServicePrincipalId = newGuid();
  readonly deployer: Deployer;
  /** sha256 of each password's secret, by keyId: what the token endpoint checks. Never in `dump()`. */
  private readonly secretHashes = new Map<string, string>();
  /** sha256 of each test user's password, by object id. Never in `dump()`. */
  private readonly passwordHashes = new Map<string, string>();
  private readonly deployerKeyId = newGuid();
  private readonly deployerSecretDates = { start: new Date(), end: new Date(Date.now() + twoYearsMs) };

  constructor(
    readonly tenantId: string,
    switches: () => ConsistencySwitches,
    /** Test users every reset puts back. */
    private readonly userSeeds: readonly TestUserSeed[] = [],
  ) {
    this.lag = new ReplicationLag(switches);
    this.seedUserIds = userSeeds.map(() => newGuid());
    this.domain = `tenant-${tenantId.split("-")[0].toLowerCase()}.onmicrosoft.com`;
    this.deployer = {
      clientId: newGuid(),
      clientSecret: newClientSecret(),
      objectId: newGuid(),
      applicationObjectId: newGuid(),
    };
    this.reset();
  }

  /** A new application with Graph's defaults and server-set fields. */
  newApplication(): Application {
    return {
      ...applicationDefaults(),
      id: newGuid(),
      appId: newGuid(),
      createdDateTime: graphDateTime(new Date()),
      publisherDomain: this.domain,
    };
  }

  newServicePrincipal(appId: string): ServicePrincipal {
    return { ...servicePrincipalDefaults(), id: newGuid(), appId };
  }

  applicationByAppId(appId: string): Application | undefined {
    return [...this.applications.values()].find((app) => app.appId.toLowerCase() === appId.toLowerCase());
  }

  servicePrincipalByAppId(appId: string): ServicePrincipal | undefined {
    return [...this.servicePrincipals.values()].find((sp) => sp.appId.toLowerCase() === appId.toLowerCase());
  }

  /** A service principal as Graph shows it: what it stores plus what its application (if in this tenant) defines. */
  servicePrincipalView(servicePrincipal: ServicePrincipal): GraphJson {
    const app = this.applicationByAppId(servicePrincipal.appId);
    const view: GraphJson = structuredClone(servicePrincipal);
    if (!app) return view;
    return {
      ...view,
      appDisplayName: app.displayName,
      appDescription: app.description ?? null,
      appOwnerOrganizationId: this.tenantId,
      appRoles: structuredClone(app.appRoles),
      info: structuredClone(app.info),
      oauth2PermissionScopes: structuredClone(app.api.oauth2PermissionScopes),
      replyUrls: [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris],
      servicePrincipalNames: [app.appId, ...app.identifierUris],
      signInAudience: app.signInAudience,
    };
  }

  /** A service principal or user of this tenant, by object id. */
  directoryObject(objectId: string): DirectoryObject | undefined {
    const servicePrincipal = this.servicePrincipals.get(objectId);
    if (servicePrincipal)
      return { odataType: "#microsoft.graph.servicePrincipal", object: this.servicePrincipalView(servicePrincipal) };
    const user = this.users.get(objectId);
    return user ? { odataType: "#microsoft.graph.user", object: user } : undefined;
  }

  /** Adds a test user who can sign in with `seed.password`; the object id is new unless given. */
  addUser(seed: TestUserSeed, objectId: string = newGuid()): User {
    const problem = testUserProblem(seed);
    if (problem) throw new Error(`addUser in tenant ${this.tenantId}: ${problem}`);
    if (this.userByPrincipalName(seed.userPrincipalName)) {
      throw new Error(
        `addUser in tenant ${this.tenantId}: a user ${seed.userPrincipalName} exists already; give each test user its own userPrincipalName`,
      );
    }
    const user: User = {
      id: objectId,
      displayName: seed.displayName ?? null,
      userPrincipalName: seed.userPrincipalName,
      mail: seed.mail ?? null,
      givenName: seed.givenName ?? null,
      surname: seed.surname ?? null,
    };
    this.users.set(user.id, user);
    this.passwordHashes.set(user.id, sha256(seed.password));
    return user;
  }

  userByPrincipalName(userPrincipalName: string): User | undefined {
    const wanted = userPrincipalName.toLowerCase();
    return [...this.users.values()].find((user) => user.userPrincipalName.toLowerCase() === wanted);
  }

  checkPassword(user: User, password: string): boolean {
    return this.passwordHashes.get(user.id) === sha256(password);
  }

  rememberSecret(keyId: string, secretText: string): void {
    this.secretHashes.set(keyId, sha256(secretText));
  }

  /** Whether `secret` is one of the application's passwords, and whether that password is valid now. */
  checkSecret(app: Application, secret: string, now = new Date()): "valid" | "expired" | "wrong" {
    const hash = sha256(secret);
    const credential = app.passwordCredentials.find((candidate) => this.secretHashes.get(candidate.keyId) === hash);
    if (!credential) return "wrong";
    const [start, end] = [Date.parse(credential.startDateTime), Date.parse(credential.endDateTime)];
    return now.getTime() >= start && now.getTime() < end ? "valid" : "expired";
  }

  /** Back to the seeded directory: the Microsoft Graph service principal and the deployer, same ids and secret. */
  reset(): void {
    this.applications.clear();
    this.servicePrincipals.clear();
    this.oauth2PermissionGrants.clear();
    this.servicePrincipalOwners.clear();
    this.users.clear();
    this.passwordHashes.clear();
    this.secretHashes.clear();
    this.lag.clear();

    this.servicePrincipals.set(this.graphServicePrincipalId, {
      ...this.newServicePrincipal(microsoftGraphAppId),
      id: this.graphServicePrincipalId,
      displayName: "Microsoft Graph",
      appDisplayName: "Microsoft Graph",
      // Microsoft's own tenant, which owns its first-party apps.
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      appRoles: structuredClone([...microsoftGraphAppRoles]),
      oauth2PermissionScopes: structuredClone([...microsoftGraphScopes]),
      servicePrincipalNames: [
        microsoftGraphAppId,
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "https://canary.graph.microsoft.com",
      ],
      servicePrincipalType: "Application",
      signInAudience: "AzureADMultipleOrgs",
    });

    const { clientId, clientSecret, objectId, applicationObjectId } = this.deployer;
    const app: Application = {
      ...this.newApplication(),
      id: applicationObjectId,
      appId: clientId,
      displayName: "Deployer (Entra stand-in)",
      signInAudience: "AzureADMyOrg",
      passwordCredentials: [
        {
          customKeyIdentifier: null,
          displayName: "deployer",
          endDateTime: graphDateTime(this.deployerSecretDates.end),
          hint: clientSecret.slice(0, 3),
          keyId: this.deployerKeyId,
          secretText: null,
          startDateTime: graphDateTime(this.deployerSecretDates.start),
        },
      ],
    };
    this.applications.set(app.id, app);
    this.rememberSecret(this.deployerKeyId, clientSecret);
    this.servicePrincipals.set(objectId, {
      ...this.newServicePrincipal(clientId),
      id: objectId,
      displayName: app.displayName,
    });
    // The seeded users are the same people after a reset: same object id, so the same `oid` and `sub`.
    this.userSeeds.forEach((seed, index) => this.addUser(seed, this.seedUserIds[index]));
  }

  dump(): TenantDump {
    return structuredClone({
      tenantId: this.tenantId,
      applications: [...this.applications.values()],
      servicePrincipals: [...this.servicePrincipals.values()].map((sp) => this.servicePrincipalView(sp)),
      oauth2PermissionGrants: [...this.oauth2PermissionGrants.values()],
      servicePrincipalOwners: Object.fromEntries(this.servicePrincipalOwners),
      users: [...this.users.values()],
    });
  }
}
