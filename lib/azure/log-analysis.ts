import * as savedSearch from '@cdktf/provider-azurerm/lib/log-analytics-saved-search';
import * as workspace from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkProps,
  describeLogPatternAlarm,
  KQL_PLATFORM_LOGS,
  makeName,
  PLATFORM_PREFIX,
  renderKqlFilter,
  renderKqlQueries,
  type LogPattern,
  type MonitoringSpec,
  type PropRules,
} from '../core';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  MONITORING_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
} from './construct-props';
import type { IMonitoring, IResourceGroup } from './interfaces';
import { protectionOf, RetainStatefulResources } from './protection';

/** Props of {@link LogAnalysis}. */
export interface LogAnalysisProps {
  /** The environment name. */
  readonly name: string;
  /** The resource group for the workspace. */
  readonly resourceGroup: IResourceGroup;
  /** Short code of the location used in the workspace name. @default - no location code */
  readonly locationCode?: string;
  /** The log patterns to alert on. */
  readonly patterns: readonly LogPattern[];
  /**
   * Days the workspace keeps records, one of the spec's LOG_RETENTION_DAYS.
   * @default - the tier of the stack (`protectionOf(this).logRetentionDays`): 365 in production, 30 in development
   */
  readonly retentionDays?: MonitoringSpec['logRetentionDays'];
  /**
   * Give the workspace `lifecycle.prevent_destroy`, so that no plan destroys or replaces it with its logs.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
  /** Where the pattern alerts and the workbook section go. */
  readonly monitoring: IMonitoring;
}

const LOG_ANALYSIS_PROPS: PropRules = {
  name: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  patterns: { kind: 'array', allowed: "the log patterns to alert on (the spec's monitoring.logPatterns)" },
  retentionDays: {
    kind: 'number',
    optional: true,
    allowed: "days the workspace keeps records (one of the spec's LOG_RETENTION_DAYS)",
  },
  retainData: RETAIN_DATA_PROP,
  monitoring: { ...MONITORING_PROP, optional: false },
};

/**
 * Log analysis on Azure: the environment's Log Analytics workspace (retention from the spec or the stack's tier,
 * kept on destroy where the tier retains data, Entra ID access only), a log alert per log pattern, and saved searches (lines per pattern by source, slowest
 * requests, top clients) in category `platform`.
 */
export class LogAnalysis extends Construct {
  /** The workspace every resource sends its diagnostics, and every workload its logs, to. */
  public readonly workspace: workspace.LogAnalyticsWorkspace;
  private readonly workspaceName: string;

  constructor(scope: Construct, id: string, props: LogAnalysisProps) {
    checkProps('LogAnalysis', pathUnder(scope, id), props, LOG_ANALYSIS_PROPS);
    super(scope, id);
    this.workspaceName = makeName('azureLogAnalyticsWorkspace', [
      'log',
      PLATFORM_PREFIX,
      props.name,
      ...(props.locationCode ? [props.locationCode] : []),
    ]);
    this.workspace = new workspace.LogAnalyticsWorkspace(this, 'workspace', {
      name: this.workspaceName,
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      sku: 'PerGB2018',
      // Read when the stack is synthesized, so that the stack may state its tier after creating this construct.
      retentionInDays: props.retentionDays ?? Lazy.numberValue({ produce: () => protectionOf(this).logRetentionDays }),
      localAuthenticationEnabled: false,
    });
    RetainStatefulResources.protect(this.workspace, props.retainData);

    for (const pattern of props.patterns) {
      props.monitoring.addLogAlert(this, `logs/${pattern.name}`, {
        query: `${KQL_PLATFORM_LOGS} ${renderKqlFilter(pattern.match)}`,
        scopes: [this.workspace.id],
        threshold: pattern.threshold,
        windowMinutes: pattern.windowMinutes,
        severity: pattern.severity,
        description: ({ threshold }) => describeLogPatternAlarm(pattern, threshold),
        firstResponse: `Run the saved search ${pattern.name}-by-source in the workspace ${this.workspaceName} to see which source logs them.`,
      });
    }
    const queries = renderKqlQueries(props.patterns);
    for (const { name, query } of queries) this.addSavedSearch(name, query);
    props.monitoring.addWorkbookItems(
      'Logs',
      ...queries.map((q) => ({
        type: 'query' as const,
        title: q.name,
        query: q.query,
        visualization: 'table' as const,
      })),
    );
  }

  /** Saves a KQL search in the workspace, in category `platform`. */
  public addSavedSearch(name: string, query: string): void {
    addSavedSearch(this, this.workspace.id, name, query);
  }
}

/**
 * Saves a KQL search in a workspace: `platform-<name>`, in category `platform`, with the id `search-<name>` in
 * `scope` (so a name is saved once per scope).
 */
export function addSavedSearch(
  scope: Construct,
  workspaceId: string,
  name: string,
  query: string,
): savedSearch.LogAnalyticsSavedSearch {
  return new savedSearch.LogAnalyticsSavedSearch(scope, `search-${name}`, {
    name: `${PLATFORM_PREFIX}-${name}`,
    category: PLATFORM_PREFIX,
    displayName: name,
    logAnalyticsWorkspaceId: workspaceId,
    query,
  });
}
