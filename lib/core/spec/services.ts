import { z } from 'zod';
import { MAX_WORKLOADS_PER_STACK, parseImageReference, WORKLOAD_STACKS, workloadStackOf } from '../containers';
import type { Schedule } from '../schedule';
import {
  concurrentRequestsProblem,
  healthCheckPathProblem,
  portProblem,
  retriesProblem,
  scheduleFieldProblems,
  serviceCountProblems,
  taskCountProblem,
  timeoutMinutesProblem,
  utilizationTargetProblem,
  WORKLOAD_LIMITS,
  workloadProblems,
  type LimitProblem,
} from '../workload-limits';
import { defineSection, type ReportIssue, type SectionCheckContext } from './section';

/** Where a workload's image comes from: a registry reference, or a Dockerfile directory built at deployment. */
export type ImageSource =
  /** An image in a registry, the same on both clouds (`public.ecr.aws/nginx/nginx:1.27`). */
  | { readonly reference: string }
  /**
   * A directory with a Dockerfile: AWS builds and pushes it at deployment (a CDK asset, so synthesis needs no
   * docker); Azure runs `azureReference`, the same image pushed to a registry it can pull from.
   */
  | { readonly directory: string; readonly azureReference: string };

/** What every container workload (service or job) has. */
export interface WorkloadSpec {
  /** Kebab-case name, unique among the environment's services and jobs. */
  readonly name: string;
  /** The image. */
  readonly image: ImageSource;
  /** vCPUs: 0.25, 0.5, 1, 2 or 4. */
  readonly cpu: number;
  /** Memory in GiB, twice the CPU (the pairs both clouds run). */
  readonly memoryGiB: number;
  /** Plain environment variables (no secrets: those go in `secrets`). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Secrets by environment variable: the value is the secret's name, in AWS Secrets Manager and in the
   * environment's Azure Key Vault (`azure.keyVaultId`).
   */
  readonly secrets: Readonly<Record<string, string>>;
  /** The AWS workload stack it lives in (0 to WORKLOAD_STACKS - 1): from its name unless pinned. */
  readonly stack: number;
}

/** Autoscaling targets; each one given adds a rule, the count staying within min and max. */
export interface AutoscalingSpec {
  /** Average CPU utilization to hold, in percent. */
  readonly cpuPercent?: number;
  /** Average memory utilization to hold, in percent. */
  readonly memoryPercent?: number;
  /** Requests per second per task (AWS: per target per minute, converted) or concurrent requests per replica (Azure). */
  readonly concurrentRequests?: number;
}

/** One long-running container service behind a load balancer (AWS) or ingress (Azure). */
export interface ServiceSpec extends WorkloadSpec {
  /** The port the container listens on. */
  readonly port: number;
  /** The path the health checks request. */
  readonly healthCheckPath: string;
  /** Reachable from the Internet (true) or only inside the network (false). */
  readonly public: boolean;
  /** Tasks or replicas to run normally. */
  readonly desiredCount: number;
  /** Fewest tasks or replicas (2 in production, spread over zones). */
  readonly minCount: number;
  /** Most tasks or replicas autoscaling may run. */
  readonly maxCount: number;
  /** Autoscaling rules. */
  readonly autoscaling: AutoscalingSpec;
  /** An ACM certificate for HTTPS on the AWS load balancer; without one it listens on HTTP only. */
  readonly awsCertificateArn?: string;
  /**
   * The share of `desiredCount` that keeps running while a deployment replaces tasks (ECS
   * `minimumHealthyPercent`): production 100, so a deployment never lowers capacity; development 50.
   */
  readonly minHealthyPercent: 50 | 100;
}

/** A container run on a schedule. */
export interface JobSpec extends WorkloadSpec {
  /** When it runs (UTC). */
  readonly schedule: Schedule;
  /** How long one run may take, in minutes. */
  readonly timeoutMinutes: number;
  /** How many times a failed run is retried. */
  readonly retries: number;
}

/**
 * A refinement that reports what a limit of lib/core/workload-limits.ts says of a value: the spec refuses it in the
 * words the constructs use for the same value given in their props.
 */
function within<T>(problem: (value: T) => string | undefined): (value: T, ctx: z.RefinementCtx<T>) => void {
  return (value, ctx) => {
    const allowed = problem(value);
    if (allowed !== undefined) ctx.addIssue({ code: 'custom', input: value, message: allowed });
  };
}

/** Reports limit problems under a path (`services[0]`). */
function reportAll(problems: readonly LimitProblem[], at: string, report: ReportIssue): void {
  for (const p of problems) report(`${at}.${p.path}`, p.value, p.allowed);
}

const kebab = z.string().regex(/^[a-z](?:[a-z0-9]|-(?!-)){0,18}[a-z0-9]$/, {
  error: 'a kebab-case name of 2-20 lowercase letters, digits and single hyphens, such as api or nightly-report',
});

const IMAGE_RULE = 'an image reference with a tag or digest, or { directory, azureReference }';

const imageReference = z.string({ error: IMAGE_RULE }).superRefine((reference, ctx) => {
  const parsed = parseImageReference(reference);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', input: reference, message: parsed });
});

const DIRECTORY_RULE = 'a directory relative to the project root, without ..';

const imageSchema = z.union(
  [
    imageReference,
    z.strictObject({
      directory: z.string({ error: DIRECTORY_RULE }).superRefine((directory, ctx) => {
        const problem = !/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/.test(directory)
          ? DIRECTORY_RULE
          : // The directory reaches `docker build` as an argument, where a leading - reads as an option.
            directory.split('/').some((part) => part.startsWith('-'))
            ? `${DIRECTORY_RULE}, and no part of it starting with "-" (docker build would read it as an option)`
            : directory.length > 1024
              ? `${DIRECTORY_RULE}, of at most 1024 characters`
              : undefined;
        if (problem) ctx.addIssue({ code: 'custom', input: directory, message: problem });
      }),
      azureReference: imageReference,
    }),
  ],
  { error: IMAGE_RULE },
);

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name such as LOG_LEVEL' });
const secretName = z.string().regex(/^[A-Za-z0-9-]{1,127}$/, {
  error: 'a secret name of 1-127 letters, digits and hyphens (valid in Secrets Manager and Key Vault)',
});

/** The most a task definition may hold: ECS refuses one larger than 64 KiB. */
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024;
/**
 * What a workload's variables and secret references may take of the task definition: the rest (image, ports, log
 * configuration, health check, roles, with room to grow) stays for the library's own fields.
 */
export const MAX_WORKLOAD_ENVIRONMENT_BYTES = MAX_TASK_DEFINITION_BYTES - 8 * 1024;

/**
 * The bytes a workload's variables and secrets take in its ECS container definition: each variable as
 * `{"name","value"}` JSON, each secret as `{"name","valueFrom"}` with its Secrets Manager ARN.
 */
export function workloadEnvironmentBytes(
  workload: Pick<WorkloadSpec, 'environment' | 'secrets'>,
  aws: { readonly account?: string; readonly region?: string } = {},
): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(workload.environment)) {
    bytes += Buffer.byteLength(JSON.stringify({ name, value }), 'utf8') + 1;
  }
  const arn = (name: string): string =>
    `arn:aws:secretsmanager:${aws.region ?? 'xx-xxxxxxxxx-1'}:${aws.account ?? '000000000000'}:secret:${name}`;
  for (const [name, secret] of Object.entries(workload.secrets)) {
    bytes += Buffer.byteLength(JSON.stringify({ name, valueFrom: arn(secret) }), 'utf8') + 1;
  }
  return bytes;
}

/** An ACM certificate ARN: partition, region, account and the certificate's UUID. */
const CERTIFICATE_ARN =
  /^arn:(?<partition>aws(?:-[a-z]+)*):acm:(?<region>[a-z]{2}(?:-[a-z]+)+-\d):(?<account>\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The fields services and jobs share. */
const workloadShape = {
  name: kebab,
  image: imageSchema,
  cpu: z
    .number({ error: 'a number of vCPUs: 0.25, 0.5, 1, 2 or 4' })
    .positive({ error: 'a number of vCPUs: 0.25, 0.5, 1, 2 or 4' }),
  memoryGiB: z
    .number({ error: 'memory in GiB, twice the cpu: 0.5, 1, 2, 4 or 8' })
    .positive({ error: 'memory in GiB, twice the cpu: 0.5, 1, 2, 4 or 8' }),
  environment: z.record(envName, z.string()).optional(),
  secrets: z.record(envName, secretName).optional(),
  stack: z
    .number()
    .int()
    .min(0)
    .max(WORKLOAD_STACKS - 1, { error: `a workload stack from 0 to ${WORKLOAD_STACKS - 1}` })
    .optional(),
};

const serviceSchema = z.strictObject({
  ...workloadShape,
  port: z.number().superRefine(within(portProblem)),
  healthCheckPath: z.string().superRefine(within(healthCheckPathProblem)).optional(),
  public: z.boolean().optional(),
  desiredCount: z.number().superRefine(within(taskCountProblem)).optional(),
  minCount: z.number().superRefine(within(taskCountProblem)).optional(),
  maxCount: z.number().superRefine(within(taskCountProblem)).optional(),
  autoscaling: z
    .strictObject({
      cpuPercent: z.number().superRefine(within(utilizationTargetProblem)).optional(),
      memoryPercent: z.number().superRefine(within(utilizationTargetProblem)).optional(),
      concurrentRequests: z.number().superRefine(within(concurrentRequestsProblem)).optional(),
    })
    .optional(),
  awsCertificateArn: z
    .string()
    .regex(CERTIFICATE_ARN, {
      error: 'an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<certificate id, a UUID>',
    })
    .optional(),
});

const scheduleSchema = z.union(
  [
    z.strictObject({ cron: z.string() }),
    z.strictObject({ rateMinutes: z.number().int().min(1).max(1440, { error: 'at most 1440 minutes (daily)' }) }),
  ],
  { error: '{ cron: "<5 fields, UTC>" } or { rateMinutes }' },
);

const jobSchema = z.strictObject({
  ...workloadShape,
  schedule: scheduleSchema,
  timeoutMinutes: z.number().superRefine(within(timeoutMinutesProblem)).optional(),
  retries: z.number().superRefine(within(retriesProblem)).optional(),
});

function resolveWorkload(kind: 'service' | 'job', input: z.output<z.ZodObject<typeof workloadShape>>): WorkloadSpec {
  return {
    name: input.name,
    image: typeof input.image === 'string' ? { reference: input.image } : input.image,
    cpu: input.cpu,
    memoryGiB: input.memoryGiB,
    environment: { ...input.environment },
    secrets: { ...input.secrets },
    stack: workloadStackOf(kind, input.name, input.stack),
  };
}

function checkWorkload(workload: WorkloadSpec, at: string, env: SectionCheckContext, report: ReportIssue): void {
  reportAll(workloadProblems(workload), at, report);
  const onAzure = env.clouds?.includes('azure') ?? true;
  if (Object.keys(workload.secrets).length > 0 && onAzure && !env.azure.hasKeyVault) {
    report(
      `${at}.secrets`,
      Object.keys(workload.secrets),
      'secrets need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)',
    );
  }
  const bytes = workloadEnvironmentBytes(workload, env.aws);
  if (bytes > MAX_WORKLOAD_ENVIRONMENT_BYTES) {
    report(
      `${at}.environment`,
      `(${bytes.toLocaleString('en-US')} bytes)`,
      `variables and secrets of at most ${MAX_WORKLOAD_ENVIRONMENT_BYTES.toLocaleString('en-US')} bytes in all: ECS refuses a task definition over 64 KiB, and the library's own fields need the rest; put large values in a file of the image or in a secret`,
    );
  }
}

/** The region and account of an ACM certificate must be the environment's: a load balancer uses no other. */
function checkCertificate(service: ServiceSpec, at: string, env: SectionCheckContext, report: ReportIssue): void {
  const arn = service.awsCertificateArn;
  const parts = arn === undefined ? undefined : CERTIFICATE_ARN.exec(arn)?.groups;
  if (arn === undefined || parts === undefined) return;
  const where = `${at}.awsCertificateArn`;
  if (parts.partition !== 'aws') {
    report(where, arn, 'an ARN of the aws partition (the environment runs in a commercial AWS region)');
  } else if (env.aws.region !== undefined && parts.region !== env.aws.region) {
    report(
      where,
      arn,
      `a certificate in the environment's region (${env.aws.region}), not ${parts.region}: ACM certificates are regional, and a load balancer takes only one from its own region; request or import it in ${env.aws.region}`,
    );
  } else if (env.aws.account !== undefined && parts.account !== env.aws.account) {
    report(
      where,
      arn,
      `a certificate of the environment's account (${env.aws.account}), not ${parts.account}: ACM certificates cannot be shared between accounts, and a load balancer takes only its own account's; request or import it there`,
    );
  }
}

/** The `services` section: long-running container services. */
export const servicesSection = defineSection({
  schema: z.array(serviceSchema).optional(),
  defaults: {
    development: { minCount: 1, healthCheckPath: '/', minHealthyPercent: 50 as const },
    // Two tasks spread over zones survive the loss of one; a deployment keeps every task running.
    production: { minCount: 2, healthCheckPath: '/', minHealthyPercent: 100 as const },
  },
  resolve: (input, { defaults }): readonly ServiceSpec[] =>
    (input ?? []).map((s) => {
      const minCount = s.minCount ?? defaults.minCount;
      return {
        ...resolveWorkload('service', s),
        port: s.port,
        healthCheckPath: s.healthCheckPath ?? defaults.healthCheckPath,
        public: s.public ?? false,
        minCount,
        desiredCount: s.desiredCount ?? minCount,
        maxCount:
          s.maxCount ?? Math.min(WORKLOAD_LIMITS.taskCount.max, Math.max(minCount * 4, s.desiredCount ?? minCount)),
        autoscaling: { cpuPercent: 70, ...s.autoscaling },
        ...(s.awsCertificateArn !== undefined && { awsCertificateArn: s.awsCertificateArn }),
        minHealthyPercent: defaults.minHealthyPercent,
      };
    }),
  check: (services, env, report) => {
    services.forEach((s, i) => {
      const at = `services[${i}]`;
      checkWorkload(s, at, env, report);
      checkCertificate(s, at, env, report);
      reportAll(serviceCountProblems(s), at, report);
      if (env.tier === 'production' && s.minCount < 2) {
        report(
          `${at}.minCount`,
          s.minCount,
          'at least 2 in a production-tier environment (one per zone survives a zone)',
        );
      }
    });
    // The jobs section checks names and stacks across both lists; when it did not resolve, do it here.
    if (!('jobs' in env.sections)) checkWorkloadSet(services, [], report);
  },
});

/** The `jobs` section: containers run on a schedule. */
export const jobsSection = defineSection({
  schema: z.array(jobSchema).optional(),
  defaults: {
    development: { timeoutMinutes: 60, retries: 0 },
    production: { timeoutMinutes: 60, retries: 1 },
  },
  resolve: (input, { defaults }): readonly JobSpec[] =>
    (input ?? []).map((j) => ({
      ...resolveWorkload('job', j),
      schedule: j.schedule,
      timeoutMinutes: j.timeoutMinutes ?? defaults.timeoutMinutes,
      retries: j.retries ?? defaults.retries,
    })),
  check: (jobs, env, report) => {
    jobs.forEach((j, i) => {
      const at = `jobs[${i}]`;
      checkWorkload(j, at, env, report);
      reportAll(scheduleFieldProblems(j.schedule), at, report);
    });
    const services = (env.sections.services as readonly ServiceSpec[] | undefined) ?? [];
    checkWorkloadSet(services, jobs, report);
  },
});

/** Names unique across services and jobs, and no workload stack over its limit. */
function checkWorkloadSet(services: readonly ServiceSpec[], jobs: readonly JobSpec[], report: ReportIssue): void {
  const seen = new Map<string, string>();
  const perStack = new Map<number, string[]>();
  const visit = (w: WorkloadSpec, at: string): void => {
    const first = seen.get(w.name);
    if (first !== undefined) report(`${at}.name`, w.name, `a name no other service or job has (${first} has it)`);
    else seen.set(w.name, at);
    const list = perStack.get(w.stack) ?? [];
    list.push(at);
    perStack.set(w.stack, list);
    if (list.length > MAX_WORKLOADS_PER_STACK) {
      report(
        `${at}.stack`,
        w.stack,
        `workload stack ${w.stack} already holds ${MAX_WORKLOADS_PER_STACK} services and jobs (CloudFormation allows 500 resources per stack); pin this one to another stack with stack: <0-${WORKLOAD_STACKS - 1}>`,
      );
    }
  };
  services.forEach((s, i) => s !== undefined && visit(s, `services[${i}]`));
  jobs.forEach((j, i) => j !== undefined && visit(j, `jobs[${i}]`));
}
