import * as actionGroup from '@cdktf/provider-azurerm/lib/monitor-action-group';
import * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import * as queryAlert from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import * as workbook from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import { Fn, Lazy } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import {
  alarmName,
  AlarmRegistry,
  type AlarmBasics,
  IssueCollector,
  PLATFORM_PREFIX,
  SEVERITIES,
  type MonitoringSpec,
  type Severity,
} from '../core';
import { LogAnalysis } from './log-analysis';
import { locationCodeOf, type IResourceGroup } from './network';

/** Azure alert severities (0 critical ... 4 verbose) for the library's two. */
export const AZURE_SEVERITY: Readonly<Record<Severity, number>> = { critical: 1, warning: 2 };

/** Window sizes a metric alert accepts, in minutes. */
export const METRIC_ALERT_WINDOWS = [1, 5, 15, 30, 60, 360, 720, 1440] as const;

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
 * registers its default alerts, workbook items and saved searches.
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

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The environment's resolved monitoring section. */
  readonly spec: MonitoringSpec;
  /** The environment name. */
  readonly name: string;
  /** The resource group for the workspace, action groups, alerts and workbook. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
}

/** A version-5-style UUID from a seed: the workbook's name must be a UUID, and the same on every synth. */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The monitoring of one environment on Azure: an action group per severity (the spec's email and webhook
 * receivers), a workbook that other constructs add sections to, the log analysis (Log Analytics workspace,
 * log pattern alerts, saved searches) and the registry through which every other construct adds its
 * default alerts (`IMonitoring`).
 */
export class Monitoring extends Construct implements IMonitoring {
  /** The environment name. */
  public readonly environment: string;
  /** One action group per severity. */
  public readonly actionGroups: Readonly<Record<Severity, actionGroup.MonitorActionGroup>>;
  /** The Log Analytics workspace, saved searches and log pattern alerts. */
  public readonly logAnalysis: LogAnalysis;
  /** The environment workbook. */
  public readonly workbook: workbook.ApplicationInsightsWorkbook;
  private readonly registry: AlarmRegistry;
  private readonly resourceGroup: IResourceGroup;
  /**
   * The action groups' IDs, read once: every read of a provider attribute makes a new token, and cdktf records a
   * stack trace with each (five alerts per service read them).
   */
  private readonly actionGroupIds: Readonly<Record<Severity, string>>;
  private readonly sections: { title: string; items: WorkbookItem[] }[] = [];
  private workspaceIdToken?: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.environment = props.name;
    this.registry = new AlarmRegistry(props.name, props.spec);
    this.resourceGroup = props.resourceGroup;
    const locationCode = props.locationCode ?? locationCodeOf(props.resourceGroup.location);

    this.actionGroups = Object.fromEntries(
      SEVERITIES.map((severity) => [severity, this.createActionGroup(severity, props)]),
    ) as Record<Severity, actionGroup.MonitorActionGroup>;
    this.actionGroupIds = Object.fromEntries(
      SEVERITIES.map((severity) => [severity, this.actionGroups[severity].id]),
    ) as Record<Severity, string>;

    this.logAnalysis = new LogAnalysis(this, 'logs', {
      name: props.name,
      resourceGroup: props.resourceGroup,
      ...(locationCode !== undefined && { locationCode }),
      patterns: props.spec.logPatterns,
      retentionDays: props.spec.logRetentionDays,
      monitoring: this,
    });

    this.workbook = new workbook.ApplicationInsightsWorkbook(this, 'workbook', {
      name: deterministicUuid(`${PLATFORM_PREFIX}-${props.name}-workbook`),
      displayName: `Platform ${props.name}`,
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      category: 'workbook',
      // The portal stores workbook sources in lowercase and reports a difference on every plan otherwise.
      sourceId: Fn.lower(this.logAnalysis.workspace.id),
      dataJson: Lazy.stringValue({ produce: () => this.renderWorkbook() }),
    });

    this.node.addValidation({ validate: () => this.registry.unusedOverrides() });
  }

  /** The Log Analytics workspace's id (read once, like the action groups' IDs: every diagnostic setting names it). */
  public get workspaceId(): string {
    this.workspaceIdToken ??= this.logAnalysis.workspace.id;
    return this.workspaceIdToken;
  }

  /** The alert ids switched off in the spec, with their reasons. */
  public get disabledAlarms(): ReadonlyMap<string, string> {
    return this.registry.disabled;
  }

  public addMetricAlert(
    scope: Construct,
    id: string,
    definition: MetricAlertDefinition,
  ): metricAlert.MonitorMetricAlert | undefined {
    const tuned = this.registry.tune(id, definition);
    if (!tuned) return undefined;
    // A static metric alert judges one window. N periods in a row become one window N times as long; for a
    // sum (Total, Count) the threshold grows with it, so the alert keeps meaning "about this much per period".
    const periods = tuned.evaluationPeriods;
    const windowMinutes = tuned.windowMinutes * periods;
    const threshold =
      tuned.aggregation === 'Total' || tuned.aggregation === 'Count' ? tuned.threshold * periods : tuned.threshold;
    const issues = new IssueCollector();
    if (!(METRIC_ALERT_WINDOWS as readonly number[]).includes(windowMinutes)) {
      issues.add(
        `${id}.windowMinutes`,
        windowMinutes,
        `windowMinutes x evaluationPeriods is one of ${METRIC_ALERT_WINDOWS.join(', ')}`,
      );
    }
    issues.throwIfAny('Invalid alert');
    return new metricAlert.MonitorMetricAlert(scope, id.replaceAll('/', '-'), {
      name: alarmName(this.environment, id),
      resourceGroupName: this.resourceGroup.name,
      scopes: [...tuned.scopes],
      description: AlarmRegistry.describe(tuned),
      severity: AZURE_SEVERITY[tuned.severity],
      frequency: isoMinutes(metricAlertFrequency(tuned.windowMinutes)),
      windowSize: isoMinutes(windowMinutes),
      autoMitigate: true,
      ...(tuned.multiResource && {
        targetResourceType: tuned.multiResource.targetResourceType,
        targetResourceLocation: tuned.multiResource.targetResourceLocation,
      }),
      criteria: [
        {
          metricNamespace: tuned.metricNamespace,
          metricName: tuned.metricName,
          aggregation: tuned.aggregation,
          operator: tuned.operator,
          threshold,
          ...(tuned.dimensions?.length && {
            dimension: tuned.dimensions.map((d) => ({ name: d.name, operator: 'Include', values: [...d.values] })),
          }),
        },
      ],
      action: [{ actionGroupId: this.actionGroupIds[tuned.severity] }],
    });
  }

  public addLogAlert(
    scope: Construct,
    id: string,
    definition: LogAlertDefinition,
  ): queryAlert.MonitorScheduledQueryRulesAlertV2 | undefined {
    const tuned = this.registry.tune(id, definition);
    if (!tuned) return undefined;
    const periods = tuned.evaluationPeriods;
    return new queryAlert.MonitorScheduledQueryRulesAlertV2(scope, id.replaceAll('/', '-'), {
      name: alarmName(this.environment, id),
      resourceGroupName: this.resourceGroup.name,
      location: this.resourceGroup.location,
      scopes: [...(tuned.scopes ?? [this.workspaceId])],
      description: AlarmRegistry.describe(tuned),
      displayName: alarmName(this.environment, id),
      severity: AZURE_SEVERITY[tuned.severity],
      evaluationFrequency: isoMinutes(tuned.windowMinutes),
      windowDuration: isoMinutes(tuned.windowMinutes),
      autoMitigationEnabled: true,
      // The log tables appear only once workloads write to them; validation would refuse the rule until then.
      skipQueryValidation: true,
      criteria: [
        {
          query: tuned.query,
          timeAggregationMethod: tuned.measure?.aggregation ?? 'Count',
          operator: tuned.measure?.operator ?? 'GreaterThanOrEqual',
          threshold: tuned.threshold,
          ...(tuned.measure && {
            metricMeasureColumn: tuned.measure.column,
            dimension: tuned.measure.splitBy.map((name) => ({ name, operator: 'Include', values: ['*'] })),
          }),
          failingPeriods: {
            minimumFailingPeriodsToTriggerAlert: periods,
            numberOfEvaluationPeriods: periods,
          },
        },
      ],
      action: { actionGroups: [this.actionGroupIds[tuned.severity]] },
    });
  }

  public declareAlarmElsewhere(id: string): void {
    this.registry.declareElsewhere(id);
  }

  public addWorkbookItems(title: string, ...items: WorkbookItem[]): void {
    this.sections.push({ title, items });
  }

  public addSavedSearch(name: string, query: string): void {
    this.logAnalysis.addSavedSearch(name, query);
  }

  public actionGroupId(severity: Severity): string {
    return this.actionGroupIds[severity];
  }

  private createActionGroup(severity: Severity, props: MonitoringProps): actionGroup.MonitorActionGroup {
    const channels = props.spec.routing[severity];
    const emails = channels.includes('email') ? props.spec.emails : [];
    const webhooks = channels.includes('webhook') ? props.spec.webhookUrls : [];
    return new actionGroup.MonitorActionGroup(this, `action-group-${severity}`, {
      name: `ag-${PLATFORM_PREFIX}-${props.name}-${severity}`,
      resourceGroupName: props.resourceGroup.name,
      location: 'global',
      // At most 12 characters, shown in SMS and email subjects.
      shortName: `${props.name.slice(0, 7)}-${severity === 'critical' ? 'crit' : 'warn'}`,
      // Receivers only where there are some: an empty list is a needless diff against the portal's state.
      ...(emails.length > 0 && {
        emailReceiver: emails.map((email, i) => ({
          name: `email-${i + 1}`,
          emailAddress: email,
          useCommonAlertSchema: true,
        })),
      }),
      ...(webhooks.length > 0 && {
        webhookReceiver: webhooks.map((url, i) => ({
          name: `webhook-${i + 1}`,
          serviceUri: url,
          useCommonAlertSchema: true,
        })),
      }),
    });
  }

  private renderWorkbook(): string {
    const header: WorkbookItem = { type: 'text', markdown: this.registry.header() };
    const items = [
      header,
      ...this.sections.flatMap(({ title, items: sectionItems }) => [
        { type: 'text', markdown: `## ${title}` } as WorkbookItem,
        ...sectionItems,
      ]),
    ];
    return JSON.stringify({
      version: 'Notebook/1.0',
      items: items.map((item, i) =>
        item.type === 'text'
          ? { type: 1, name: `text-${i}`, content: { json: item.markdown } }
          : {
              type: 3,
              name: `query-${i}`,
              content: {
                version: 'KqlItem/1.0',
                title: item.title,
                query: item.query,
                size: 0,
                queryType: 0,
                resourceType: 'microsoft.operationalinsights/workspaces',
                visualization: item.visualization,
              },
            },
      ),
      isLocked: false,
    });
  }
}

/** How often a metric alert is evaluated: the longest frequency Azure takes (1, 5, 15, 30 or 60 minutes) within the window. */
export function metricAlertFrequency(windowMinutes: number): number {
  return [60, 30, 15, 5, 1].find((f) => f <= windowMinutes) ?? 1;
}

/** `PT5M`, `PT1H`, `PT6H`, `P1D`: the ISO 8601 durations Azure Monitor takes. */
export function isoMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}
