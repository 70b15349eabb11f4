import * as subscription from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import * as workspaceTable from '@cdktf/provider-azurerm/lib/log-analytics-workspace-table';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type * as activityLogAlert from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  AUDIT_CONTROLS,
  auditAlarmId,
  AZURE_AUDIT_CONTROLS,
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  type AuditSpec,
  type PropRules,
} from '../core';
import { ENVIRONMENT_PROP, MONITORING_PROP, pathUnder, RETAIN_DATA_PROP, specProp } from './construct-props';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources } from './protection';

/** Every category of the subscription's Activity Log: all of them go to the workspace. */
export const ACTIVITY_LOG_CATEGORIES = [
  'Administrative',
  'Security',
  'ServiceHealth',
  'Alert',
  'Recommendation',
  'Policy',
  'Autoscale',
  'ResourceHealth',
] as const;

/** The most days a Log Analytics table keeps records interactively; beyond, up to its total retention, archived. */
export const MAX_INTERACTIVE_RETENTION_DAYS = 730;

/** The total retentions beyond 730 days a Log Analytics table takes (whole years, leap days counted). */
export const LONG_TOTAL_RETENTION_DAYS = [1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383] as const;

/**
 * The AzureActivity table's retention for `days` of audit records: interactive for up to 730 days, the rest
 * archived, the total rounded up to the next total Azure takes (2555 days, seven years, becomes 2556).
 */
export function activityTableRetention(days: number): { readonly interactiveDays: number; readonly totalDays: number } {
  const totalDays =
    days <= MAX_INTERACTIVE_RETENTION_DAYS
      ? days
      : (LONG_TOTAL_RETENTION_DAYS.find((d) => d >= days) ?? LONG_TOTAL_RETENTION_DAYS.at(-1)!);
  return { interactiveDays: Math.min(days, MAX_INTERACTIVE_RETENTION_DAYS), totalDays };
}

const writeDelete = (resource: string): readonly string[] => [`${resource}/write`, `${resource}/delete`];

/**
 * The Resource Manager operations of each Azure audit control (lib/core AZURE_AUDIT_CONTROLS), by control: an
 * activity log alert each, as CIS Microsoft Azure Foundations 2.0 section 5.2 lists them.
 */
export const AZURE_AUDIT_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  'policy-assignment-changes': writeDelete('Microsoft.Authorization/policyAssignments'),
  'nsg-changes': writeDelete('Microsoft.Network/networkSecurityGroups'),
  'nsg-rule-changes': writeDelete('Microsoft.Network/networkSecurityGroups/securityRules'),
  'security-solution-changes': writeDelete('Microsoft.Security/securitySolutions'),
  'sql-firewall-changes': writeDelete('Microsoft.Sql/servers/firewallRules'),
  'public-ip-changes': writeDelete('Microsoft.Network/publicIPAddresses'),
  'role-assignment-changes': writeDelete('Microsoft.Authorization/roleAssignments'),
  'key-vault-deletion': ['Microsoft.KeyVault/vaults/delete'],
};

/** A saved "who did what, when" query over the AzureActivity table. */
export interface AuditQuery {
  /** The saved search's name, `audit-<what>` (saved as `platform-audit-<what>`). */
  readonly name: string;
  /** The KQL. */
  readonly query: string;
}

/** The saved searches of the audit trail: by user, by resource, by action, and the failed operations. */
export const AUDIT_QUERIES: readonly AuditQuery[] = [
  {
    name: 'audit-by-user',
    query:
      'AzureActivity | summarize Operations = count(), Failed = countif(ActivityStatusValue in~ ("Failure", "Failed")), Resources = dcount(ResourceId), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated) by Caller, CallerIpAddress | order by Operations desc',
  },
  {
    name: 'audit-by-resource',
    query:
      'AzureActivity | project TimeGenerated, ResourceId, OperationNameValue, ActivityStatusValue, Caller, CallerIpAddress | order by ResourceId asc, TimeGenerated desc',
  },
  {
    name: 'audit-by-action',
    query:
      'AzureActivity | summarize Count = count(), Callers = make_set(Caller, 20), LastSeen = max(TimeGenerated) by OperationNameValue, ActivityStatusValue | order by Count desc',
  },
  {
    name: 'audit-failed-operations',
    query:
      'AzureActivity | where ActivityStatusValue in~ ("Failure", "Failed") | project TimeGenerated, Caller, CallerIpAddress, OperationNameValue, ResourceId, ActivityStatusValue | order by TimeGenerated desc',
  },
];

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** The environment's resolved audit section. */
  readonly spec: AuditSpec;
  /** The environment name, in the diagnostic setting's name. */
  readonly name: string;
  /** The environment's monitoring: its workspace receives the Activity Log and the saved searches; it registers the alerts. */
  readonly monitoring: IMonitoring;
  /**
   * Days the workspace keeps records by default: when they are `spec.retentionDays` or more, the AzureActivity
   * table keeps the workspace's retention and no table setting is created.
   * @default - unknown: the AzureActivity table's retention is always set
   */
  readonly workspaceRetentionDays?: number;
  /**
   * The subscription whose Activity Log is exported and watched, as its resource ID (`/subscriptions/<id>`).
   * @default - the subscription the provider deploys to (`data azurerm_subscription` current)
   */
  readonly subscriptionId?: string;
  /**
   * Give the AzureActivity table setting `lifecycle.prevent_destroy`: destroying it returns the table to the
   * workspace's retention, and Azure then deletes the older records.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const AUDIT_TRAIL_PROPS: PropRules = {
  spec: specProp('audit'),
  name: ENVIRONMENT_PROP,
  monitoring: { ...MONITORING_PROP, optional: false },
  workspaceRetentionDays: {
    kind: 'number',
    optional: true,
    allowed: "days the workspace keeps records (the spec's monitoring.logRetentionDays)",
  },
  subscriptionId: { kind: 'string', optional: true, allowed: 'the subscription resource ID, /subscriptions/<id>' },
  retainData: RETAIN_DATA_PROP,
};

const SUBSCRIPTION_ID = /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit trail of an environment on Azure: the subscription's Activity Log (every category) exported to the
 * environment's Log Analytics workspace, its AzureActivity table kept `spec.retentionDays`, an activity log alert
 * per CIS Azure Foundations 2.0 section 5.2 control (plus role assignments and Key Vault deletion) registered with
 * the monitoring as `audit/<control>` (lib/core AZURE_AUDIT_CONTROLS; the AWS-only ids declared elsewhere), and saved "who did what, when" searches.
 *
 * The Activity Log itself cannot be changed by anyone; a subscription takes at most five diagnostic settings, one of
 * them per environment deployed to it.
 */
export class AuditTrail extends Construct {
  /** The export of the subscription's Activity Log to the workspace. */
  public readonly diagnosticSetting: diagnosticSetting.MonitorDiagnosticSetting;
  /** The AzureActivity table's retention, when the workspace keeps records for fewer days. */
  public readonly activityTable?: workspaceTable.LogAnalyticsWorkspaceTable;
  /** The activity log alerts, by alert id (none for an id the spec switched off). */
  public readonly alerts: Readonly<Record<string, readonly activityLogAlert.MonitorActivityLogAlert[]>>;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    checkProps('AuditTrail', pathUnder(scope, id), props, AUDIT_TRAIL_PROPS);
    const issues = new IssueCollector();
    if (
      props.subscriptionId !== undefined &&
      !Token.isUnresolved(props.subscriptionId) &&
      !SUBSCRIPTION_ID.test(props.subscriptionId)
    ) {
      issues.add('subscriptionId', props.subscriptionId, 'a subscription resource ID, /subscriptions/<uuid>');
    }
    if (!props.spec.enabled) {
      issues.add('spec.enabled', false, 'true: create the AuditTrail only where the spec enables the audit trail');
    }
    issues.throwIfAny(`Invalid AuditTrail props (${pathUnder(scope, id)})`);
    super(scope, id);

    const subscriptionId =
      props.subscriptionId ?? new subscription.DataAzurermSubscription(this, 'subscription', {}).id;
    const workspaceId = props.monitoring.workspaceId;

    this.diagnosticSetting = new diagnosticSetting.MonitorDiagnosticSetting(this, 'activity-log', {
      name: `${PLATFORM_PREFIX}-${props.name}-activity-log`,
      targetResourceId: subscriptionId,
      logAnalyticsWorkspaceId: workspaceId,
      enabledLog: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category })),
    });

    const days = props.spec.retentionDays;
    const retention = activityTableRetention(days);
    // Only ever longer than the workspace's: a shorter table retention would delete records the workspace keeps.
    if (props.workspaceRetentionDays === undefined || props.workspaceRetentionDays < days) {
      // Interactive retention ends at 730 days; the rest of the total retention is kept archived (searchable by
      // a search job), which is what an audit record needs.
      this.activityTable = new workspaceTable.LogAnalyticsWorkspaceTable(this, 'activity-table', {
        name: 'AzureActivity',
        workspaceId,
        plan: 'Analytics',
        retentionInDays: retention.interactiveDays,
        totalRetentionInDays: retention.totalDays,
      });
      RetainStatefulResources.protect(this.activityTable, props.retainData);
    }

    this.alerts = Object.fromEntries(
      AZURE_AUDIT_CONTROLS.map(({ control, threshold, severity, description, firstResponse }) => [
        auditAlarmId(control),
        props.monitoring.addActivityLogAlert(this, auditAlarmId(control), {
          threshold,
          severity,
          description,
          firstResponse,
          scopes: [subscriptionId],
          operationNames: AZURE_AUDIT_OPERATIONS[control] ?? [],
          category: 'Administrative',
        }),
      ]),
    );
    // The AWS controls have no Azure twin: declared, so that a spec override of one is accepted here.
    for (const { control } of AUDIT_CONTROLS) props.monitoring.declareAlarmElsewhere(auditAlarmId(control));

    for (const { name, query } of AUDIT_QUERIES) props.monitoring.addSavedSearch(name, query);
    props.monitoring.addWorkbookItems(
      'Audit trail',
      ...AUDIT_QUERIES.map((q) => ({
        type: 'query' as const,
        title: q.name,
        query: q.query,
        visualization: 'table' as const,
      })),
    );
  }
}
