import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Converts a retention in days from the spec to CloudWatch Logs' enum.
 *
 * @throws Error naming the value when CloudWatch Logs has no such retention period.
 */
export function toRetentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new Error(`retentionDays: ${days} - CloudWatch Logs accepts ${allowed.sort((a, b) => a - b).join(', ')}`);
  }
  return days as logs.RetentionDays;
}
