import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { parseImageReference, type ImageSource, type LimitProblem, type PropRules, type WorkloadSpec } from '../core';
import { acknowledge, acknowledgeWildcardGrant, type WildcardGrant } from './acknowledge';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources } from './protection';
import { logRetentionOf, logRetentionProblem } from './retention';

// The container definition container services (container-service.ts) and scheduled jobs (scheduled-job.ts) share:
// the image and the registry it is pulled from, the variables and secrets, the task size, the log group and its
// retention, what the execution role needs for all of these, and the checks of them. Each construct keeps what is
// its own: its roles, its network, and what starts the task.

/** Fargate's task size, as CPU units and MiB, for a spec's vCPU and GiB. */
export function renderTaskSize(spec: Pick<WorkloadSpec, 'cpu' | 'memoryGiB'>): { cpu: number; memoryLimitMiB: number } {
  return { cpu: Math.round(spec.cpu * 1024), memoryLimitMiB: Math.round(spec.memoryGiB * 1024) };
}

/** A private ECR registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The ECR repository an image reference names in a private registry (FIPS endpoints and the China regions
 * included), which the execution role must be allowed to pull from; undefined for any other registry (public
 * registries need no permission).
 */
export function ecrRepositoryArn(stack: Stack, reference: string): string | undefined {
  const parsed = parseImageReference(reference);
  if (typeof parsed === 'string' || parsed.registry === undefined) return undefined;
  const match = ECR_REGISTRY.exec(parsed.registry);
  if (!match) return undefined;
  return stack.formatArn({
    service: 'ecr',
    account: match[1]!,
    region: match[2]!,
    resource: 'repository',
    resourceName: parsed.repository,
  });
}

/** The image and secrets of a workload's container, and what the execution role must reach for them. */
export interface WorkloadContainerSource {
  /** The container image. */
  readonly image: ecs.ContainerImage;
  /**
   * The ECR repositories the image is pulled from: the CDK asset repository for a directory, the repository a
   * reference names in a private ECR registry; empty for a public registry.
   */
  readonly repositoryArns: readonly string[];
  /** The container's secrets by variable, read from Secrets Manager by name when the task starts. */
  readonly secrets: Readonly<Record<string, ecs.Secret>>;
  /** The names of those secrets in Secrets Manager, each once, sorted. */
  readonly secretNames: readonly string[];
}

/** The directory an image `{ directory }` is built from: relative to `imageRoot`, or to the working directory. */
function imageDirectoryOf(source: { readonly directory: string }, imageRoot: string | undefined): string {
  return path.resolve(imageRoot ?? process.cwd(), source.directory);
}

/**
 * The image and the secrets of a workload, created in `scope`: a registry reference as it is; a directory built at
 * deployment as a CDK asset for x86_64 Linux (`Image`; synthesis only hashes the directory, it needs no docker);
 * each secret imported by name (`Secret-<variable>`).
 * @param imageRoot the directory an image `{ directory }` is relative to; the working directory when not given
 */
export function renderWorkloadContainerSource(
  scope: Construct,
  spec: Pick<WorkloadSpec, 'image' | 'secrets'>,
  imageRoot?: string,
): WorkloadContainerSource {
  const source: ImageSource = spec.image;
  let image: ecs.ContainerImage;
  const repositoryArns: string[] = [];
  if ('reference' in source) {
    image = ecs.ContainerImage.fromRegistry(source.reference);
    const repository = ecrRepositoryArn(Stack.of(scope), source.reference);
    if (repository !== undefined) repositoryArns.push(repository);
  } else {
    const asset = new ecrAssets.DockerImageAsset(scope, 'Image', {
      directory: imageDirectoryOf(source, imageRoot),
      platform: ecrAssets.Platform.LINUX_AMD64,
      exclude: ['.git', 'node_modules', 'cdk.out'],
    });
    image = ecs.ContainerImage.fromDockerImageAsset(asset);
    repositoryArns.push(asset.repository.repositoryArn);
  }
  const secrets: Record<string, ecs.Secret> = {};
  for (const [variable, name] of Object.entries(spec.secrets)) {
    secrets[variable] = ecs.Secret.fromSecretsManager(
      secretsmanager.Secret.fromSecretNameV2(scope, `Secret-${variable}`, name),
    );
  }
  return { image, repositoryArns, secrets, secretNames: [...new Set(Object.values(spec.secrets))].sort() };
}

/** The resources the execution role reads, to render its policy. */
export interface ExecutionRoleResources {
  /** The ARN of the container log group (ending in `:*`, which covers its streams). */
  readonly logGroupArn: string;
  /** The names of the secrets in Secrets Manager (without Secrets Manager's random suffix). */
  readonly secretNames: readonly string[];
  /** The ARNs of the ECR repositories the image is pulled from. */
  readonly repositoryArns: readonly string[];
  /**
   * The Sid of the statement that writes the container's logs (a job's calls them its output).
   * @default 'WriteLogs'
   */
  readonly logStatementId?: string;
}

/**
 * The execution role's statements: what ECS needs to start the task (write its logs, read its secrets by name,
 * pull its image), each action on the narrowest resource; `ecr:GetAuthorizationToken` has no resource-level
 * permissions ({@link renderExecutionWildcardGrants}).
 */
export function renderExecutionStatements(stack: Stack, resources: ExecutionRoleResources): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: resources.logStatementId ?? 'WriteLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [resources.logGroupArn],
    }),
  ];
  if (resources.secretNames.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager ends every secret's ARN with a hyphen and six random characters.
        resources: resources.secretNames.map((name) =>
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${name}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
  }
  if (resources.repositoryArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'PullImage',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [...resources.repositoryArns],
      }),
      new iam.PolicyStatement({
        sid: 'AuthorizeRegistry',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/**
 * The wildcard grants of the execution policy ({@link renderExecutionStatements}): the registry login, when the
 * image is in ECR. Each is accepted by name; one added to the statements and not here fails synthesis
 * (Platform-WildcardGrant).
 */
export function renderExecutionWildcardGrants(repositoryArns: readonly string[]): WildcardGrant[] {
  if (repositoryArns.length === 0) return [];
  return [
    {
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
      reason: 'ecr:GetAuthorizationToken has no resource-level permissions; pulling is limited to the image repository',
    },
  ];
}

/** Props of {@link addExecutionPolicy}. */
export interface ExecutionPolicyProps {
  /** The role ECS starts the task with. */
  readonly role: iam.IRole;
  /** The policy's description. */
  readonly description: string;
  /** The log group the container writes to. */
  readonly logGroup: logs.ILogGroup;
  /** The image and secrets ({@link renderWorkloadContainerSource}). */
  readonly source: WorkloadContainerSource;
  /**
   * The Sid of the statement that writes the container's logs.
   * @default 'WriteLogs'
   */
  readonly logStatementId?: string;
}

/**
 * The execution role's one customer-managed policy (`ExecutionPolicy`): {@link renderExecutionStatements}, with
 * its wildcard grants accepted by name ({@link renderExecutionWildcardGrants}).
 */
export function addExecutionPolicy(scope: Construct, props: ExecutionPolicyProps): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(scope, 'ExecutionPolicy', {
    description: props.description,
    roles: [props.role],
    statements: renderExecutionStatements(Stack.of(scope), {
      logGroupArn: props.logGroup.logGroupArn,
      secretNames: props.source.secretNames,
      repositoryArns: props.source.repositoryArns,
      ...(props.logStatementId !== undefined && { logStatementId: props.logStatementId }),
    }),
  });
  for (const grant of renderExecutionWildcardGrants(props.source.repositoryArns))
    acknowledgeWildcardGrant(policy, grant);
  return policy;
}

/** Props of {@link addWorkloadLogGroup}. */
export interface WorkloadLogGroupProps {
  /** The log group's name, `/platform/<env>/<kind>/<name>...`: literal, so other stacks can name it. */
  readonly logGroupName: string;
  /** The environment's monitoring: its key encrypts the group. */
  readonly monitoring: IMonitoring;
  /**
   * How long the records are kept, in days (a retention CloudWatch Logs offers).
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly logRetentionDays?: number;
}

/**
 * A log group of a workload, encrypted with the environment's key. It is retained when it leaves the stack or is
 * replaced, unless the tier of its PlatformStack (or `RetainStatefulResources`) lets a development stack delete it.
 */
export function addWorkloadLogGroup(scope: Construct, id: string, props: WorkloadLogGroupProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    retention: logRetentionOf(scope, props.logRetentionDays),
    encryptionKey: props.monitoring.encryptionKey,
    removalPolicy: RetainStatefulResources.removalPolicyOf(scope),
  });
}

/** Props of {@link addWorkloadTask}. */
export interface WorkloadTaskProps {
  /** The workload: its name names the container, its size sizes the task, its variables go into the container. */
  readonly spec: Pick<WorkloadSpec, 'name' | 'cpu' | 'memoryGiB' | 'environment'>;
  /** The task definition family, `platform-<env>-<name>`. */
  readonly family: string;
  /** The role ECS starts the task with; the task definition holds it without policy updates. */
  readonly executionRole: iam.Role;
  /** The role the application runs with. */
  readonly taskRole: iam.IRole;
  /** The image and secrets ({@link renderWorkloadContainerSource}). */
  readonly source: WorkloadContainerSource;
  /** The log group the container writes to through awslogs, by workload name. */
  readonly logGroup: logs.ILogGroup;
  /**
   * The ports the container listens on.
   * @default - none
   */
  readonly portMappings?: ecs.PortMapping[];
}

/**
 * The Fargate task definition (`TaskDefinition`, x86_64 Linux) with one essential container (`Container`): the
 * image, the plain variables, the secrets from Secrets Manager (never plain variables), awslogs into the workload's
 * log group. Grants to the execution role through the task definition are dropped (it holds the role without policy
 * updates), so every permission of that role lives in the one policy rendered by {@link renderExecutionStatements}.
 */
export function addWorkloadTask(
  scope: Construct,
  props: WorkloadTaskProps,
): { taskDefinition: ecs.FargateTaskDefinition; container: ecs.ContainerDefinition } {
  const spec = props.spec;
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    family: props.family,
    ...renderTaskSize(spec),
    executionRole: props.executionRole.withoutPolicyUpdates(),
    taskRole: props.taskRole,
    runtimePlatform: {
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
    },
  });
  const environment = Object.keys(spec.environment).length > 0 ? { ...spec.environment } : undefined;
  const container = taskDefinition.addContainer('Container', {
    containerName: spec.name,
    image: props.source.image,
    essential: true,
    ...(props.portMappings && { portMappings: props.portMappings }),
    ...(environment && { environment }),
    ...(Object.keys(props.source.secrets).length > 0 && { secrets: { ...props.source.secrets } }),
    logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: spec.name }),
  });
  if (environment) {
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      "These are the spec's plain settings (environment); secrets reach the container from Secrets Manager (secrets), and the spec refuses a name in both",
    );
  }
  return { taskDefinition, container };
}

/** The prop rules (`checkProps`) of the fields every workload spec has, service or job. */
export const WORKLOAD_SPEC_RULES: PropRules = {
  name: { kind: 'string', allowed: 'the kebab-case workload name' },
  image: { kind: 'object', allowed: '{ reference } or { directory, azureReference }' },
  cpu: { kind: 'number', allowed: 'vCPUs: 0.25, 0.5, 1, 2 or 4' },
  memoryGiB: { kind: 'number', allowed: 'memory in GiB, twice the CPU' },
  environment: { kind: 'object', allowed: 'the plain environment variables ({} for none)' },
  secrets: { kind: 'object', allowed: 'the secrets by variable name ({} for none)' },
};

/** The prop rules (`checkProps`) of what every workload construct takes besides its spec. */
export const WORKLOAD_PROP_RULES: PropRules = {
  environment: { kind: 'string', allowed: 'the environment name' },
  cluster: {
    kind: 'object',
    allowed: 'the ECS cluster (ContainerCluster.cluster, or ecs.Cluster.fromClusterAttributes)',
  },
  vpc: { kind: 'object', allowed: 'the VPC (Network.vpc, or Network.fromAttributes(...).vpc)' },
  monitoring: { kind: 'object', allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)" },
  logRetentionDays: { kind: 'number', optional: true, allowed: 'a retention CloudWatch Logs offers, in days' },
  imageRoot: { kind: 'string', optional: true, allowed: 'the directory image directories are relative to' },
};

/** What {@link containerDefinitionProblems} checks besides the spec. */
export interface ContainerDefinitionOptions {
  /**
   * The directory an image `{ directory }` is relative to.
   * @default - the working directory
   */
  readonly imageRoot?: string;
  /**
   * The retention of the workload's log groups, in days.
   * @default - what the tier of the workload's PlatformStack decides
   */
  readonly logRetentionDays?: number;
}

/**
 * What AWS needs of a container definition beyond the limits both clouds share (`serviceProblems`, `jobProblems`):
 * an image reference Docker can parse, a Dockerfile in an image directory, a retention CloudWatch Logs offers. Paths
 * are relative to the workload (`image.directory`, `logRetentionDays`).
 */
export function containerDefinitionProblems(
  spec: Pick<WorkloadSpec, 'image'>,
  options: ContainerDefinitionOptions = {},
): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const image = spec.image;
  if ('reference' in image) {
    const parsed = parseImageReference(image.reference);
    if (typeof parsed === 'string') problems.push({ path: 'image', value: image.reference, allowed: parsed });
  } else if (!fs.existsSync(path.join(imageDirectoryOf(image, options.imageRoot), 'Dockerfile'))) {
    const root = options.imageRoot === undefined ? 'the project root' : 'imageRoot';
    problems.push({
      path: 'image.directory',
      value: image.directory,
      allowed: `a directory with a Dockerfile, relative to ${root} (${path.resolve(options.imageRoot ?? process.cwd())})`,
    });
  }
  if (options.logRetentionDays !== undefined) {
    const retention = logRetentionProblem(options.logRetentionDays);
    if (retention !== undefined) {
      problems.push({ path: 'logRetentionDays', value: options.logRetentionDays, allowed: retention });
    }
  }
  return problems;
}
