/**
 * The limits of container workloads (services and jobs): one set of numbers, and pure functions that check a value
 * against them. The environment spec (`lib/core/spec/services.ts`) and the constructs of both clouds call the same
 * functions, so a value is refused with the same words whether it comes from the spec or from props an application
 * team wrote itself.
 *
 * Every function reports what it finds as {@link LimitProblem}s (or, for one field, the text of what is allowed): a
 * path relative to the workload (`retries`, `autoscaling.cpuPercent`, `secrets.DB_PASSWORD`), the value received and
 * what is allowed. The caller puts its own prefix in front (`dev.jobs[0]` in the spec, `jobs.nightly-report` in a
 * construct) and collects every problem before it throws, with `IssueCollector`:
 *
 * ```ts
 * addLimitProblems(issues, `jobs.${spec.name}`, jobProblems(spec));
 * ```
 *
 * Which function checks what:
 * - {@link workloadProblems}: what services and jobs share: the CPU and memory pair both clouds run
 *   (`containerSizeProblem`), and no variable both plain (`environment`) and secret (`secrets`).
 * - {@link serviceProblems}: {@link workloadProblems}, the port, the health check path, the task (replica) counts
 *   and their order (minCount <= desiredCount <= maxCount), the autoscaling targets.
 * - {@link jobProblems}: {@link workloadProblems}, the schedule (`scheduleProblems`: what EventBridge Scheduler and
 *   Azure both run), `timeoutMinutes` and `retries`.
 * - One field each, for a schema that reports a field where it is parsed: {@link portProblem},
 *   {@link healthCheckPathProblem}, {@link taskCountProblem}, {@link utilizationTargetProblem},
 *   {@link concurrentRequestsProblem}, {@link timeoutMinutesProblem}, {@link retriesProblem}; and the rules across
 *   fields: {@link serviceCountProblems}, {@link scheduleFieldProblems}.
 *
 * Azure: `lib/azure/container-service.ts` calls {@link serviceProblems} (in place of its own port, health check path,
 * count and percentage checks; the counts are 1-100 tasks or replicas, the autoscaling targets 10-95 percent, the
 * numbers the spec has always enforced) and `lib/azure/scheduled-job.ts` calls {@link jobProblems} (in place of its
 * size, schedule, timeout, retries and secret checks). What only one cloud knows stays in its construct: Key Vault
 * and registry checks on Azure; subnets, Dockerfiles and CloudWatch retention on AWS.
 *
 * Nothing here imports a cloud library: lib/core is loaded by both clouds.
 */
import { containerSizeProblem, FARGATE_MEMORY_GIB } from './containers';
import { pathKey, type IssueCollector } from './errors';
import { scheduleProblems, type Schedule } from './schedule';

/** One value outside a limit: where it is (relative to the workload), what was received and what is allowed. */
export interface LimitProblem {
  /** The field, relative to the workload: `retries`, `autoscaling.cpuPercent`, `secrets.DB_PASSWORD`. */
  readonly path: string;
  /** The value received there. */
  readonly value: unknown;
  /** What is allowed there. */
  readonly allowed: string;
}

/**
 * The limits of container workloads, the same on both clouds and in the spec.
 * - `port`: a TCP port.
 * - `taskCount`: tasks (AWS) or replicas (Azure) of a service: `desiredCount`, `minCount` and `maxCount`. Both clouds
 *   run more (ECS 5,000 tasks per service, Container Apps 1,000 replicas); the platform stops at 100, where a
 *   service is better split than scaled further.
 * - `utilizationPercent`: the CPU and memory targets of autoscaling. Target tracking adds tasks only when the
 *   average rises above the target, and a task's utilization cannot pass 100% of what it reserves: near 100 the
 *   service would never scale out, and below 10 it would run at maxCount almost always.
 * - `concurrentRequests`: requests per second per task (AWS) or concurrent requests per replica (Azure).
 * - `timeoutMinutes`: how long one run of a job may take: a day at most.
 * - `retries`: how many times a failed run is retried.
 * - `healthCheckPathLength`: the longest health check path an ELB target group takes.
 */
export const WORKLOAD_LIMITS = {
  port: { min: 1, max: 65535 },
  taskCount: { min: 1, max: 100 },
  utilizationPercent: { min: 10, max: 95 },
  concurrentRequests: { min: 1, max: 10000 },
  timeoutMinutes: { min: 1, max: 1440 },
  retries: { min: 0, max: 10 },
  healthCheckPathLength: { max: 1024 },
} as const;

/** What is allowed for a number: a whole number within a range, with the words of each way to miss it. */
interface WholeRange {
  readonly min: number;
  readonly max: number;
  /** Said of a number that is not whole. */
  readonly whole: string;
  /** Said of a number below `min`. */
  readonly below: string;
  /** Said of a number above `max`. */
  readonly above: string;
}

function wholeRangeProblem(value: number, range: WholeRange): string | undefined {
  if (!Number.isInteger(value)) return range.whole;
  if (value < range.min) return range.below;
  if (value > range.max) return range.above;
  return undefined;
}

const { port, taskCount, utilizationPercent, concurrentRequests, timeoutMinutes, retries } = WORKLOAD_LIMITS;
const PORT_RULE = `a port from ${port.min} to ${port.max}`;
const TARGET_RULE = `a target from ${utilizationPercent.min} to ${utilizationPercent.max} percent`;

/** What is wrong with a container port, or undefined when it is one. */
export function portProblem(value: number): string | undefined {
  return wholeRangeProblem(value, { ...port, whole: PORT_RULE, below: PORT_RULE, above: PORT_RULE });
}

/** What is wrong with a count of tasks or replicas (`desiredCount`, `minCount`, `maxCount`), or undefined. */
export function taskCountProblem(value: number): string | undefined {
  return wholeRangeProblem(value, {
    ...taskCount,
    whole: `a whole number of tasks from ${taskCount.min} to ${taskCount.max}`,
    below: `at least ${taskCount.min}`,
    above: `at most ${taskCount.max}`,
  });
}

/** What is wrong with an autoscaling CPU or memory target in percent, or undefined. */
export function utilizationTargetProblem(value: number): string | undefined {
  return wholeRangeProblem(value, {
    ...utilizationPercent,
    whole: `a whole-number ${TARGET_RULE.slice(2)}`,
    below: TARGET_RULE,
    above: TARGET_RULE,
  });
}

/** What is wrong with an autoscaling request target (requests per task or replica), or undefined. */
export function concurrentRequestsProblem(value: number): string | undefined {
  return wholeRangeProblem(value, {
    ...concurrentRequests,
    whole: `a whole number of requests from ${concurrentRequests.min} to ${concurrentRequests.max}`,
    below: `at least ${concurrentRequests.min}`,
    above: `at most ${concurrentRequests.max}`,
  });
}

/** What is wrong with a job's `timeoutMinutes`, or undefined. */
export function timeoutMinutesProblem(value: number): string | undefined {
  return wholeRangeProblem(value, {
    ...timeoutMinutes,
    whole: `a whole number of minutes from ${timeoutMinutes.min} to ${timeoutMinutes.max}`,
    below: `at least ${timeoutMinutes.min}`,
    above: `at most ${timeoutMinutes.max} minutes`,
  });
}

/** What is wrong with a job's `retries`, or undefined. */
export function retriesProblem(value: number): string | undefined {
  return wholeRangeProblem(value, {
    ...retries,
    whole: `a whole number of retries from ${retries.min} to ${retries.max}`,
    below: `at least ${retries.min}`,
    above: `at most ${retries.max} retries`,
  });
}

/** An absolute URL path of the characters a target group's health check path takes. */
const HEALTH_CHECK_PATH = /^\/[\w\-./~%]*$/;

/** What is wrong with a health check path, or undefined. */
export function healthCheckPathProblem(value: string): string | undefined {
  // The length first: a huge value costs nothing to refuse.
  if (value.length > WORKLOAD_LIMITS.healthCheckPathLength.max) {
    return `at most ${WORKLOAD_LIMITS.healthCheckPathLength.max} characters (the longest health check path a target group takes)`;
  }
  return HEALTH_CHECK_PATH.test(value) ? undefined : 'an absolute URL path such as /healthz';
}

/** The fields of a workload {@link workloadProblems} reads. */
export interface WorkloadLimitsInput {
  /** vCPUs. */
  readonly cpu: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
  /** Plain environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets by environment variable. */
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * What services and jobs share: a CPU and memory pair both clouds run (reported at `cpu` when the CPU is no size at
 * all, else at `memoryGiB` with both values), and no variable that is both plain and secret.
 */
export function workloadProblems(workload: WorkloadLimitsInput): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const size = containerSizeProblem(workload.cpu, workload.memoryGiB);
  if (size && FARGATE_MEMORY_GIB[String(workload.cpu)] === undefined) {
    problems.push({ path: 'cpu', value: workload.cpu, allowed: size });
  } else if (size) {
    problems.push({ path: 'memoryGiB', value: { cpu: workload.cpu, memoryGiB: workload.memoryGiB }, allowed: size });
  }
  for (const variable of Object.keys(workload.secrets).filter((k) => k in workload.environment)) {
    problems.push({
      path: `secrets.${pathKey(variable)}`,
      value: variable,
      allowed: 'a variable that is not also in environment (a secret never sits in plain text)',
    });
  }
  return problems;
}

/** The counts of a service {@link serviceCountProblems} reads. */
export interface TaskCounts {
  /** Tasks or replicas to run normally. */
  readonly desiredCount: number;
  /** Fewest tasks or replicas. */
  readonly minCount: number;
  /** Most tasks or replicas. */
  readonly maxCount: number;
}

/**
 * The order of a service's counts: minCount at most maxCount, and then desiredCount between them (one problem at
 * most: a desired count cannot be judged against a range that is upside down).
 */
export function serviceCountProblems(counts: TaskCounts): LimitProblem[] {
  const { minCount, desiredCount, maxCount } = counts;
  if (minCount > maxCount) return [{ path: 'minCount', value: minCount, allowed: `at most maxCount (${maxCount})` }];
  if (desiredCount < minCount || desiredCount > maxCount) {
    return [
      { path: 'desiredCount', value: desiredCount, allowed: `from minCount (${minCount}) to maxCount (${maxCount})` },
    ];
  }
  return [];
}

/** The fields of a service {@link serviceProblems} reads. */
export interface ServiceLimitsInput extends WorkloadLimitsInput, TaskCounts {
  /** The port the container listens on. */
  readonly port: number;
  /** The path the health checks request. */
  readonly healthCheckPath: string;
  /** Autoscaling targets. */
  readonly autoscaling: {
    readonly cpuPercent?: number;
    readonly memoryPercent?: number;
    readonly concurrentRequests?: number;
  };
}

/**
 * Every limit of a service: the workload's, the port, the health check path, the counts and their order, the
 * autoscaling targets.
 */
export function serviceProblems(service: ServiceLimitsInput): LimitProblem[] {
  const fields: [string, unknown, string | undefined][] = [
    ['port', service.port, portProblem(service.port)],
    ['healthCheckPath', service.healthCheckPath, healthCheckPathProblem(service.healthCheckPath)],
    ...(['desiredCount', 'minCount', 'maxCount'] as const).map((key): [string, unknown, string | undefined] => [
      key,
      service[key],
      taskCountProblem(service[key]),
    ]),
  ];
  const { cpuPercent, memoryPercent, concurrentRequests: requests } = service.autoscaling;
  if (cpuPercent !== undefined) {
    fields.push(['autoscaling.cpuPercent', cpuPercent, utilizationTargetProblem(cpuPercent)]);
  }
  if (memoryPercent !== undefined) {
    fields.push(['autoscaling.memoryPercent', memoryPercent, utilizationTargetProblem(memoryPercent)]);
  }
  if (requests !== undefined) {
    fields.push(['autoscaling.concurrentRequests', requests, concurrentRequestsProblem(requests)]);
  }
  const ranges = problemsOf(fields);
  // The order of the counts is judged once each count is within its limits (as the spec does): a count of 0 or 500
  // is wrong in itself, whatever the others say.
  const countsValid = !ranges.some((p) => ['desiredCount', 'minCount', 'maxCount'].includes(p.path));
  return [...workloadProblems(service), ...ranges, ...(countsValid ? serviceCountProblems(service) : [])];
}

/** A job's schedule: what EventBridge Scheduler and Azure both run, reported at `schedule.cron` or `schedule.rateMinutes`. */
export function scheduleFieldProblems(schedule: Schedule): LimitProblem[] {
  const [path, value] =
    'cron' in schedule ? ['schedule.cron', schedule.cron] : ['schedule.rateMinutes', schedule.rateMinutes];
  return scheduleProblems(schedule).map((allowed) => ({ path, value, allowed }));
}

/** The fields of a job {@link jobProblems} reads. */
export interface JobLimitsInput extends WorkloadLimitsInput {
  /** When it runs (UTC). */
  readonly schedule: Schedule;
  /** How long one run may take, in minutes. */
  readonly timeoutMinutes: number;
  /** How many times a failed run is retried. */
  readonly retries: number;
}

/** Every limit of a job: the workload's, the schedule, `timeoutMinutes` and `retries`. */
export function jobProblems(job: JobLimitsInput): LimitProblem[] {
  return [
    ...workloadProblems(job),
    ...scheduleFieldProblems(job.schedule),
    ...problemsOf([
      ['timeoutMinutes', job.timeoutMinutes, timeoutMinutesProblem(job.timeoutMinutes)],
      ['retries', job.retries, retriesProblem(job.retries)],
    ]),
  ];
}

/** Records limit problems in an IssueCollector, each under `at` (`jobs.nightly-report`, `services[0]`). */
export function addLimitProblems(issues: IssueCollector, at: string, problems: readonly LimitProblem[]): void {
  for (const p of problems) issues.add(`${at}.${p.path}`, p.value, p.allowed);
}

function problemsOf(fields: readonly (readonly [string, unknown, string | undefined])[]): LimitProblem[] {
  return fields.flatMap(([path, value, allowed]) => (allowed === undefined ? [] : [{ path, value, allowed }]));
}
