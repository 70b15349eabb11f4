import * as activityLogAlert from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import * as actionGroup from '@cdktf/provider-azurerm/lib/monitor-action-group';
import * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import * as queryAlert from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import * as workbook from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import { Fn, Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import {
  alarmName,
  AlarmRegistry,
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  SEVERITIES,
  type MonitoringSpec,
  type PropRules,
  type Severity,
} from '../core';
import type {
  ActivityLogAlertDefinition,
  IMonitoring,
  IResourceGroup,
  LogAlertDefinition,
  MetricAlertDefinition,
  WorkbookItem,
} from './interfaces';
import { addSavedSearch, LogAnalysis } from './log-analysis';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
  specProp,
} from './construct-props';
import { locationCodeOf } from './location';

/** Azure alert severities (0 critical ... 4 verbose) for the library's two. */
export const AZURE_SEVERITY: Readonly<Record<Severity, number>> = { critical: 1, warning: 2 };

/** Window sizes a metric alert accepts, in minutes. */
export const METRIC_ALERT_WINDOWS = [1, 5, 15, 30, 60, 360, 720, 1440] as const;

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
  /**
   * Give the Log Analytics workspace `lifecycle.prevent_destroy`.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const MONITORING_PROPS: PropRules = {
  spec: specProp('monitoring'),
  name: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  retainData: RETAIN_DATA_PROP,
};

const MONITORING_ATTRIBUTES_PROPS: PropRules = {
  environment: ENVIRONMENT_PROP,
  workspaceId: { kind: 'string', allowed: 'the resource ID of the Log Analytics workspace' },
  actionGroupIds: {
    kind: 'object',
    allowed: 'the resource ID of the action group of each severity: { critical, warning }',
    fields: Object.fromEntries(
      SEVERITIES.map((severity) => [
        severity,
        { kind: 'string', allowed: `the resource ID of the ${severity} action group` } as const,
      ]),
    ),
  },
  resourceGroup: RESOURCE_GROUP_PROP,
  alarms: {
    kind: 'object',
    optional: true,
    allowed: "overrides of the default alerts, as the spec's monitoring.alarms",
  },
};

/** Checks the props of a Monitoring before anything is built (its base class reads them first); returns its base's. */
function monitoringBaseProps(scope: Construct, id: string, props: MonitoringProps): MonitoringBaseProps {
  checkProps('Monitoring', pathUnder(scope, id), props, MONITORING_PROPS);
  return { environment: props.name, spec: props.spec, resourceGroup: props.resourceGroup };
}

/** A version-5-style UUID from a seed: the workbook's name must be a UUID, and the same on every synth. */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Attributes of an environment's existing monitoring, for {@link Monitoring.fromMonitoringAttributes}. */
export interface MonitoringAttributes {
  /** The environment name: the middle of every alert name (`platform-<env>-<id>`). */
  readonly environment: string;
  /** The resource ID of the environment's Log Analytics workspace: log alerts query it, saved searches go into it. */
  readonly workspaceId: string;
  /** The resource ID of the action group that notifies alerts of each severity. */
  readonly actionGroupIds: Readonly<Record<Severity, string>>;
  /** The resource group the alerts created through the imported monitoring go into; log alerts take its location. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Overrides of the default alerts created through the imported monitoring, as the spec's `monitoring.alarms`
   * takes them; an override that names no alert created here fails synthesis.
   * @default - none: every alert as its capability defines it
   */
  readonly alarms?: MonitoringSpec['alarms'];
}

/** What {@link MonitoringBase} needs: the alert names, the spec's overrides and where alerts go. */
export interface MonitoringBaseProps {
  /** The environment name, the middle of every alert name. */
  readonly environment: string;
  /** The overrides of the default alerts, and the routing the workbook header reports. */
  readonly spec: Pick<MonitoringSpec, 'alarms' | 'routing'>;
  /** The resource group the alerts go into; log alerts take its location. */
  readonly resourceGroup: IResourceGroup;
}

/**
 * What every `IMonitoring` shares, whether it creates the environment's monitoring or imports it: the alarm
 * registry (each id once, the spec's tuning applied, overrides that name no alert reported at synthesis) and the
 * metric and log alerts it creates for the capabilities, each notifying the action group of its severity.
 */
export abstract class MonitoringBase extends Construct implements IMonitoring {
  /** The environment name. */
  public readonly environment: string;
  /** The Log Analytics workspace's resource ID. */
  public abstract readonly workspaceId: string;
  private readonly registry: AlarmRegistry;
  private readonly alertResourceGroup: IResourceGroup;

  protected constructor(scope: Construct, id: string, props: MonitoringBaseProps) {
    super(scope, id);
    this.environment = props.environment;
    this.registry = new AlarmRegistry(props.environment, props.spec);
    this.alertResourceGroup = props.resourceGroup;
    this.node.addValidation({ validate: () => this.registry.unusedOverrides() });
  }

  /** The alert ids switched off in the spec, with their reasons. */
  public get disabledAlarms(): ReadonlyMap<string, string> {
    return this.registry.disabled;
  }

  public abstract actionGroupId(severity: Severity): string;

  public abstract addWorkbookItems(title: string, ...items: WorkbookItem[]): void;

  public abstract addSavedSearch(name: string, query: string): void;

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
      resourceGroupName: this.alertResourceGroup.name,
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
      action: [{ actionGroupId: this.actionGroupId(tuned.severity) }],
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
    // A per-minute rule judges its minutes in the query: one window holding them, one failing window.
    const perMinute = tuned.perMinute;
    const perMinuteWindow = perMinute?.windowMinutes(periods);
    if (perMinute && perMinuteWindow === undefined) {
      const issues = new IssueCollector();
      issues.add(
        `${id}.evaluationPeriods`,
        periods,
        `at most ${perMinute.maxMinutes} minutes (the longest window Azure accepts for a rule evaluated every minute holds no more)`,
      );
      issues.throwIfAny('Invalid alert');
    }
    const window = perMinuteWindow ?? tuned.windowMinutes;
    const failing = perMinute ? 1 : periods;
    return new queryAlert.MonitorScheduledQueryRulesAlertV2(scope, id.replaceAll('/', '-'), {
      name: alarmName(this.environment, id),
      resourceGroupName: this.alertResourceGroup.name,
      location: this.alertResourceGroup.location,
      scopes: [...(tuned.scopes ?? [this.workspaceId])],
      description: AlarmRegistry.describe(tuned),
      displayName: alarmName(this.environment, id),
      severity: AZURE_SEVERITY[tuned.severity],
      evaluationFrequency: isoMinutes(perMinute ? 1 : window),
      windowDuration: isoMinutes(window),
      autoMitigationEnabled: true,
      // The log tables appear only once workloads write to them; validation would refuse the rule until then.
      skipQueryValidation: true,
      criteria: [
        {
          query: perMinute ? perMinute.query(periods) : tuned.query,
          timeAggregationMethod: tuned.measure?.aggregation ?? 'Count',
          operator: tuned.measure?.operator ?? 'GreaterThanOrEqual',
          threshold: tuned.threshold,
          ...(tuned.measure && {
            metricMeasureColumn: tuned.measure.column,
            dimension: tuned.measure.splitBy.map((name) => ({ name, operator: 'Include', values: ['*'] })),
          }),
          failingPeriods: {
            minimumFailingPeriodsToTriggerAlert: failing,
            numberOfEvaluationPeriods: failing,
          },
        },
      ],
      action: { actionGroups: [this.actionGroupId(tuned.severity)] },
    });
  }

  public addActivityLogAlert(
    scope: Construct,
    id: string,
    definition: ActivityLogAlertDefinition,
  ): readonly activityLogAlert.MonitorActivityLogAlert[] {
    const members = definition.operationNames.map((operation) => operation.split('/').pop()!.toLowerCase());
    const issues = new IssueCollector();
    if (members.length === 0) issues.add(`${id}.operationNames`, [], 'at least one operation name');
    members.forEach((member, i) => {
      if (members.indexOf(member) !== i) {
        issues.add(
          `${id}.operationNames[${i}]`,
          definition.operationNames[i],
          'operations whose last segments differ (write, delete, action): they end the alert names',
        );
      }
    });
    issues.throwIfAny('Invalid alert');
    const tuned = this.registry.tune(id, definition);
    if (!tuned) return [];
    return definition.operationNames.map((operationName, i) => {
      const member = definition.operationNames.length > 1 ? members[i] : undefined;
      return new activityLogAlert.MonitorActivityLogAlert(
        scope,
        [id.replaceAll('/', '-'), ...(member ? [member] : [])].join('-'),
        {
          name: alarmName(this.environment, id, member),
          resourceGroupName: this.alertResourceGroup.name,
          // Activity log alerts are global: the Activity Log is not kept in one region.
          location: 'global',
          scopes: [...tuned.scopes],
          description: AlarmRegistry.describe(tuned),
          enabled: true,
          criteria: { category: tuned.category ?? 'Administrative', operationName },
          action: [{ actionGroupId: this.actionGroupId(tuned.severity) }],
        },
      );
    });
  }

  public declareAlarmElsewhere(id: string): void {
    this.registry.declareElsewhere(id);
  }

  /** The markdown header of a workbook: routing, and the alerts switched off with their reasons. */
  protected workbookHeader(): string {
    return this.registry.header();
  }
}

/**
 * The monitoring of one environment on Azure: an action group per severity (the spec's email and webhook
 * receivers), a workbook that other constructs add sections to, the log analysis (Log Analytics workspace,
 * log pattern alerts, saved searches) and the registry through which every other construct adds its
 * default alerts (`IMonitoring`).
 *
 * To add alerts to an environment whose monitoring another app created, import it with
 * {@link Monitoring.fromMonitoringAttributes}.
 */
export class Monitoring extends MonitoringBase {
  /**
   * Imports an environment's existing monitoring (its workspace and action groups, by resource ID) as the
   * `IMonitoring` every construct takes. Nothing is created for the import itself: the alerts the constructs
   * register are created where they ask (named `platform-<env>-<id>`, notifying the imported action group of their
   * severity, tuned by `attrs.alarms`), saved searches go into the imported workspace (under this construct), and
   * workbook sections are dropped, the workbook being the other app's.
   * @param scope where the saved searches go
   * @param id the id of the construct that stands for the imported monitoring
   * @throws SpecError when an ID is not the resource ID of its kind, naming every one that is not
   */
  public static fromMonitoringAttributes(scope: Construct, id: string, attrs: MonitoringAttributes): IMonitoring {
    checkProps('Monitoring.fromMonitoringAttributes', pathUnder(scope, id), attrs, MONITORING_ATTRIBUTES_PROPS);
    return new ImportedMonitoring(scope, id, attrs);
  }

  /** One action group per severity. */
  public readonly actionGroups: Readonly<Record<Severity, actionGroup.MonitorActionGroup>>;
  /** The Log Analytics workspace, saved searches and log pattern alerts. */
  public readonly logAnalysis: LogAnalysis;
  /** The environment workbook. */
  public readonly workbook: workbook.ApplicationInsightsWorkbook;
  /**
   * The action groups' IDs, read once: every read of a provider attribute makes a new token, and cdktf records a
   * stack trace with each (five alerts per service read them).
   */
  private readonly actionGroupIds: Readonly<Record<Severity, string>>;
  private readonly sections: { title: string; items: WorkbookItem[] }[] = [];
  private workspaceIdToken?: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id, monitoringBaseProps(scope, id, props));
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
      ...(props.retainData !== undefined && { retainData: props.retainData }),
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
  }

  /** The Log Analytics workspace's id (read once, like the action groups' IDs: every diagnostic setting names it). */
  public get workspaceId(): string {
    this.workspaceIdToken ??= this.logAnalysis.workspace.id;
    return this.workspaceIdToken;
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
    const header: WorkbookItem = { type: 'text', markdown: this.workbookHeader() };
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

const ACTION_GROUP_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/microsoft\.insights\/actionGroups\/[^/]+$/i;
const WORKSPACE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/** An environment's monitoring that another app created: see {@link Monitoring.fromMonitoringAttributes}. */
class ImportedMonitoring extends MonitoringBase {
  public readonly workspaceId: string;
  private readonly actionGroupIds: Readonly<Record<Severity, string>>;

  constructor(scope: Construct, id: string, attrs: MonitoringAttributes) {
    super(scope, id, {
      environment: attrs.environment,
      // The routing is the other app's; it only heads a workbook, which an import does not have.
      spec: { alarms: attrs.alarms ?? {}, routing: { critical: [], warning: [] } },
      resourceGroup: attrs.resourceGroup,
    });
    const issues = new IssueCollector();
    if (!Token.isUnresolved(attrs.workspaceId) && !WORKSPACE_ID.test(attrs.workspaceId)) {
      issues.add(
        'workspaceId',
        attrs.workspaceId,
        'a Log Analytics workspace resource ID (/subscriptions/.../providers/Microsoft.OperationalInsights/workspaces/<name>)',
      );
    }
    for (const severity of SEVERITIES) {
      const actionGroupId = attrs.actionGroupIds[severity];
      if (!Token.isUnresolved(actionGroupId) && !ACTION_GROUP_ID.test(actionGroupId ?? '')) {
        issues.add(
          `actionGroupIds.${severity}`,
          actionGroupId,
          'an action group resource ID (/subscriptions/.../providers/microsoft.insights/actionGroups/<name>)',
        );
      }
    }
    issues.throwIfAny(`Invalid monitoring attributes (${attrs.environment})`);
    this.workspaceId = attrs.workspaceId;
    this.actionGroupIds = { ...attrs.actionGroupIds };
  }

  public actionGroupId(severity: Severity): string {
    return this.actionGroupIds[severity];
  }

  /** Dropped: the workbook belongs to the app that created the monitoring. */
  public addWorkbookItems(): void {}

  public addSavedSearch(name: string, query: string): void {
    addSavedSearch(this, this.workspaceId, name, query);
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
