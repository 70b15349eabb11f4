// What the example container services and scheduled job share on both clouds, written out as a hand-written
// program would keep them (stacks/environments/workloads.ts with the spec's defaults applied): images, sizes,
// ports, settings and secrets, scale targets, the nightly schedule, and the texts of the CPU and memory
// alarms both clouds have. What differs per environment (replica counts, retries, the production
// certificate) and per cloud (AWS workload stacks) is in aws.ts and azure.ts.

/** A container service as both clouds run it. */
export interface RawServiceDefinition {
  readonly name: 'web' | 'api';
  readonly image: string;
  /** vCPU. */
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly port: number;
  readonly healthCheckPath: string;
  /** Reachable from the Internet (else only from inside the network). */
  readonly public: boolean;
  /** Plain settings, sorted by name. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variable to secret name (Secrets Manager on AWS, Key Vault on Azure), sorted by variable. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Scale targets: CPU percent, and concurrent requests per task/replica. */
  readonly autoscaling: { readonly cpuPercent: number; readonly concurrentRequests?: number };
}

/** Replica counts per tier: development runs one, production-tier environments two. */
export interface RawServiceCounts {
  readonly minCount: number;
  readonly desiredCount: number;
  readonly maxCount: number;
}

export const DEVELOPMENT_COUNTS: RawServiceCounts = { minCount: 1, desiredCount: 1, maxCount: 4 };
export const PRODUCTION_COUNTS: RawServiceCounts = { minCount: 2, desiredCount: 2, maxCount: 8 };

/** The public web front end: nginx on port 80. */
export const WEB_SERVICE: RawServiceDefinition = {
  name: 'web',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.25,
  memoryGiB: 0.5,
  port: 80,
  healthCheckPath: '/',
  public: true,
  environment: {},
  secrets: {},
  autoscaling: { cpuPercent: 70 },
};

/** The internal API, reading its database password from a secret. */
export const API_SERVICE: RawServiceDefinition = {
  name: 'api',
  image: 'public.ecr.aws/docker/library/httpd:2.4',
  cpu: 0.5,
  memoryGiB: 1,
  port: 80,
  healthCheckPath: '/',
  public: false,
  environment: { LOG_LEVEL: 'info' },
  secrets: { DB_PASSWORD: 'api-db-password' },
  autoscaling: { cpuPercent: 70, concurrentRequests: 50 },
};

/** A job as both clouds run it (no settings, no secrets). */
export interface RawJobDefinition {
  readonly name: 'nightly-cleanup';
  readonly image: string;
  readonly cpu: number;
  readonly memoryGiB: number;
  /** The five-field cron expression (UTC), as Azure takes it. */
  readonly cron: string;
  /** The same schedule as EventBridge Scheduler takes it. */
  readonly awsSchedule: string;
  readonly timeoutMinutes: number;
}

/** The nightly maintenance job at 03:00 UTC. */
export const NIGHTLY_JOB: RawJobDefinition = {
  name: 'nightly-cleanup',
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  cpu: 0.25,
  memoryGiB: 0.5,
  cron: '0 3 * * *',
  awsSchedule: 'cron(0 3 * * ? *)',
  timeoutMinutes: 30,
};

/** An alarm both clouds have for every service: threshold (percent of the limit), periods of 5 minutes, texts. */
export interface SharedServiceAlarm {
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly description: string;
  readonly firstResponse: string;
}

/** The warning alarms on a service's CPU and memory use, on both clouds. */
export const SERVICE_USAGE_ALARMS: Readonly<Record<'cpu' | 'memory', SharedServiceAlarm>> = {
  cpu: {
    threshold: 90,
    evaluationPeriods: 3,
    description: 'A service used more than 90% of its CPU for 15 minutes.',
    firstResponse:
      'Check whether autoscaling reached maxCount; raise maxCount or the cpu size, or find the hot code path.',
  },
  memory: {
    threshold: 90,
    evaluationPeriods: 3,
    description: 'A service used more than 90% of its memory for 15 minutes.',
    firstResponse:
      'Look for a leak (memory growing until restarts) before raising memoryGiB; check whether autoscaling reached maxCount.',
  },
};

/** "1 retry", "0 retries". */
export function retriesText(retries: number): string {
  return `${retries} ${retries === 1 ? 'retry' : 'retries'}`;
}
