import {
  AZURE_BACKUP_LIMITS,
  azureRetentionOf,
  backupSection,
  defaultBackupRegion,
  defineEnvironment,
  lockMaxRetentionDays,
  lockMinRetentionDays,
  SpecError,
  type BackupSpec,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

/** An environment input with this backup section (written as the spec would, valid or not). */
function withBackup(backup: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...base, backup: backup as EnvironmentInput['backup'] };
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

const AWS_RESOURCE_RULE =
  'the ARN of a resource AWS Backup protects (EC2 instance, EBS volume, EFS file system, FSx file system, RDS, Aurora, Neptune or DocumentDB database or cluster, DynamoDB table, Redshift cluster, S3 bucket), such as arn:aws:dynamodb:eu-west-1:111111111111:table/orders';
const AZURE_VM_RULE =
  'a VM resource ID: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>';
const COLD_STORAGE_MESSAGE = 'AWS keeps a point at least 90 days in cold storage, and copies keep the same lifecycle';

describe('backup section: defaults', () => {
  test('development: daily 7 and weekly 35 days, no monthly or yearly, governance lock, no copy, no restore testing', () => {
    expect(defineEnvironment(devInput()).backup).toEqual({
      daily: { retentionDays: 7 },
      weekly: { retentionDays: 35 },
      window: { startHour: 1, completionHours: 8 },
      instantRestoreDays: 2,
      resources: { aws: [], azure: [] },
      lock: 'governance',
      lockChangeableForHours: 72,
      restoreTesting: false,
    });
  });

  test('production: daily 35, weekly 90, monthly 365 (cold after 30), compliance lock, restore testing, copy to the paired region', () => {
    expect(defineEnvironment(prodInput()).backup).toEqual({
      daily: { retentionDays: 35 },
      weekly: { retentionDays: 90 },
      monthly: { retentionDays: 365, coldStorageAfterDays: 30 },
      window: { startHour: 1, completionHours: 8 },
      instantRestoreDays: 7,
      resources: { aws: [], azure: [] },
      secondRegion: 'eu-central-1',
      lock: 'compliance',
      lockChangeableForHours: 72,
      restoreTesting: true,
    });
  });

  test('production copies to the default backup region of its own AWS region', () => {
    const base = prodInput();
    const env = defineEnvironment({ ...base, aws: { ...base.aws, region: 'us-east-1' } });
    expect(env.backup.secondRegion).toBe('us-west-2');
  });

  test('development has no second region even when its AWS region has a pair', () => {
    expect(defineEnvironment(devInput()).backup.secondRegion).toBeUndefined();
    expect('secondRegion' in defineEnvironment(devInput()).backup).toBe(false);
  });

  test('the section declares the development and production tier defaults', () => {
    expect(backupSection.defaults.development).toEqual({
      daily: { retentionDays: 7 },
      weekly: { retentionDays: 35 },
      lock: 'governance',
      restoreTesting: false,
      instantRestoreDays: 2,
    });
    expect(backupSection.defaults.production.monthly).toEqual({ retentionDays: 365, coldStorageAfterDays: 30 });
  });
});

describe('backup section: explicit values win over the tier defaults', () => {
  test('monthly: false removes the production monthly tier', () => {
    const env = defineEnvironment(withBackup({ monthly: false }, prodInput()));
    expect(env.backup.monthly).toBeUndefined();
    expect('monthly' in env.backup).toBe(false);
  });

  test('a given yearly tier is kept, with its cold storage', () => {
    const env = defineEnvironment(
      withBackup({ yearly: { retentionDays: 3650, coldStorageAfterDays: 365 } }, prodInput()),
    );
    expect(env.backup.yearly).toEqual({ retentionDays: 3650, coldStorageAfterDays: 365 });
    expect(env.backup.monthly).toEqual({ retentionDays: 365, coldStorageAfterDays: 30 });
  });

  test('yearly: false means no yearly tier', () => {
    expect(defineEnvironment(withBackup({ yearly: false })).backup.yearly).toBeUndefined();
  });

  test('a development environment may add a monthly tier', () => {
    const env = defineEnvironment(withBackup({ monthly: { retentionDays: 60 } }));
    expect(env.backup.monthly).toEqual({ retentionDays: 60 });
  });

  test('every field given is used as given', () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:333333333333:table/orders';
    const vm =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-app';
    const env = defineEnvironment(
      withBackup(
        {
          daily: { retentionDays: 14 },
          weekly: { retentionDays: 56 },
          monthly: false,
          window: { startHour: 23, completionHours: 2 },
          instantRestoreDays: 5,
          resources: { aws: [arn], azure: [vm] },
          secondRegion: 'eu-west-2',
          lock: 'compliance',
          lockChangeableForHours: 96,
          restoreTesting: true,
        },
        prodInput(),
      ),
    );
    expect(env.backup).toEqual({
      daily: { retentionDays: 14 },
      weekly: { retentionDays: 56 },
      window: { startHour: 23, completionHours: 2 },
      instantRestoreDays: 5,
      resources: { aws: [arn], azure: [vm] },
      secondRegion: 'eu-west-2',
      lock: 'compliance',
      lockChangeableForHours: 96,
      restoreTesting: true,
    });
  });
  test('a development environment that names a second region is refused, not silently kept in one region', () => {
    expect(problems(withBackup({ secondRegion: 'eu-west-2' }))).toEqual([
      'dev.backup.secondRegion: "eu-west-2" - production-tier environments only: a development environment keeps its backups in its own region; remove it, or use tier "production"',
    ]);
  });

  test('a window with only startHour keeps the default 8 completion hours', () => {
    expect(defineEnvironment(withBackup({ window: { startHour: 22 } })).backup.window).toEqual({
      startHour: 22,
      completionHours: 8,
    });
  });

  test('production may opt out of restore testing and choose its own second region', () => {
    const env = defineEnvironment(withBackup({ restoreTesting: false, secondRegion: 'eu-north-1' }, prodInput()));
    expect(env.backup.restoreTesting).toBe(false);
    expect(env.backup.secondRegion).toBe('eu-north-1');
  });
});

describe('backup section: rules', () => {
  test('refuses weekly points kept shorter than daily ones', () => {
    expect(problems(withBackup({ daily: { retentionDays: 30 }, weekly: { retentionDays: 20 } }))).toEqual([
      'dev.backup.weekly.retentionDays: 20 - at least daily.retentionDays (30): a longer period keeps its points longer',
    ]);
  });

  test('refuses monthly points kept shorter than weekly ones', () => {
    expect(problems(withBackup({ monthly: { retentionDays: 60 } }, prodInput()))).toEqual([
      'prod.backup.monthly.retentionDays: 60 - at least weekly.retentionDays (90): a longer period keeps its points longer',
    ]);
  });

  test('compares yearly with weekly when there is no monthly tier', () => {
    expect(problems(withBackup({ monthly: false, yearly: { retentionDays: 80 } }, prodInput()))).toEqual([
      'prod.backup.yearly.retentionDays: 80 - at least weekly.retentionDays (90): a longer period keeps its points longer',
    ]);
  });

  test('refuses a retention shorter than cold storage + 90 days', () => {
    expect(problems(withBackup({ monthly: { retentionDays: 365, coldStorageAfterDays: 300 } }, prodInput()))).toEqual([
      `prod.backup.monthly.retentionDays: 365 - at least coldStorageAfterDays + 90 (390): ${COLD_STORAGE_MESSAGE}`,
    ]);
  });

  test('accepts a retention of exactly cold storage + 90 days', () => {
    const env = defineEnvironment(
      withBackup({ monthly: { retentionDays: 120, coldStorageAfterDays: 30 } }, prodInput()),
    );
    expect(env.backup.monthly).toEqual({ retentionDays: 120, coldStorageAfterDays: 30 });
  });

  test('refuses daily points kept fewer than 7 days (Azure enhanced policy)', () => {
    expect(problems(withBackup({ daily: { retentionDays: 6 } }))).toEqual([
      'dev.backup.daily.retentionDays: 6 - 7-9999 days (Azure enhanced policy)',
    ]);
  });

  test('refuses daily points kept more than 9999 days (Azure enhanced policy)', () => {
    expect(problems(withBackup({ daily: { retentionDays: 10000 }, weekly: { retentionDays: 10000 } }))).toEqual([
      'dev.backup.daily.retentionDays: 10000 - 7-9999 days (Azure enhanced policy)',
    ]);
  });

  test('refuses weekly points Azure cannot keep (more than 5163 weeks)', () => {
    expect(problems(withBackup({ weekly: { retentionDays: 36500 } }))).toEqual([
      'dev.backup.weekly.retentionDays: 36500 - at most 5163 weeks (Azure)',
    ]);
  });

  test('refuses yearly points Azure cannot keep (more than 99 years)', () => {
    expect(problems(withBackup({ yearly: { retentionDays: 36500 } }))).toEqual([
      'dev.backup.yearly.retentionDays: 36500 - at most 99 years (Azure)',
    ]);
  });

  test('refuses a retention outside 1-36500 days', () => {
    expect(problems(withBackup({ weekly: { retentionDays: 36501 } }))).toEqual([
      'dev.backup.weekly.retentionDays: 36501 - at most 36500 days',
    ]);
    expect(problems(withBackup({ daily: { retentionDays: 0 } }))).toEqual([
      'dev.backup.daily.retentionDays: 0 - at least 1 day',
    ]);
  });

  test('refuses 0 instant-restore days', () => {
    expect(problems(withBackup({ instantRestoreDays: 0 }))).toEqual([
      'dev.backup.instantRestoreDays: 0 - 1-30 days (Azure enhanced policy), fewer than daily.retentionDays (7)',
    ]);
  });

  test('refuses 31 instant-restore days', () => {
    expect(problems(withBackup({ instantRestoreDays: 31 }, prodInput()))).toEqual([
      'prod.backup.instantRestoreDays: 31 - 1-30 days (Azure enhanced policy), fewer than daily.retentionDays (35)',
    ]);
  });

  test('refuses instant-restore days as many as the daily retention', () => {
    expect(problems(withBackup({ instantRestoreDays: 7 }))).toEqual([
      'dev.backup.instantRestoreDays: 7 - 1-30 days (Azure enhanced policy), fewer than daily.retentionDays (7)',
    ]);
  });

  test('accepts 30 instant-restore days with a longer daily retention', () => {
    expect(defineEnvironment(withBackup({ instantRestoreDays: 30 }, prodInput())).backup.instantRestoreDays).toBe(30);
  });

  test('refuses a governance lock in production', () => {
    expect(problems(withBackup({ lock: 'governance' }, prodInput()))).toEqual([
      'prod.backup.lock: "governance" - compliance in a production-tier environment (recovery points nobody can delete early)',
    ]);
  });

  test('accepts a compliance lock in development', () => {
    expect(defineEnvironment(withBackup({ lock: 'compliance' })).backup.lock).toBe('compliance');
  });

  test('refuses a lock mode that is neither compliance nor governance', () => {
    expect(problems(withBackup({ lock: 'legal-hold' }))).toEqual([
      'dev.backup.lock: "legal-hold" - compliance or governance',
    ]);
  });

  test("refuses a second region equal to the environment's region", () => {
    expect(problems(withBackup({ secondRegion: 'eu-west-1' }, prodInput()))).toEqual([
      'prod.backup.secondRegion: "eu-west-1" - a region other than the environment\'s (eu-west-1)',
    ]);
  });

  test('refuses a second region that is not an AWS region the library knows', () => {
    const [problem] = problems(withBackup({ secondRegion: 'westeurope' }));
    expect(problem).toMatch(/^dev\.backup\.secondRegion: "westeurope" - an AWS region: af-south-1, .*, us-west-2$/);
  });

  test('refuses a lock that can be removed for fewer than 72 hours', () => {
    expect(problems(withBackup({ lockChangeableForHours: 71 }, prodInput()))).toEqual([
      'prod.backup.lockChangeableForHours: 71 - at least 72 hours (AWS Backup Vault Lock minimum)',
    ]);
  });

  test('refuses a start hour of 24', () => {
    expect(problems(withBackup({ window: { startHour: 24 } }))).toEqual([
      'dev.backup.window.startHour: 24 - an hour from 0 to 23 (UTC)',
    ]);
  });

  test('refuses a completion window of 1 hour', () => {
    expect(problems(withBackup({ window: { completionHours: 1 } }))).toEqual([
      'dev.backup.window.completionHours: 1 - at least 2 hours (AWS completes at least an hour after the start window)',
    ]);
  });

  test('refuses a resource that is not an ARN', () => {
    expect(problems(withBackup({ resources: { aws: ['table/orders'] } }))).toEqual([
      `dev.backup.resources.aws[0]: "table/orders" - ${AWS_RESOURCE_RULE}`,
    ]);
  });

  test('refuses an Azure resource that is not a VM resource ID', () => {
    const disk = '/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.Compute/disks/disk-app';
    expect(problems(withBackup({ resources: { azure: [disk] } }))).toEqual([
      `dev.backup.resources.azure[0]: "${disk}" - ${AZURE_VM_RULE}`,
    ]);
  });

  test('refuses unknown fields and names the allowed ones', () => {
    expect(problems(withBackup({ retention: 7 }))).toEqual([
      'dev.backup.retention: 7 - unknown field; allowed fields here: daily, weekly, monthly, yearly, window, instantRestoreDays, resources, secondRegion, lock, lockChangeableForHours, restoreTesting',
    ]);
  });

  test('reports every problem of one spec at once', () => {
    expect(
      problems(
        withBackup(
          { weekly: { retentionDays: 20 }, lock: 'governance', secondRegion: 'eu-west-1', instantRestoreDays: 40 },
          prodInput(),
        ),
      ),
    ).toEqual([
      'prod.backup.weekly.retentionDays: 20 - at least daily.retentionDays (35): a longer period keeps its points longer',
      'prod.backup.instantRestoreDays: 40 - 1-30 days (Azure enhanced policy), fewer than daily.retentionDays (35)',
      'prod.backup.lock: "governance" - compliance in a production-tier environment (recovery points nobody can delete early)',
      'prod.backup.secondRegion: "eu-west-1" - a region other than the environment\'s (eu-west-1)',
    ]);
  });
});

describe('azureRetentionOf', () => {
  const tiers = (
    weekly: number,
    monthly?: number,
    yearly?: number,
  ): Pick<BackupSpec, 'weekly' | 'monthly' | 'yearly'> => ({
    weekly: { retentionDays: weekly },
    ...(monthly !== undefined && { monthly: { retentionDays: monthly } }),
    ...(yearly !== undefined && { yearly: { retentionDays: yearly } }),
  });

  test('keeps 35 days as 5 weeks and rounds 90 days up to 13 weeks', () => {
    expect(azureRetentionOf(tiers(35))).toEqual({ weeks: 5 });
    expect(azureRetentionOf(tiers(90))).toEqual({ weeks: 13 });
    expect(azureRetentionOf(tiers(36))).toEqual({ weeks: 6 });
  });

  test('keeps 365 days as 12 months; a month counts as its shortest (31 days are 2 months, February has 28)', () => {
    expect(azureRetentionOf(tiers(35, 365))).toEqual({ weeks: 5, months: 12 });
    expect(azureRetentionOf(tiers(35, 28))).toEqual({ weeks: 5, months: 1 });
    expect(azureRetentionOf(tiers(35, 31))).toEqual({ weeks: 5, months: 2 });
    expect(azureRetentionOf(tiers(35, 62)).months).toBe(3);
  });

  test('never keeps monthly points shorter than the spec: 366 days need 13 months', () => {
    expect(azureRetentionOf(tiers(35, 366)).months).toBe(13);
    expect(azureRetentionOf(tiers(35, 373)).months).toBe(13);
  });

  test('never keeps yearly points shorter than the spec: 366 days need 2 years', () => {
    expect(azureRetentionOf(tiers(35, 365, 366)).years).toBe(2);
  });

  test('keeps 365 days as 1 year and 3650 days as 10 years', () => {
    expect(azureRetentionOf(tiers(35, 365, 365))).toEqual({ weeks: 5, months: 12, years: 1 });
    expect(azureRetentionOf(tiers(35, 365, 3650)).years).toBe(10);
  });

  test('leaves out months and years when there is no such tier', () => {
    expect(azureRetentionOf(tiers(35))).toEqual({ weeks: 5 });
  });

  test('maps the resolved production defaults to 13 weeks and 12 months', () => {
    expect(azureRetentionOf(defineEnvironment(prodInput()).backup)).toEqual({ weeks: 13, months: 12 });
  });
});

describe('AZURE_BACKUP_LIMITS', () => {
  test('holds the Azure enhanced VM policy ranges', () => {
    expect(AZURE_BACKUP_LIMITS).toEqual({
      dailyDays: { min: 7, max: 9999 },
      weeklyWeeks: { min: 1, max: 5163 },
      monthlyMonths: { min: 1, max: 1188 },
      yearlyYears: { min: 1, max: 99 },
      instantRestoreDays: { min: 1, max: 30 },
    });
  });
});

describe('vault lock retention', () => {
  test('development: the lock allows 7 to 35 days', () => {
    const { backup } = defineEnvironment(devInput());
    expect(lockMinRetentionDays(backup)).toBe(7);
    expect(lockMaxRetentionDays(backup)).toBe(35);
  });

  test('production: the lock allows 35 to 365 days', () => {
    const { backup } = defineEnvironment(prodInput());
    expect(lockMinRetentionDays(backup)).toBe(35);
    expect(lockMaxRetentionDays(backup)).toBe(365);
  });

  test('the maximum is the yearly retention when there is one', () => {
    const { backup } = defineEnvironment(withBackup({ yearly: { retentionDays: 2555 } }, prodInput()));
    expect(lockMaxRetentionDays(backup)).toBe(2555);
  });
});

describe('defaultBackupRegion', () => {
  test('uses the listed pair', () => {
    expect(defaultBackupRegion('eu-west-1')).toBe('eu-central-1');
    expect(defaultBackupRegion('eu-central-1')).toBe('eu-west-1');
    expect(defaultBackupRegion('us-east-1')).toBe('us-west-2');
    expect(defaultBackupRegion('ca-central-1')).toBe('us-east-1');
  });

  test('falls back to the first other region of the same continent prefix', () => {
    expect(defaultBackupRegion('eu-south-2')).toBe('eu-central-1');
    expect(defaultBackupRegion('ap-south-1')).toBe('ap-east-1');
    expect(defaultBackupRegion('ca-west-1')).toBe('ca-central-1');
    expect(defaultBackupRegion('me-central-1')).toBe('me-south-1');
  });

  test('falls back to us-east-1 when no other region shares the prefix', () => {
    expect(defaultBackupRegion('il-central-1')).toBe('us-east-1');
    expect(defaultBackupRegion('af-south-1')).toBe('us-east-1');
  });

  test('never returns the region itself', () => {
    for (const region of ['eu-west-1', 'ap-southeast-7', 'mx-central-1', 'sa-east-1']) {
      expect(defaultBackupRegion(region)).not.toBe(region);
    }
  });
});
