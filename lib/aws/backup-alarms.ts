import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { IMonitoring } from './interfaces';

/** The default backup alarm ids, `backup/<kind>`. */
export const BACKUP_ALARM_IDS = {
  jobs: 'backup/jobs-failed',
  copyJobs: 'backup/copy-jobs-failed',
  restoreJobs: 'backup/restore-jobs-failed',
} as const;

/**
 * An AWS/Backup job metric, summed over an hour. The metrics carry no dimension: AWS Backup publishes the
 * account's total per region without one, so the alarm sees every job of the environment's account (one
 * account per environment) and needs no token of the stack (the dashboard may live in another stack).
 */
export function backupJobMetric(metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Backup',
    metricName,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
  });
}

/**
 * The default alarms of the backup capability, all critical (a failed job means a recovery point is missing):
 * - `backup/jobs-failed`: a backup job failed (`NumberOfBackupJobsFailed`);
 * - `backup/copy-jobs-failed`: a copy to the second region failed (`NumberOfCopyJobsFailed`);
 * - `backup/restore-jobs-failed`: a restore, including a restore test, failed (`NumberOfRestoreJobsFailed`);
 * and a dashboard row with the three counts.
 */
export function addBackupAlarms(scope: Construct, monitoring: IMonitoring): void {
  const metrics = {
    jobs: backupJobMetric('NumberOfBackupJobsFailed'),
    copyJobs: backupJobMetric('NumberOfCopyJobsFailed'),
    restoreJobs: backupJobMetric('NumberOfRestoreJobsFailed'),
  };
  const texts = {
    jobs: {
      description: 'An AWS Backup job failed: a resource has no recovery point for this run.',
      firstResponse:
        'Read the job status message in the AWS Backup console (Jobs, Backup jobs, state Failed), fix the cause (role, key, resource state) and start an on-demand backup.',
    },
    copyJobs: {
      description: 'An AWS Backup copy job to the second region failed: the off-region copy is missing.',
      firstResponse:
        "Read the copy job's status message (Jobs, Copy jobs): check the copy vault exists in the second region and its key allows the backup role, then copy the recovery point again.",
    },
    restoreJobs: {
      description: 'An AWS Backup restore job failed (a restore test or a manual restore).',
      firstResponse:
        "Read the restore job's status message (Jobs, Restore jobs); for a restore test, check the restore role and the inferred restore metadata, then run the test again.",
    },
  } as const;
  for (const kind of ['jobs', 'copyJobs', 'restoreJobs'] as const) {
    monitoring.addAlarm(scope, BACKUP_ALARM_IDS[kind], {
      metric: metrics[kind],
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      severity: 'critical',
      description: texts[kind].description,
      firstResponse: texts[kind].firstResponse,
    });
  }
  monitoring.addWidgets(
    'Backup',
    new cloudwatch.GraphWidget({
      title: 'Failed backup, copy and restore jobs',
      left: [
        metrics.jobs.with({ label: 'Backup jobs failed' }),
        metrics.copyJobs.with({ label: 'Copy jobs failed' }),
        metrics.restoreJobs.with({ label: 'Restore jobs failed' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Completed backup and copy jobs',
      left: [
        backupJobMetric('NumberOfBackupJobsCompleted').with({ label: 'Backup jobs completed' }),
        backupJobMetric('NumberOfCopyJobsCompleted').with({ label: 'Copy jobs completed' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
  );
}
