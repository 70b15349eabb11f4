import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { protectionOf } from './protection';

/**
 * How long a construct keeps its logs, in days, when its props say nothing: a year, what production-tier
 * environments keep (the spec's `monitoring.logRetentionDays` is passed in the platform's own stacks).
 */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** The retention periods CloudWatch Logs offers, in days, ascending. */
const CLOUDWATCH_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number')
  .sort((a, b) => a - b);

/** What is wrong with a retention in days for CloudWatch Logs, or undefined when it offers it. */
export function logRetentionProblem(days: number): string | undefined {
  return CLOUDWATCH_RETENTION_DAYS.includes(days)
    ? undefined
    : `CloudWatch Logs accepts ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`;
}

/**
 * Converts a retention in days (the spec's `monitoring.logRetentionDays`, or a construct's `logRetentionDays` prop)
 * to CloudWatch Logs' enum; the one conversion every construct uses.
 * @param days the retention in days; {@link DEFAULT_LOG_RETENTION_DAYS} when not given
 * @throws Error naming the value when CloudWatch Logs has no such retention period.
 */
export function toRetentionDays(days: number = DEFAULT_LOG_RETENTION_DAYS): logs.RetentionDays {
  const problem = logRetentionProblem(days);
  if (problem !== undefined) throw new Error(`retentionDays: ${days} - ${problem}`);
  return days as logs.RetentionDays;
}

/**
 * The retention of a log group a construct creates under `scope`: `days` when its props give it, else what the
 * tier of its PlatformStack decides (`logRetentionDays`: 365 in production, 30 in development), else 365.
 * @throws Error naming the value when CloudWatch Logs has no such retention period.
 */
export function logRetentionOf(scope: IConstruct, days?: number): logs.RetentionDays {
  return toRetentionDays(days ?? protectionOf(scope).logRetentionDays);
}
