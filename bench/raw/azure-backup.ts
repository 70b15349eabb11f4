// The backup of the Azure raw program (azure.ts), written against the azurerm provider classes directly with
// literal values and the same construct IDs as ours (lib/azure/backup.ts), so that the Terraform JSON is the same.
// The values are the tier defaults of lib/core/spec/backup.ts, mapped to Azure's units, spelled out:
// - under `backup`: the Recovery Services vault `rsv-platform-<env>-weu` (geo-redundant, soft delete, no public
//   access, built-in job alerts; Locked and with cross-region restore in production, kept by prevent_destroy
//   there), its diagnostic setting (logs to the resource-specific tables: Dedicated), the enhanced (V2) VM backup
//   policy `bkpol-platform-<env>` (daily at 01:00 UTC; 7 days, 5 weeks in development; 35 days, 13 weeks,
//   12 months in production), an azurerm_backup_protected_vm per server VM (`Protect-<vm name>`), and the alert
//   processing rule that routes the vault's built-in alerts to the critical action group;
// - the workbook's Backup section (backupWorkbookSection), added with the other sections.
import * as backupPolicyVm from '@cdktf/provider-azurerm/lib/backup-policy-vm';
import * as backupProtectedVm from '@cdktf/provider-azurerm/lib/backup-protected-vm';
import * as processingRule from '@cdktf/provider-azurerm/lib/monitor-alert-processing-rule-action-group';
import type * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import * as recoveryVault from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import { Construct } from 'constructs';

/** What the backup uses of the rest of the stack. */
export interface RawAzureBackupContext {
  readonly rg: resourceGroup.ResourceGroup;
  readonly tags: Readonly<Record<string, string>>;
  readonly criticalActionGroupId: string;
  /** The server VMs, in the order ours protects them: each by its name. */
  readonly vms: readonly { readonly name: string; readonly id: string }[];
  /** Sends a resource's logs and metrics to the workspace, through a setting beside it. */
  readonly sendDiagnostics: (
    target: { readonly id: string; readonly node: { readonly id: string; readonly scope?: Construct } },
    what: { readonly logs: boolean; readonly metrics: boolean; readonly dedicated?: boolean },
  ) => void;
}

/** The vault, the policy, the protected VMs and the alert routing of one environment. */
export function buildBackup(
  stack: Construct,
  env: { readonly name: string; readonly tier: 'development' | 'production'; readonly retainData: boolean },
  context: RawAzureBackupContext,
): void {
  const { rg, tags } = context;
  const production = env.tier === 'production';
  const scope = new Construct(stack, 'backup');
  const vaultName = `rsv-platform-${env.name}-weu`;
  const vault = new recoveryVault.RecoveryServicesVault(scope, 'Vault', {
    name: vaultName,
    location: rg.location,
    resourceGroupName: rg.name,
    sku: 'Standard',
    softDeleteEnabled: true,
    immutability: production ? 'Locked' : 'Unlocked',
    storageModeType: 'GeoRedundant',
    crossRegionRestoreEnabled: production,
    identity: { type: 'SystemAssigned' },
    publicNetworkAccessEnabled: production,
    monitoring: { alertsForAllJobFailuresEnabled: true, alertsForCriticalOperationFailuresEnabled: true },
    tags,
    ...(env.retainData && { lifecycle: { preventDestroy: true } }),
  });
  const policy = new backupPolicyVm.BackupPolicyVm(scope, 'Policy', {
    name: `bkpol-platform-${env.name}`,
    resourceGroupName: rg.name,
    recoveryVaultName: vault.name,
    policyType: 'V2',
    timezone: 'UTC',
    backup: { frequency: 'Daily', time: '01:00' },
    instantRestoreRetentionDays: production ? 7 : 2,
    retentionDaily: { count: production ? 35 : 7 },
    retentionWeekly: { count: production ? 13 : 5, weekdays: ['Sunday'] },
    ...(production && { retentionMonthly: { count: 12, days: [1], includeLastDays: false } }),
  });
  for (const vm of context.vms) {
    new backupProtectedVm.BackupProtectedVm(scope, `Protect-${vm.name}`, {
      resourceGroupName: rg.name,
      recoveryVaultName: vault.name,
      sourceVmId: vm.id,
      backupPolicyId: policy.id,
    });
  }
  new processingRule.MonitorAlertProcessingRuleActionGroup(scope, 'AlertRouting', {
    name: `apr-platform-${env.name}-backup`,
    resourceGroupName: rg.name,
    description: `Sends the built-in alerts of ${vaultName} (failed backup and restore jobs, critical operations) to the critical action group`,
    scopes: [vault.id],
    condition: { monitorService: { operator: 'Equals', values: ['Azure Backup'] } },
    addActionGroupIds: [context.criticalActionGroupId],
    tags,
  });
  context.sendDiagnostics(vault, { logs: true, metrics: true, dedicated: true });
}

/** The workbook's Backup section: recent jobs and their outcome, from the vault's resource-specific logs. */
export function backupWorkbookSection(): {
  readonly title: string;
  readonly items: readonly { readonly title: string; readonly query: string; readonly visualization: string }[];
} {
  const latest =
    'AddonAzureBackupJobs\n| where TimeGenerated > ago(7d)\n| summarize arg_max(TimeGenerated, *) by JobUniqueId';
  return {
    title: 'Backup',
    items: [
      {
        title: 'Backup jobs of the last 7 days',
        query: `${latest}\n| project TimeGenerated, JobOperation, JobStatus, JobFailureCode, BackupItemUniqueId, JobDurationInSecs, DataTransferredInMB\n| order by TimeGenerated desc`,
        visualization: 'table',
      },
      {
        title: 'Backup jobs per day, by status',
        query: `${latest}\n| where JobOperation == "Backup"\n| summarize Jobs = count() by JobStatus, bin(TimeGenerated, 1d)`,
        visualization: 'barchart',
      },
    ],
  };
}
