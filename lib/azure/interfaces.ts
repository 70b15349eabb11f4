import type * as activityLogAlert from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import type * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import type * as queryAlert from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import type { Construct, IConstruct } from 'constructs';
import type { AlarmBasics, AZURE_SUBNET_ROLES, Severity } from '../core';

// The interfaces the constructs take from one another. They sit beneath every construct file and import none of
// them, so that the network, its alarms, the monitoring and the log analysis never import each other in a circle.

/** A resource group the constructs create their resources in: one the stack declares, or an existing one. */
export interface IResourceGroup {
  /** The resource group's name. */
  readonly name: string;
  /** The Azure location of the resource group and of everything the construct creates in it. */
  readonly location: string;
}

/** The role of an Azure subnet: workloads (VMs), data (private endpoints) or apps (Container Apps, delegated). */
export type SubnetRole = (typeof AZURE_SUBNET_ROLES)[number];

/**
 * An environment's network as the constructs take it: the virtual network and the resource ID of the subnet of
 * each role (servers go into `workloads`, the Container Apps environment into `apps`). `Network` implements it;
 * `Network.fromSubnetIds` imports an existing one.
 */
export interface INetwork {
  /** The virtual network's resource ID. */
  readonly virtualNetworkId: string;
  /** The resource ID of each subnet, by role. */
  readonly subnetIds: Readonly<Record<SubnetRole, string>>;
}

/**
 * A Key Vault holding the secrets workloads name (`spec.secrets`), read through Key Vault references with each
 * workload's identity. The vault must use Azure RBAC authorization. `KeyVault.fromKeyVaultId` imports one.
 */
export interface IKeyVault {
  /** The vault's resource ID (`/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>`). */
  readonly keyVaultId: string;
  /** The vault URI, `https://<name>.vault.azure.net`, that Key Vault secret references start with. */
  readonly vaultUri: string;
}

/** A default metric alert, as a capability defines it in its own file. */
export interface MetricAlertDefinition extends AlarmBasics {
  /** The resources whose metric is watched. */
  readonly scopes: readonly string[];
  /** The metric namespace, `Microsoft.Network/natGateways`. */
  readonly metricNamespace: string;
  /** The metric name. */
  readonly metricName: string;
  /** How the metric is aggregated over the window. */
  readonly aggregation: 'Average' | 'Count' | 'Minimum' | 'Maximum' | 'Total';
  /** How the aggregate is compared with the threshold. */
  readonly operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual';
  /** Dimension filters. @default - none */
  readonly dimensions?: readonly { readonly name: string; readonly values: readonly string[] }[];
  /** The window, one of METRIC_ALERT_WINDOWS. */
  readonly windowMinutes: number;
  /**
   * For an alert over several resources (every VM of a server definition): their type and location, which
   * Azure requires of a multi-resource metric alert; each resource is still judged on its own.
   * @default - a single-resource alert
   */
  readonly multiResource?: { readonly targetResourceType: string; readonly targetResourceLocation: string };
}

/** A default log alert (KQL over the environment's workspace), as a capability defines it. */
export interface LogAlertDefinition extends AlarmBasics {
  /** The KQL query; the alert counts its rows. */
  readonly query: string;
  /**
   * The workspaces (or other resources) the query runs over.
   * @default - the environment's workspace
   */
  readonly scopes?: readonly string[];
  /** The window the rows are counted in, in minutes (1, 5, 10, 15, 30, 45 or whole hours). */
  readonly windowMinutes: number;
  /**
   * Compare a column's aggregate with the threshold instead of counting rows, per value of the split columns
   * (memory use per computer, for instance).
   * @default - the rows are counted, across the whole result
   */
  readonly measure?: {
    readonly column: string;
    readonly aggregation: 'Average' | 'Maximum' | 'Minimum' | 'Total';
    readonly operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual';
    readonly splitBy: readonly string[];
  };
  /**
   * Judge the evaluation periods in the query instead of the rule: the rule runs every minute over one window and
   * fires on one failing window, and the query and the window follow the tuned `evaluationPeriods`, read as
   * minutes (a probe's "no healthy minute in the last N", for instance). `query` and `windowMinutes` above are
   * then those of the untuned periods.
   * @default - the rule runs once per window and fires when `evaluationPeriods` consecutive windows fail
   */
  readonly perMinute?: {
    /** The query that judges the last `minutes` minutes itself. */
    readonly query: (minutes: number) => string;
    /** The window that holds them (1, 5, 10, 15, 30, 45 or 60 minutes), or undefined when none does. */
    readonly windowMinutes: (minutes: number) => number | undefined;
    /** The most minutes a window holds, for the error when a tuning asks for more. */
    readonly maxMinutes: number;
  };
}

/**
 * A default activity log alert (an Azure Resource Manager operation in the subscription's Activity Log), as a
 * capability defines it: one alert per operation, since an alert's criteria name one operation. Azure raises it on
 * every matching event, so `threshold` and `evaluationPeriods` do not apply (give `threshold: 1`); an override may
 * switch it off or change its severity.
 */
export interface ActivityLogAlertDefinition extends AlarmBasics {
  /** The resources whose Activity Log is watched: the subscription's ID (`/subscriptions/<id>`). */
  readonly scopes: readonly string[];
  /**
   * The operations that raise it, `Microsoft.Network/networkSecurityGroups/write`: one alert each. With more than
   * one, each alert's name ends with the operation's last segment (`platform-<env>-audit.nsg-changes.delete`).
   */
  readonly operationNames: readonly string[];
  /**
   * The Activity Log category of the operations.
   * @default 'Administrative'
   */
  readonly category?: 'Administrative' | 'Policy' | 'Security';
}

/** One item of the environment workbook. */
export type WorkbookItem =
  | { readonly type: 'text'; readonly markdown: string }
  | {
      readonly type: 'query';
      readonly title: string;
      readonly query: string;
      readonly visualization: 'table' | 'timechart' | 'barchart';
    };

/**
 * The environment's monitoring, as the capabilities see it: the one interface through which every construct
 * registers its default alerts, workbook items and saved searches. `Monitoring` implements it;
 * `Monitoring.fromMonitoringAttributes` imports an existing one.
 */
export interface IMonitoring extends IConstruct {
  /** The environment name, the middle of every alert name. */
  readonly environment: string;
  /** The Log Analytics workspace every resource sends its diagnostics to. */
  readonly workspaceId: string;
  /**
   * Creates a default metric alert in `scope`, named `platform-<env>-<id>` (slashes as dots), notifying the
   * action group of its severity, unless the spec switches it off; applies the spec's tuning.
   * @returns the alert, or undefined when the spec switched it off
   */
  addMetricAlert(
    scope: Construct,
    id: string,
    definition: MetricAlertDefinition,
  ): metricAlert.MonitorMetricAlert | undefined;
  /** The same for a log alert (a scheduled query rule over the workspace). */
  addLogAlert(
    scope: Construct,
    id: string,
    definition: LogAlertDefinition,
  ): queryAlert.MonitorScheduledQueryRulesAlertV2 | undefined;
  /**
   * Creates a default activity log alert in `scope` for each of the definition's operations, named
   * `platform-<env>-<id>` (with the operation's last segment when there are several), location `global`, notifying
   * the action group of its severity, unless the spec switches the id off; an override applies to every operation.
   * @returns the alerts, none when the spec switched the id off
   */
  addActivityLogAlert(
    scope: Construct,
    id: string,
    definition: ActivityLogAlertDefinition,
  ): readonly activityLogAlert.MonitorActivityLogAlert[];
  /**
   * Records an alert id that only the other cloud has (the EC2 recover alarm), so that a spec override of it is
   * accepted here instead of being reported as naming no alarm.
   */
  declareAlarmElsewhere(id: string): void;
  /** Adds a titled section to the environment workbook. */
  addWorkbookItems(title: string, ...items: WorkbookItem[]): void;
  /** Saves a KQL search in the workspace, `<name>` in category `platform`. */
  addSavedSearch(name: string, query: string): void;
  /**
   * The ID of the action group that notifies alerts of `severity`, for alerts Azure raises itself (the built-in
   * alerts of a Recovery Services vault) and that an alert processing rule routes to it.
   */
  actionGroupId(severity: Severity): string;
}
