import * as backupPolicyVm from '@cdktf/provider-azurerm/lib/backup-policy-vm';
import * as backupProtectedVm from '@cdktf/provider-azurerm/lib/backup-protected-vm';
import * as processingRule from '@cdktf/provider-azurerm/lib/monitor-alert-processing-rule-action-group';
import * as recoveryVault from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  AZURE_BACKUP_LIMITS,
  azureRetentionOf,
  checkProps,
  IssueCollector,
  makeName,
  PLATFORM_PREFIX,
  type BackupSpec,
  type PropRules,
} from '../core';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  MONITORING_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
  specProp,
} from './construct-props';
import type { IMonitoring, IResourceGroup, WorkbookItem } from './interfaces';
import { locationCodeOf } from './location';
import { RetainStatefulResources } from './protection';

/** Props of {@link Backup}. */
export interface BackupProps {
  /**
   * The environment's resolved backup section: retention tiers, window, instant restore, extra VMs, lock, and
   * `secondRegion`, which turns cross-region restore on (the spec sets it on production tiers only).
   */
  readonly spec: BackupSpec;
  /** The environment name; it goes into the vault's and the policy's names. */
  readonly environment: string;
  /** The resource group for the vault, the policy and the alert processing rule; its location is the vault's. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location, at the end of the vault's name.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /**
   * The environment's monitoring: the vault's job-failure alerts go to its critical action group, and the
   * workbook gets a section of recent backup jobs.
   * @default - the vault still raises its alerts, but nobody is notified of them
   */
  readonly monitoring?: IMonitoring;
  /**
   * Give the Recovery Services vault `lifecycle.prevent_destroy`, so that no plan destroys or replaces it with its
   * recovery points.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const BACKUP_PROPS: PropRules = {
  spec: specProp('backup'),
  environment: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  monitoring: MONITORING_PROP,
  retainData: RETAIN_DATA_PROP,
};

/** The names of everything the backup creates. */
export interface BackupNames {
  /** The Recovery Services vault: `rsv-platform-<env>-<location code>`. */
  readonly vault: string;
  /** The VM backup policy: `bkpol-platform-<env>`. */
  readonly policy: string;
  /** The alert processing rule that routes the vault's alerts: `apr-platform-<env>-backup`. */
  readonly alertProcessingRule: string;
}

/** The weekday weekly, monthly and yearly recovery points are kept from (the neutral spec takes them on Sunday). */
export const BACKUP_WEEKDAY = 'Sunday';

/** The Azure Monitor service the vault's built-in alerts come from, which the processing rule matches. */
export const AZURE_BACKUP_MONITOR_SERVICE = 'Azure Backup';

/**
 * The default alarm ids of the backup capability that only AWS has: Azure Backup copies to the paired region
 * itself (geo-redundant storage) and has no restore testing, so there are no such jobs to alert on. Declared on
 * the monitoring so that a spec override of them is accepted on Azure too.
 */
export const AWS_ONLY_BACKUP_ALARM_IDS = [
  // Azure raises failed jobs through the vault's built-in alerts (routed to the critical action group), not a
  // registered alert, so a spec override of this id applies to AWS only.
  'backup/jobs-failed',
  'backup/copy-jobs-failed',
  'backup/restore-jobs-failed',
] as const;

/** Names every resource of the backup, within Azure's limits; pure. */
export function renderBackupNames(
  props: Pick<BackupProps, 'environment' | 'resourceGroup' | 'locationCode'>,
): BackupNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  return {
    vault: makeName('azureRecoveryServicesVault', ['rsv', PLATFORM_PREFIX, props.environment, ...loc]),
    policy: makeName('azureBackupPolicy', ['bkpol', PLATFORM_PREFIX, props.environment]),
    alertProcessingRule: `apr-${PLATFORM_PREFIX}-${props.environment}-backup`,
  };
}

/**
 * Maps the props to the provider's Recovery Services vault config; pure.
 *
 * Cross-region restore (to the location's paired region, which Azure chooses) is on when `spec.secondRegion` is
 * set, and the vault's public network access with it, since Azure refuses to deny it on such a vault. Immutability is `Locked` when `spec.lock` is `compliance`, else `Unlocked`. Locked is irreversible: Azure never
 * unlocks a vault, and the provider re-creates it (and deletes its recovery points) if the attribute is changed
 * from Locked, which `prevent_destroy` stops where the environment retains its data.
 */
export function renderVaultConfig(
  props: Pick<BackupProps, 'spec' | 'resourceGroup'>,
  name: string,
): recoveryVault.RecoveryServicesVaultConfig {
  const crossRegion = props.spec.secondRegion !== undefined;
  return {
    name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    sku: 'Standard',
    softDeleteEnabled: true,
    immutability: props.spec.lock === 'compliance' ? 'Locked' : 'Unlocked',
    // Chosen before the first item is protected: Azure refuses to change the redundancy afterwards.
    storageModeType: 'GeoRedundant',
    // Cannot be turned off once on, so only a spec with a second region (production tiers, where the policy pack
    // requires it) turns it on.
    crossRegionRestoreEnabled: crossRegion,
    identity: { type: 'SystemAssigned' },
    // Azure refuses to deny public access on a vault with cross-region restore, so such a vault keeps the default
    // (it still admits only Azure Backup and authorized callers); any other denies it.
    publicNetworkAccessEnabled: crossRegion,
    // The built-in Azure Monitor alerts, which the alert processing rule routes to the critical action group.
    monitoring: { alertsForAllJobFailuresEnabled: true, alertsForCriticalOperationFailuresEnabled: true },
  };
}

/**
 * Maps the spec to the provider's enhanced (V2) VM backup policy config: one backup a day at
 * `window.startHour`:00 UTC, daily points for `daily.retentionDays`, Sunday points for the weekly retention in
 * weeks, and, when the spec has them, the points of the 1st of the month (monthly, in months) and of 1 January
 * (yearly, in years), each rounded up by `azureRetentionOf` so nothing is kept shorter than the spec says; pure.
 */
export function renderBackupPolicyConfig(
  spec: BackupSpec,
  props: { readonly name: string; readonly vaultName: string; readonly resourceGroupName: string },
): backupPolicyVm.BackupPolicyVmConfig {
  const retention = azureRetentionOf(spec);
  return {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    recoveryVaultName: props.vaultName,
    policyType: 'V2',
    timezone: 'UTC',
    backup: { frequency: 'Daily', time: `${String(spec.window.startHour).padStart(2, '0')}:00` },
    instantRestoreRetentionDays: spec.instantRestoreDays,
    retentionDaily: { count: spec.daily.retentionDays },
    retentionWeekly: { count: retention.weeks, weekdays: [BACKUP_WEEKDAY] },
    ...(retention.months !== undefined && {
      retentionMonthly: { count: retention.months, days: [1], includeLastDays: false },
    }),
    ...(retention.years !== undefined && {
      retentionYearly: { count: retention.years, months: ['January'], days: [1], includeLastDays: false },
    }),
  };
}

/** The workbook section of the backup: recent jobs and their outcome, from the vault's resource-specific logs. */
export function renderBackupWorkbookItems(): WorkbookItem[] {
  // A job writes a row per state change; the latest row of each job is its outcome.
  const latest =
    'AddonAzureBackupJobs\n| where TimeGenerated > ago(7d)\n| summarize arg_max(TimeGenerated, *) by JobUniqueId';
  return [
    {
      type: 'query',
      title: 'Backup jobs of the last 7 days',
      query: `${latest}\n| project TimeGenerated, JobOperation, JobStatus, JobFailureCode, BackupItemUniqueId, JobDurationInSecs, DataTransferredInMB\n| order by TimeGenerated desc`,
      visualization: 'table',
    },
    {
      type: 'query',
      title: 'Backup jobs per day, by status',
      query: `${latest}\n| where JobOperation == "Backup"\n| summarize Jobs = count() by JobStatus, bin(TimeGenerated, 1d)`,
      visualization: 'barchart',
    },
  ];
}

/**
 * The backup of one environment on Azure: a Recovery Services vault, an enhanced (V2) VM backup policy mapped
 * from the neutral retention model, and the VMs it protects.
 *
 * The vault is geo-redundant with soft delete on and a system-assigned identity. Its immutability follows
 * `spec.lock`: `compliance` locks it (irreversible: Azure never unlocks a vault, and recovery points cannot be
 * deleted before they expire), `governance` leaves it Unlocked. `spec.secondRegion` turns on cross-region restore
 * (also irreversible), which keeps the vault's public network access on (Azure refuses to deny it then); without
 * it, public network access is denied. The vault holds data: it gets `prevent_destroy` where its stack's tier
 * retains data (`retainData`; `RetainStatefulResources` on the stack does the same), and keep the provider's
 * `recovery_service.vm_backup_stop_protection_and_retain_data_on_destroy = true` so that removing a protected VM
 * keeps its recovery points.
 *
 * The VMs in `spec.resources.azure` are protected when the backup is created; the library's servers are
 * protected by the caller with {@link Backup.protectVirtualMachine} (a VM carries BACKUP_TAG already, so both
 * clouds select the same servers).
 *
 * Alerts: the vault's built-in Azure Monitor alerts (every failed job, every critical operation failure) are the
 * Azure counterpart of AWS's `backup/jobs-failed`; with `monitoring`, an alert processing rule scoped to the
 * vault sends them to the critical action group. They are not registered as `backup/jobs-failed`, so that alarm
 * id cannot be tuned or switched off on Azure. `backup/copy-jobs-failed` and `backup/restore-jobs-failed` have no
 * Azure counterpart and are declared as the other cloud's. The workbook section reads the vault's
 * `AddonAzureBackupJobs` logs, which the stack's `SendDiagnostics` sends to the workspace.
 *
 * @example
 * const backup = new Backup(stack, 'backup', {
 *   spec: env.backup, environment: env.name, resourceGroup: rg, monitoring,
 * });
 * server.virtualMachines.forEach((vm, i) => backup.protectVirtualMachine(server.names.virtualMachines[i]!, vm.id));
 */
export class Backup extends Construct {
  /** The Recovery Services vault. */
  public readonly vault: recoveryVault.RecoveryServicesVault;
  /** The VM backup policy every protected VM follows. */
  public readonly policy: backupPolicyVm.BackupPolicyVm;
  /** The rule that routes the vault's alerts to the critical action group, when monitoring is given. */
  public readonly alertProcessingRule?: processingRule.MonitorAlertProcessingRuleActionGroup;
  /** The names of the vault, the policy and the alert processing rule. */
  public readonly names: BackupNames;
  private readonly resourceGroup: IResourceGroup;
  private readonly protectedVms = new Map<string, backupProtectedVm.BackupProtectedVm>();

  constructor(scope: Construct, id: string, props: BackupProps) {
    checkProps('Backup', pathUnder(scope, id), props, BACKUP_PROPS);
    super(scope, id);
    validateBackupProps(props);
    this.resourceGroup = props.resourceGroup;
    this.names = renderBackupNames(props);

    this.vault = new recoveryVault.RecoveryServicesVault(this, 'Vault', renderVaultConfig(props, this.names.vault));
    RetainStatefulResources.protect(this.vault, props.retainData);
    this.policy = new backupPolicyVm.BackupPolicyVm(
      this,
      'Policy',
      renderBackupPolicyConfig(props.spec, {
        name: this.names.policy,
        vaultName: this.vault.name,
        resourceGroupName: props.resourceGroup.name,
      }),
    );

    for (const vmId of props.spec.resources.azure) this.protectVirtualMachine(externalKeyOf(vmId), vmId);

    const monitoring = props.monitoring;
    if (monitoring) {
      this.alertProcessingRule = new processingRule.MonitorAlertProcessingRuleActionGroup(this, 'AlertRouting', {
        name: this.names.alertProcessingRule,
        resourceGroupName: props.resourceGroup.name,
        description: `Sends the built-in alerts of ${this.names.vault} (failed backup and restore jobs, critical operations) to the critical action group`,
        scopes: [this.vault.id],
        condition: { monitorService: { operator: 'Equals', values: [AZURE_BACKUP_MONITOR_SERVICE] } },
        addActionGroupIds: [monitoring.actionGroupId('critical')],
      });
      for (const alarmId of AWS_ONLY_BACKUP_ALARM_IDS) monitoring.declareAlarmElsewhere(alarmId);
      monitoring.addWorkbookItems('Backup', ...renderBackupWorkbookItems());
    }
  }

  /**
   * Protects a VM with the vault's policy (one azurerm_backup_protected_vm, id `Protect-<key>`). The key is part of
   * the resource's address: keep it stable (the VM's name), since `source_vm_id` is ForceNew and a new address
   * stops the old protection.
   * @param key a stable key, unique within this backup: letters, digits, hyphens and underscores
   * @param virtualMachineId the VM's resource ID (`vm.id`)
   * @throws SpecError when the key is malformed or already used
   */
  public protectVirtualMachine(key: string, virtualMachineId: string): backupProtectedVm.BackupProtectedVm {
    const issues = new IssueCollector();
    if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      issues.add('key', key, 'letters, digits, hyphens and underscores (it becomes part of a Terraform address)');
    } else if (this.protectedVms.has(key.toLowerCase())) {
      issues.add('key', key, 'a key not yet used in this backup (a VM is protected once)');
    }
    if (!Token.isUnresolved(virtualMachineId) && virtualMachineId.trim() === '') {
      issues.add('virtualMachineId', virtualMachineId, "the VM's resource ID");
    }
    issues.throwIfAny(`Invalid protected VM of ${this.node.path}`);
    const protectedVm = new backupProtectedVm.BackupProtectedVm(this, `Protect-${key}`, {
      resourceGroupName: this.resourceGroup.name,
      recoveryVaultName: this.vault.name,
      sourceVmId: virtualMachineId,
      backupPolicyId: this.policy.id,
    });
    this.protectedVms.set(key.toLowerCase(), protectedVm);
    return protectedVm;
  }

  /** The protected VMs, by key. */
  public get protectedVirtualMachines(): ReadonlyMap<string, backupProtectedVm.BackupProtectedVm> {
    return this.protectedVms;
  }
}

/** The key of a VM given by ID in the spec: `external-<vm name>`, lowercased, stable while the ID is. */
function externalKeyOf(vmId: string): string {
  const name = vmId.split('/').pop() ?? vmId;
  return `external-${name.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;
}

function validateBackupProps(props: BackupProps): void {
  const issues = new IssueCollector();
  const { spec } = props;
  const limits = AZURE_BACKUP_LIMITS;
  if (props.environment.trim() === '') issues.add('environment', props.environment, 'the environment name');
  const startHour = spec.window.startHour;
  if (!Number.isInteger(startHour) || startHour < 0 || startHour > 23) {
    issues.add('spec.window.startHour', startHour, 'an hour from 0 to 23 (UTC)');
  }
  const daily = spec.daily.retentionDays;
  if (!Number.isInteger(daily) || daily < limits.dailyDays.min || daily > limits.dailyDays.max) {
    issues.add(
      'spec.daily.retentionDays',
      daily,
      `${limits.dailyDays.min}-${limits.dailyDays.max} days (Azure enhanced policy)`,
    );
  }
  const instant = spec.instantRestoreDays;
  const { min, max } = limits.instantRestoreDays;
  if (!Number.isInteger(instant) || instant < min || instant > max || instant >= daily) {
    issues.add(
      'spec.instantRestoreDays',
      instant,
      `${min}-${max} days (Azure enhanced policy), fewer than daily.retentionDays (${daily})`,
    );
  }
  const retention = azureRetentionOf(spec);
  const ranges: [string, number | undefined, number | undefined, { min: number; max: number }, string][] = [
    ['spec.weekly.retentionDays', spec.weekly.retentionDays, retention.weeks, limits.weeklyWeeks, 'weeks'],
    ['spec.monthly.retentionDays', spec.monthly?.retentionDays, retention.months, limits.monthlyMonths, 'months'],
    ['spec.yearly.retentionDays', spec.yearly?.retentionDays, retention.years, limits.yearlyYears, 'years'],
  ];
  for (const [path, days, count, range, unit] of ranges) {
    if (count !== undefined && (count < range.min || count > range.max)) {
      issues.add(path, days, `${range.min}-${range.max} ${unit} once rounded up (Azure enhanced policy), not ${count}`);
    }
  }
  issues.throwIfAny(`Invalid Backup props (${props.environment})`);
}
