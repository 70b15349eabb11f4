import { z } from 'zod';
import { AWS_REGIONS, defaultBackupRegion } from '../regions';
import { defineSection } from './section';

/** A retention tier: how long its recovery points are kept, and when they move to cold storage (AWS). */
export interface RetentionTier {
  /** Days a recovery point is kept. */
  readonly retentionDays: number;
  /**
   * Days after which it moves to cold storage (AWS; Azure keeps its own tiering); it must then be kept at least
   * 90 days more.
   */
  readonly coldStorageAfterDays?: number;
}

/** How recovery points are protected from deletion, the same idea on both clouds. */
export type BackupLock =
  /** Nobody can delete or shorten recovery points before they expire, not even the account root (AWS compliance
   * mode after `changeableForHours`; Azure immutability Locked). Irreversible. */
  | 'compliance'
  /** Privileged users can still remove the lock (AWS governance mode; Azure immutability Unlocked). */
  | 'governance';

/** The resolved `backup` section: one neutral retention model, mapped to AWS Backup and Azure Backup. */
export interface BackupSpec {
  /** Daily recovery points. */
  readonly daily: RetentionTier;
  /** Weekly recovery points (taken on Sunday). */
  readonly weekly: RetentionTier;
  /** Monthly recovery points (taken on the 1st), or none. */
  readonly monthly?: RetentionTier;
  /** Yearly recovery points (taken on 1 January), or none. */
  readonly yearly?: RetentionTier;
  /** The hour (UTC) backups start, and the hours they may take to complete. */
  readonly window: { readonly startHour: number; readonly completionHours: number };
  /** Days Azure keeps instant-restore snapshots next to the VM (1-30 for enhanced policies). */
  readonly instantRestoreDays: number;
  /** Resources to protect besides the servers the library creates (selected by tag): AWS ARNs, Azure VM IDs. */
  readonly resources: { readonly aws: readonly string[]; readonly azure: readonly string[] };
  /**
   * Production tiers only (a development environment that names one is refused): AWS, the region copies go to (a
   * vault in a stack there), by default the region's backup partner; Azure, cross-region restore on (to the
   * location's paired region: Azure chooses it), which also keeps the vault's public network access on, as Azure
   * refuses to turn it off with cross-region restore.
   */
  readonly secondRegion?: string;
  /** The lock mode of the vaults. */
  readonly lock: BackupLock;
  /** AWS compliance lock: hours the lock can still be removed after it is set (at least 72). */
  readonly lockChangeableForHours: number;
  /** Restore testing (AWS restore testing plan; restores a recent recovery point and reports). */
  readonly restoreTesting: boolean;
}

/** Azure enhanced (V2) VM backup policy ranges. */
export const AZURE_BACKUP_LIMITS = {
  dailyDays: { min: 7, max: 9999 },
  weeklyWeeks: { min: 1, max: 5163 },
  monthlyMonths: { min: 1, max: 1188 },
  yearlyYears: { min: 1, max: 99 },
  instantRestoreDays: { min: 1, max: 30 },
} as const;

/** AWS Backup: a recovery point in cold storage is kept at least this many days there. */
export const AWS_COLD_STORAGE_MIN_DAYS = 90;

/** Days in each month of a common year: the shortest months, so a count of months never keeps points too short. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The fewest days `months` consecutive months can have (starting in any month of common years). */
export function shortestMonthsDays(months: number): number {
  let shortest = Infinity;
  for (let start = 0; start < 12; start++) {
    let days = 0;
    for (let i = 0; i < months; i++) days += MONTH_DAYS[(start + i) % 12]!;
    shortest = Math.min(shortest, days);
  }
  return shortest;
}

/**
 * Retention in weeks, months and years for Azure: the smallest counts whose shortest span still covers the
 * spec's days (months and years vary in length), so nothing is kept shorter than the spec says.
 */
export function azureRetentionOf(spec: Pick<BackupSpec, 'weekly' | 'monthly' | 'yearly'>): {
  weeks: number;
  months?: number;
  years?: number;
} {
  const monthsFor = (days: number): number => {
    let months = Math.max(1, Math.floor(days / 31));
    while (shortestMonthsDays(months) < days) months++;
    return months;
  };
  return {
    weeks: Math.ceil(spec.weekly.retentionDays / 7),
    ...(spec.monthly && { months: monthsFor(spec.monthly.retentionDays) }),
    ...(spec.yearly && { years: Math.ceil(spec.yearly.retentionDays / 365) }),
  };
}

const tierSchema = z.strictObject({
  retentionDays: z.number().int().min(1, { error: 'at least 1 day' }).max(36500, { error: 'at most 36500 days' }),
  coldStorageAfterDays: z
    .number()
    .int()
    .min(1, { error: 'at least 1 day' })
    .max(36500, { error: 'at most 36500 days' })
    .optional(),
});

/**
 * AWS Backup Vault Lock's ChangeableForDays: 3 to 36500 days. The spec gives hours (72 at least); AWS counts whole
 * days, rounding up.
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html
 */
export const LOCK_CHANGEABLE_HOURS = { min: 72, max: 36500 * 24 } as const;

/**
 * The resource types AWS Backup protects that the spec may name by ARN, each as its ARN's service and resource
 * part. A backup plan selects resources of its own account and region only (S3 bucket ARNs name neither).
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/whatisbackup.html#supported-resources
 */
export const AWS_BACKUP_RESOURCE_TYPES: Readonly<Record<string, { readonly what: string; readonly resource: RegExp }>> =
  {
    'ec2-instance': { what: 'EC2 instance', resource: /^ec2:instance\/i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/ },
    'ebs-volume': { what: 'EBS volume', resource: /^ec2:volume\/vol-[0-9a-f]{8}(?:[0-9a-f]{9})?$/ },
    efs: { what: 'EFS file system', resource: /^elasticfilesystem:file-system\/fs-[0-9a-f]{8,40}$/ },
    fsx: { what: 'FSx file system', resource: /^fsx:file-system\/fs-[0-9a-f]{8,17}$/ },
    rds: {
      what: 'RDS, Aurora, Neptune or DocumentDB database or cluster',
      resource: /^rds:(?:db|cluster):[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,62}(?<!-)$/,
    },
    dynamodb: { what: 'DynamoDB table', resource: /^dynamodb:table\/[A-Za-z0-9_.-]{3,255}$/ },
    redshift: { what: 'Redshift cluster', resource: /^redshift:cluster:[a-z](?:[a-z0-9]|-(?!-)){0,62}(?<!-)$/ },
    s3: { what: 'S3 bucket', resource: /^s3:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ },
  };

const AWS_RESOURCE_ARN =
  /^arn:(?<partition>aws(?:-[a-z]+)*):(?<service>[a-z0-9-]+):(?<region>[a-z]{2}(?:-[a-z]+)+-\d)?:(?<account>\d{12})?:(?<resource>[^\s]+)$/;

/** The parts of a backup resource ARN, or what is wrong with it. */
export function parseBackupResourceArn(
  arn: string,
): { partition: string; region?: string; account?: string; type: string } | string {
  const types = Object.values(AWS_BACKUP_RESOURCE_TYPES)
    .map((t) => t.what)
    .join(', ');
  const allowed = `the ARN of a resource AWS Backup protects (${types}), such as arn:aws:dynamodb:eu-west-1:111111111111:table/orders`;
  const parts = arn.length > 2048 ? undefined : AWS_RESOURCE_ARN.exec(arn)?.groups;
  if (!parts) return allowed;
  const { partition, service, region, account, resource } = parts as Record<string, string | undefined>;
  const type = Object.entries(AWS_BACKUP_RESOURCE_TYPES).find(([, t]) => t.resource.test(`${service}:${resource}`));
  if (!type) return allowed;
  const global = service === 's3';
  if (global !== (region === undefined) || global !== (account === undefined)) {
    return global
      ? `${allowed}: an S3 bucket ARN has no region or account (arn:aws:s3:::<bucket>)`
      : `${allowed}: with its region and account`;
  }
  return {
    partition: partition!,
    ...(region !== undefined && { region }),
    ...(account !== undefined && { account }),
    type: type[0],
  };
}

const AWS_RESOURCE_RULE = 'the ARN of a resource AWS Backup protects';
const AZURE_VM_RULE =
  'a VM resource ID: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>';
/**
 * An Azure VM resource ID: a subscription GUID, a resource group name (1-90 of letters, digits, _ - . ( ), not
 * ending with a period) and a VM name (1-64 of letters, digits, _ - ., not starting with _ nor ending with . or -).
 */
const AZURE_VM_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w.()]{0,89}[-\w()]\/providers\/Microsoft\.Compute\/virtualMachines\/[A-Za-z0-9](?:[\w.-]{0,62}[\w])?$/i;

const awsRegions = Object.keys(AWS_REGIONS);

/** The `backup` section: retention tiers, window, selection, second region and lock, with tier defaults. */
export const backupSection = defineSection({
  schema: z
    .strictObject({
      daily: tierSchema.optional(),
      weekly: tierSchema.optional(),
      monthly: z
        .union([tierSchema, z.literal(false)], {
          error: '{ retentionDays, coldStorageAfterDays? }, or false for no monthly recovery points',
        })
        .optional(),
      yearly: z
        .union([tierSchema, z.literal(false)], {
          error: '{ retentionDays, coldStorageAfterDays? }, or false for no yearly recovery points',
        })
        .optional(),
      window: z
        .strictObject({
          startHour: z.number().int().min(0).max(23, { error: 'an hour from 0 to 23 (UTC)' }).optional(),
          completionHours: z
            .number()
            .int()
            .min(2, { error: 'at least 2 hours (AWS completes at least an hour after the start window)' })
            .max(24)
            .optional(),
        })
        .optional(),
      instantRestoreDays: z.number().int().optional(),
      resources: z
        .strictObject({
          aws: z
            .array(
              z.string({ error: AWS_RESOURCE_RULE }).superRefine((arn, ctx) => {
                const parsed = parseBackupResourceArn(arn);
                if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', input: arn, message: parsed });
              }),
            )
            .optional(),
          azure: z
            .array(
              z.string({ error: AZURE_VM_RULE }).superRefine((id, ctx) => {
                if (id.length > 1024 || !AZURE_VM_ID.test(id)) {
                  ctx.addIssue({ code: 'custom', input: id, message: AZURE_VM_RULE });
                }
              }),
            )
            .optional(),
        })
        .optional(),
      secondRegion: z
        .enum(awsRegions as [string, ...string[]], { error: `an AWS region: ${awsRegions.join(', ')}` })
        .optional(),
      lock: z.enum(['compliance', 'governance'], { error: 'compliance or governance' }).optional(),
      lockChangeableForHours: z
        .number()
        .int({ error: 'a whole number of hours' })
        .min(LOCK_CHANGEABLE_HOURS.min, { error: 'at least 72 hours (AWS Backup Vault Lock minimum)' })
        .max(LOCK_CHANGEABLE_HOURS.max, {
          error: `at most ${LOCK_CHANGEABLE_HOURS.max} hours (36500 days, the longest AWS Backup Vault Lock grace time, ChangeableForDays)`,
        })
        .optional(),
      restoreTesting: z.boolean().optional(),
    })
    .optional(),
  defaults: {
    development: {
      daily: { retentionDays: 7 },
      weekly: { retentionDays: 35 },
      lock: 'governance' as const,
      restoreTesting: false,
      instantRestoreDays: 2,
    },
    production: {
      daily: { retentionDays: 35 },
      weekly: { retentionDays: 90 },
      monthly: { retentionDays: 365, coldStorageAfterDays: 30 },
      lock: 'compliance' as const,
      restoreTesting: true,
      instantRestoreDays: 7,
    },
  } satisfies Record<string, Partial<BackupSpec>>,
  resolve: (input, { defaults, tier, awsRegion }): BackupSpec => {
    const monthly =
      input?.monthly === false ? undefined : (input?.monthly ?? ('monthly' in defaults ? defaults.monthly : undefined));
    const yearly = input?.yearly === false ? undefined : input?.yearly;
    const secondRegion =
      input?.secondRegion ??
      (tier === 'production' && awsRegion !== undefined ? defaultBackupRegion(awsRegion) : undefined);
    return {
      daily: input?.daily ?? defaults.daily,
      weekly: input?.weekly ?? defaults.weekly,
      ...(monthly && { monthly }),
      ...(yearly && { yearly }),
      window: { startHour: input?.window?.startHour ?? 1, completionHours: input?.window?.completionHours ?? 8 },
      instantRestoreDays: input?.instantRestoreDays ?? defaults.instantRestoreDays,
      resources: { aws: [...(input?.resources?.aws ?? [])], azure: [...(input?.resources?.azure ?? [])] },
      ...(secondRegion !== undefined && { secondRegion }),
      lock: input?.lock ?? defaults.lock,
      lockChangeableForHours: input?.lockChangeableForHours ?? 72,
      restoreTesting: input?.restoreTesting ?? defaults.restoreTesting,
    };
  },
  check: (backup, env, report) => {
    if (env.tier === 'development' && backup.secondRegion !== undefined) {
      report(
        'backup.secondRegion',
        backup.secondRegion,
        'production-tier environments only: a development environment keeps its backups in its own region; remove it, or use tier "production"',
      );
    }
    const tiers: [string, RetentionTier | undefined][] = [
      ['daily', backup.daily],
      ['weekly', backup.weekly],
      ['monthly', backup.monthly],
      ['yearly', backup.yearly],
    ];
    // Each tier keeps its points at least as long as the tier before it.
    let previous: [string, RetentionTier] | undefined;
    for (const [name, tier] of tiers) {
      if (!tier) continue;
      if (previous && tier.retentionDays < previous[1].retentionDays) {
        report(
          `backup.${name}.retentionDays`,
          tier.retentionDays,
          `at least ${previous[0]}.retentionDays (${previous[1].retentionDays}): a longer period keeps its points longer`,
        );
      }
      if (
        tier.coldStorageAfterDays !== undefined &&
        tier.retentionDays < tier.coldStorageAfterDays + AWS_COLD_STORAGE_MIN_DAYS
      ) {
        report(
          `backup.${name}.retentionDays`,
          tier.retentionDays,
          `at least coldStorageAfterDays + ${AWS_COLD_STORAGE_MIN_DAYS} (${tier.coldStorageAfterDays + AWS_COLD_STORAGE_MIN_DAYS}): AWS keeps a point at least 90 days in cold storage, and copies keep the same lifecycle`,
        );
      }
      previous = [name, tier];
    }
    const limits = AZURE_BACKUP_LIMITS;
    if (backup.daily.retentionDays < limits.dailyDays.min || backup.daily.retentionDays > limits.dailyDays.max) {
      report(
        'backup.daily.retentionDays',
        backup.daily.retentionDays,
        `${limits.dailyDays.min}-${limits.dailyDays.max} days (Azure enhanced policy)`,
      );
    }
    const azure = azureRetentionOf(backup);
    if (azure.weeks > limits.weeklyWeeks.max)
      report(
        'backup.weekly.retentionDays',
        backup.weekly.retentionDays,
        `at most ${limits.weeklyWeeks.max} weeks (Azure)`,
      );
    if (azure.months !== undefined && azure.months > limits.monthlyMonths.max) {
      report(
        'backup.monthly.retentionDays',
        backup.monthly?.retentionDays,
        `at most ${limits.monthlyMonths.max} months (Azure)`,
      );
    }
    if (azure.years !== undefined && azure.years > limits.yearlyYears.max) {
      report(
        'backup.yearly.retentionDays',
        backup.yearly?.retentionDays,
        `at most ${limits.yearlyYears.max} years (Azure)`,
      );
    }
    const { min, max } = limits.instantRestoreDays;
    if (
      backup.instantRestoreDays < min ||
      backup.instantRestoreDays > max ||
      backup.instantRestoreDays >= backup.daily.retentionDays
    ) {
      report(
        'backup.instantRestoreDays',
        backup.instantRestoreDays,
        `${min}-${max} days (Azure enhanced policy), fewer than daily.retentionDays (${backup.daily.retentionDays})`,
      );
    }
    if (env.tier === 'production' && backup.lock !== 'compliance') {
      report(
        'backup.lock',
        backup.lock,
        'compliance in a production-tier environment (recovery points nobody can delete early)',
      );
    }
    backup.resources.aws.forEach((arn, i) => {
      const parsed = parseBackupResourceArn(arn);
      if (typeof parsed === 'string') return;
      const at = `backup.resources.aws[${i}]`;
      if (parsed.partition !== 'aws') {
        report(at, arn, 'an ARN of the aws partition (the environment runs in a commercial AWS region)');
      } else if (parsed.region !== undefined && env.aws.region !== undefined && parsed.region !== env.aws.region) {
        report(
          at,
          arn,
          `a resource in the environment's region (${env.aws.region}), not ${parsed.region}: a backup plan selects resources of its own region only`,
        );
      } else if (parsed.account !== undefined && env.aws.account !== undefined && parsed.account !== env.aws.account) {
        report(
          at,
          arn,
          `a resource of the environment's account (${env.aws.account}), not ${parsed.account}: a backup plan selects resources of its own account only`,
        );
      }
    });
    if (backup.secondRegion !== undefined && backup.secondRegion === env.aws.region) {
      report('backup.secondRegion', backup.secondRegion, `a region other than the environment's (${env.aws.region})`);
    }
  },
});

/** The lock's minimum retention: the shortest tier, so the lock never refuses a point's own expiry. */
export function lockMinRetentionDays(backup: Pick<BackupSpec, 'daily'>): number {
  return backup.daily.retentionDays;
}

/** The lock's maximum retention: the longest tier, so no recovery point may be kept longer by mistake. */
export function lockMaxRetentionDays(backup: Pick<BackupSpec, 'daily' | 'weekly' | 'monthly' | 'yearly'>): number {
  return Math.max(
    backup.daily.retentionDays,
    backup.weekly.retentionDays,
    backup.monthly?.retentionDays ?? 0,
    backup.yearly?.retentionDays ?? 0,
  );
}
