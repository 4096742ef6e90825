/** The application's check and diff: defaults, the declared values Logto would refuse, which fields changed. */
import * as pulumi from "@pulumi/pulumi";
import { MovingObject, adoptableDiff, configuredEndpoint, containsUnknown, ifPresent, sameStringSet } from "../support";
import { nameFailures } from "../organizationFields";
import { urlProblems } from "../validation";
import { ApplicationInputs, ApplicationOutputs, getApplication, label } from "./schema";

/** applications.name is varchar(256) (packages/schemas/tables/applications.sql). */
const nameLimit = 256;

type ApplicationField = "name" | "description" | "redirectUris" | "postLogoutRedirectUris" | "corsAllowedOrigins";

export function changedApplicationFields(olds: ApplicationInputs, news: ApplicationInputs): ApplicationField[] {
  const changed: ApplicationField[] = [];
  if (olds.name !== news.name) changed.push("name");
  if ((olds.description ?? "") !== (news.description ?? "")) changed.push("description");
  for (const key of ["redirectUris", "postLogoutRedirectUris", "corsAllowedOrigins"] as const) {
    if (!sameStringSet(olds[key] ?? [], news[key] ?? [])) changed.push(key);
  }
  return changed;
}

function checkFailures(news: ApplicationInputs): pulumi.dynamic.CheckFailure[] {
  const failures = nameFailures(news.name, "application", nameLimit);
  const known = (value: unknown) => !containsUnknown(value);
  for (const key of ["redirectUris", "postLogoutRedirectUris", "corsAllowedOrigins"] as const) {
    if (!known(news[key])) continue;
    news[key].forEach((uri, index) => {
      const problems = urlProblems(`${key}[${index}]`, uri, {
        allowPath: key !== "corsAllowedOrigins",
        allowTrailingSlash: key !== "corsAllowedOrigins",
      });
      problems.forEach((reason) => failures.push({ property: key, reason }));
    });
  }
  if (known(news.redirectUris) && news.redirectUris.length === 0) {
    failures.push({
      property: "redirectUris",
      reason:
        "redirectUris is empty: a Traditional web app needs its sign-in callback, e.g. https://app.example.com/callback.",
    });
  }
  return failures;
}

/** The defaults filled (so that state always has every field), and the declared values Logto would refuse. */
export function checkApplication(news: Partial<ApplicationInputs>): pulumi.dynamic.CheckResult<ApplicationInputs> {
  const inputs: ApplicationInputs = {
    ...news,
    name: news.name ?? "",
    description: news.description ?? "",
    redirectUris: news.redirectUris ?? [],
    postLogoutRedirectUris: news.postLogoutRedirectUris ?? [],
    corsAllowedOrigins: news.corsAllowedOrigins ?? [],
    adoptExisting: news.adoptExisting ?? false,
    deleteAdoptedOnDestroy: news.deleteAdoptedOnDestroy ?? false,
    endpoint: configuredEndpoint(),
  };
  return { inputs, failures: checkFailures(inputs) };
}

/** An application at another endpoint: the same tenant holds it under its id as a Traditional app. */
function movingApplication(id: string, olds: Partial<ApplicationInputs>): MovingObject {
  return {
    what: `${label(olds.name ?? id)} (id ${id})`,
    cost: "a new application with a new client id and secret; every app that signs in with the old ones stops signing in until it gets the new ones (the sample app gets them in the same run), and users signed in through it must sign in again.",
    async heldBy(client) {
      const action = `looking up ${label(olds.name ?? id)} at ${client.endpoint}`;
      return (await ifPresent(() => getApplication(client, id, action)))?.type === "Traditional";
    },
  };
}

export async function diffApplication(
  id: string,
  olds: ApplicationOutputs,
  news: ApplicationInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const changed = containsUnknown(news) || changedApplicationFields(olds, news).length > 0;
  return adoptableDiff(olds, news, { replaces: [], changed }, movingApplication(id, olds));
}
