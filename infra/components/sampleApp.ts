import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerConfinement, NetworkMode, RestartPolicy, sampleAppDefaults } from "../sampleAppConfig";
import { httpCheckCommand } from "./httpCheck";

/**
 * The port gunicorn listens on inside the container in bridge mode (passed as PORT, so the image default does
 * not matter). With host networking it listens on the host port itself.
 */
export const containerPort = 8080;

/** Where the container finds its secrets (the app reads LOGTO_APP_SECRET_FILE and SECRET_KEY_FILE). */
export const secretsDirectory = "/run/secrets";
export const secretFiles = {
  logtoAppSecret: `${secretsDirectory}/logto-app-secret`,
  secretKey: `${secretsDirectory}/flask-secret-key`,
} as const;

export interface SampleAppArgs {
  /** Docker image reference to build, e.g. logto-entra-sso-sample:dev. Built locally, never pushed. */
  imageName: pulumi.Input<string>;
  /** Build context holding the Dockerfile: absolute, or relative to the program's working directory. */
  buildContext: pulumi.Input<string>;
  containerName: pulumi.Input<string>;
  /** Public URL of the app (BASE_URL); `/healthz` under it is checked after deploy. */
  baseUrl: pulumi.Input<string>;
  /** Host port the app is reached on. */
  port: pulumi.Input<number>;
  /** Host address the port is bound to. */
  bindAddress: pulumi.Input<string>;
  restartPolicy: pulumi.Input<RestartPolicy>;
  /**
   * bridge (default): the container port is published on bindAddress:port. host: the container shares the
   * host's network (it then reaches a Logto on localhost) and gunicorn itself listens on bindAddress:port.
   * Plain: it decides whether the container has a port mapping.
   */
  networkMode?: NetworkMode;
  /** `docker build --network` for the RUN steps, e.g. host; unset: Docker's default. */
  buildNetwork?: pulumi.Input<string>;
  /** app/Dockerfile's BASE_IMAGE build argument; unset: the Dockerfile's pinned default. */
  baseImage?: pulumi.Input<string>;
  logtoEndpoint: pulumi.Input<string>;
  logtoAppId: pulumi.Input<string>;
  /** Kept secret. */
  logtoAppSecret: pulumi.Input<string>;
  /** Flask SECRET_KEY; kept secret. */
  secretKey: pulumi.Input<string>;
  /** How the container is confined; default sampleAppDefaults.confinement (everything on). Plain, as it shapes the container. */
  confinement?: ContainerConfinement;
  /** How long each post-deploy check waits for an answer. Default 60 s. */
  checkTimeoutSeconds?: number;
}

/**
 * The Flask sample app as a local container: the image built from `app/`, the container with its Logto
 * settings in the environment and its secrets as files on a read-only volume, confined (read-only root file
 * system, no capabilities, no-new-privileges, memory and process limits), two post-deploy checks (the app
 * answers `/healthz`, and Logto's OIDC discovery document is reachable), and the removal of the image once it
 * is not used. The arguments are checked where they come from (the stack config).
 */
export class SampleApp extends pulumi.ComponentResource {
  public readonly image: docker.Image;
  public readonly secretsVolume: docker.Volume;
  /** Created and never started: it writes the secret files into secretsVolume. */
  public readonly secretsWriter: docker.Container;
  public readonly container: docker.Container;
  /** The built image's id, which changes with every rebuild. */
  public readonly imageRef: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  public readonly healthzUrl: pulumi.Output<string>;
  public readonly discoveryUrl: pulumi.Output<string>;

  constructor(name: string, args: SampleAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("logto-entra-sso:app:SampleApp", name, {}, opts);
    const timeoutSeconds = args.checkTimeoutSeconds ?? 60;
    const confinement = args.confinement ?? sampleAppDefaults.confinement;
    this.healthzUrl = pulumi.interpolate`${args.baseUrl}/healthz`;
    this.discoveryUrl = pulumi.interpolate`${args.logtoEndpoint}/oidc/.well-known/openid-configuration`;
    const networkMode = args.networkMode ?? "bridge";

    this.image = new docker.Image(
      `${name}-image`,
      {
        imageName: args.imageName,
        build: {
          context: args.buildContext,
          ...(args.baseImage !== undefined ? { args: { BASE_IMAGE: args.baseImage } } : {}),
          ...(args.buildNetwork !== undefined ? { network: args.buildNetwork } : {}),
        },
        skipPush: true,
      },
      { parent: this },
    );

    // With host networking there is no port mapping: the app binds the host address and port itself.
    const listening =
      networkMode === "host"
        ? { envs: [pulumi.interpolate`PORT=${args.port}`, pulumi.interpolate`BIND_ADDRESS=${args.bindAddress}`] }
        : {
            envs: [`PORT=${containerPort}`],
            ports: [{ internal: containerPort, external: args.port, ip: args.bindAddress }],
          };

    // @pulumi/docker's Image never removes what it built (its delete does nothing): without this every rebuild
    // and every destroyed test stack would leave an image behind. The container depends on it, so the image is
    // removed only once the container using it is gone; a rebuild replaces it, removing the previous image.
    const imageCleanup = new command.local.Command(
      `${name}-image-cleanup`,
      {
        // The tag when it still names this build (other tags of the same image, e.g. another stack's identical
        // build, keep it alive), else the build itself, which a rebuild left untagged.
        delete: [
          'if [ "$(docker image inspect --format "{{.Id}}" "$IMAGE_NAME" 2>/dev/null)" = "$IMAGE_ID" ]; then target="$IMAGE_NAME"; else target="$IMAGE_ID"; fi',
          'docker image rm "$target" >/dev/null 2>&1 || echo "kept image $target: still in use, or removed already" >&2',
        ].join("; "),
        environment: { IMAGE_ID: this.image.repoDigest, IMAGE_NAME: args.imageName },
        triggers: [this.image.repoDigest],
      },
      { parent: this },
    );

    // The secrets go in as files, never in the environment: `docker inspect` shows a container's environment,
    // and the docker provider writes that inspect output to its debug log. Docker refuses uploads into a
    // container whose root file system is read-only ("container rootfs is marked read-only", even below a
    // volume), so they go into a writer container that is created and never started: its /run/secrets is a
    // named volume, which the app's container mounts read-only.
    this.secretsVolume = new docker.Volume(
      `${name}-secrets`,
      { name: pulumi.interpolate`${args.containerName}-secrets` },
      { parent: this },
    );
    this.secretsWriter = new docker.Container(
      `${name}-secrets-writer`,
      {
        name: pulumi.interpolate`${args.containerName}-secrets-writer`,
        image: this.image.repoDigest,
        start: false,
        mustRun: false,
        networkMode: "none",
        volumes: [{ volumeName: this.secretsVolume.name, containerPath: secretsDirectory }],
        uploads: [
          // Readable by the app's unprivileged user; the files belong to root, as uploads do.
          { file: secretFiles.logtoAppSecret, content: pulumi.secret(args.logtoAppSecret), permissions: "0444" },
          { file: secretFiles.secretKey, content: pulumi.secret(args.secretKey), permissions: "0444" },
        ],
      },
      { parent: this, deleteBeforeReplace: true, additionalSecretOutputs: ["uploads"], dependsOn: [imageCleanup] },
    );

    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.containerName,
        // For a local build this is the image id, so a rebuilt image replaces the container.
        image: this.image.repoDigest,
        envs: [
          pulumi.interpolate`LOGTO_ENDPOINT=${args.logtoEndpoint}`,
          pulumi.interpolate`LOGTO_APP_ID=${args.logtoAppId}`,
          `LOGTO_APP_SECRET_FILE=${secretFiles.logtoAppSecret}`,
          pulumi.interpolate`BASE_URL=${args.baseUrl}`,
          `SECRET_KEY_FILE=${secretFiles.secretKey}`,
          ...listening.envs,
        ],
        volumes: [{ volumeName: this.secretsVolume.name, containerPath: secretsDirectory, readOnly: true }],
        // Sent even when it is Docker's default, bridge: the provider replaces a container whose mode differs.
        networkMode,
        ...(listening.ports ? { ports: listening.ports } : {}),
        restart: args.restartPolicy,
        readOnly: confinement.readOnlyRootFilesystem,
        ...(confinement.dropAllCapabilities ? { capabilities: { drops: ["ALL"] } } : {}),
        ...(confinement.noNewPrivileges ? { securityOpts: ["no-new-privileges:true"] } : {}),
        // No swap: memory and swap together are the limit.
        memory: confinement.memoryLimitMb,
        memorySwap: confinement.memoryLimitMb,
      },
      {
        parent: this,
        // The host port and the name are taken until the old container is gone.
        deleteBeforeReplace: true,
        dependsOn: [imageCleanup, this.secretsWriter],
        // The app reads its secret files when it starts: new files (a rotated secret) need a new container.
        replaceWith: [this.secretsWriter],
      },
    );

    // pulumi-docker 5.2.0's Container has no pids_limit (terraform-provider-docker v4.5.0's schema), so the
    // limit is set on the created container, before the health check passes; Docker keeps it across restarts.
    const pidsLimit = new command.local.Command(
      `${name}-pids-limit`,
      {
        create: 'docker update --pids-limit "$PIDS_LIMIT" "$CONTAINER_ID" >/dev/null',
        environment: { PIDS_LIMIT: String(confinement.pidsLimit), CONTAINER_ID: this.container.id },
        triggers: [this.container.id],
      },
      { parent: this },
    );

    new command.local.Command(
      `${name}-healthz-check`,
      {
        ...httpCheckCommand(this.healthzUrl, { timeoutSeconds }),
        // A new container is checked again.
        triggers: [this.container.id],
      },
      { parent: this, dependsOn: [this.container, pidsLimit] },
    );
    new command.local.Command(
      `${name}-discovery-check`,
      {
        ...httpCheckCommand(this.discoveryUrl, { expect: '"authorization_endpoint"', timeoutSeconds }),
        triggers: [args.logtoEndpoint],
      },
      { parent: this },
    );

    this.imageRef = this.image.repoDigest;
    this.containerName = this.container.name;
    this.registerOutputs({
      imageRef: this.imageRef,
      containerName: this.containerName,
      healthzUrl: this.healthzUrl,
      discoveryUrl: this.discoveryUrl,
    });
  }
}
