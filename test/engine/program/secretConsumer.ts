/**
 * A stand-in for the sample app container in the engine tests (no Docker engine here): a resource that takes the
 * Logto application secret as input, as the container takes LOGTO_APP_SECRET. Each create or update checks,
 * through the Management API, that the secret it is handed is one the application has (a container given a
 * revoked secret could not sign anyone in) and fails otherwise. Its check is a GET of the application's
 * secrets with `consumer=<name>` in the query, so the Logto stand-in's request log shows when the dependant was
 * updated relative to the secret's create and delete.
 */
import * as pulumi from "@pulumi/pulumi";
import { createRequire } from "node:module";
import { installProviderPackage, providerPackageName } from "../../../providers/logto/referencedResource";

// Reached as the product's resources reach it: the installed provider package, which Pulumi's closure serialiser
// writes as `require("logto-entra-sso-provider/index.js")` (a module under node_modules), so this provider shares
// the provider process's client and no client code is copied into the state.
installProviderPackage();
const logto = createRequire(__filename)(providerPackageName) as typeof import("../../../providers/logto");

interface ConsumerInputs {
  applicationId: string;
  appSecret: string;
}

type ConsumerOutputs = ConsumerInputs;

async function checkHeldSecret(name: string, inputs: ConsumerInputs): Promise<void> {
  const { data } = await logto.managementClient().send({
    method: "GET",
    path: "/api/applications/{id}/secrets",
    params: { id: inputs.applicationId },
    query: { consumer: name },
    action: `checking the secret handed to ${name}`,
    sensitiveValues: [inputs.appSecret],
  });
  if (!data.some((row) => row.value === inputs.appSecret)) {
    throw new Error(
      `${name}: the application secret it was handed is not one of application ${inputs.applicationId}'s secrets.`,
    );
  }
}

function consumerProvider(name: string): pulumi.dynamic.ResourceProvider<ConsumerInputs, ConsumerOutputs> {
  return {
    configure: (request) => logto.configureFromStack(request),
    async diff(_id, olds, news) {
      // A new secret or application is an update, as an env change of the container would be.
      return { changes: olds.appSecret !== news.appSecret || olds.applicationId !== news.applicationId };
    },
    async create(inputs) {
      await checkHeldSecret(name, inputs);
      return { id: name, outs: inputs };
    },
    async update(_id, _olds, news) {
      await checkHeldSecret(name, news);
      return { outs: news };
    },
  };
}

export class SecretConsumer extends pulumi.dynamic.Resource {
  constructor(name: string, args: { applicationId: pulumi.Input<string>; appSecret: pulumi.Input<string> }) {
    super(
      consumerProvider(name),
      name,
      { applicationId: args.applicationId, appSecret: pulumi.secret(args.appSecret) },
      { additionalSecretOutputs: ["appSecret"] },
      "test",
      "SecretConsumer",
    );
  }
}
