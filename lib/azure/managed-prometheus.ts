import * as ruleGroup from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import * as dce from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import * as dcr from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import * as dcrAssociation from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import * as workspace from '@cdktf/provider-azurerm/lib/monitor-workspace';
import { Construct } from 'constructs';
import { checkProps, IssueCollector, makeName, PLATFORM_PREFIX, type PropRules } from '../core';
import type { PrometheusRuleSpec, PrometheusSpec } from '../core/kubernetes';
import { KUBERNETES_PROMETHEUS_ALARMS, kubernetesAlarmId } from '../core/kubernetes-alarms';
import { prometheusDurationProblem, prometheusDurationToIso8601 } from '../core/prometheus-duration';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
  specProp,
} from './construct-props';
import type { IMonitoring, IResourceGroup } from './interfaces';
import type { IKubernetesCluster } from './kubernetes-cluster';
import { locationCodeOf } from './location';
import { AZURE_SEVERITY } from './monitoring';
import { RetainStatefulResources } from './protection';

/**
 * The default alarms realised as Prometheus alert rules (KubeNodeNotReady, KubePodCrashLooping): the spec tunes them
 * when it resolves, and they arrive in `PrometheusSpec.rules`. Declared to the environment's alarm registry, so that a
 * `monitoring.alarms` override of them is accepted here.
 */
export const PROMETHEUS_ALARM_IDS: readonly string[] = KUBERNETES_PROMETHEUS_ALARMS.map(kubernetesAlarmId);

/** The most rules Azure takes in one Prometheus rule group: more rules go to further groups. */
export const PROMETHEUS_RULES_PER_GROUP = 20;

/** How long an alert stays fired after its expression stops returning the series, before Azure resolves it. */
export const PROMETHEUS_TIME_TO_RESOLVE = 'PT10M';

/** The data stream Managed Prometheus sends through its data collection rule. */
export const PROMETHEUS_STREAM = 'Microsoft-PrometheusMetrics';

/** Props of {@link ManagedPrometheus}. */
export interface ManagedPrometheusProps {
  /** The environment's resolved prometheus section: the evaluation interval and the rules. */
  readonly spec: PrometheusSpec;
  /** The environment name; it goes into every resource name (`amw-platform-<env>-<location code>`). */
  readonly environment: string;
  /** The resource group to create the workspace, collection and rules in; its location is theirs. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The cluster whose metrics are collected (its Managed Prometheus add-on on: `monitor_metrics`). */
  readonly cluster: IKubernetesCluster;
  /** The environment's monitoring: each alert rule notifies the action group of its severity. */
  readonly monitoring: IMonitoring;
  /**
   * Give the Azure Monitor workspace `lifecycle.prevent_destroy`, so that no plan destroys its metrics.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const MANAGED_PROMETHEUS_PROPS: PropRules = {
  spec: {
    ...specProp('prometheus'),
    fields: {
      interval: { kind: 'string', allowed: 'a Prometheus duration from 1m to 15m' },
      rules: { kind: 'array', allowed: 'the alert and recording rules' },
    },
  },
  environment: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  cluster: {
    kind: 'object',
    allowed: 'the cluster (a KubernetesCluster): { clusterId, clusterName, location }',
    fields: {
      clusterId: { kind: 'string', allowed: "the cluster's resource ID" },
      clusterName: { kind: 'string', allowed: "the cluster's name" },
      location: { kind: 'string', allowed: "the cluster's location" },
    },
  },
  monitoring: {
    kind: 'object',
    allowed: "the environment's monitoring (a Monitoring, or Monitoring.fromMonitoringAttributes)",
  },
  retainData: RETAIN_DATA_PROP,
};

/** The names of everything Managed Prometheus creates. */
export interface ManagedPrometheusNames {
  /** The Azure Monitor workspace: `amw-platform-<env>-<location code>`. */
  readonly workspace: string;
  /** The data collection endpoint and rule: `MSProm-<location code>-platform-<env>` (the add-on's own prefix). */
  readonly dataCollection: string;
  /** The association of the rule with the cluster: `platform-<env>-prometheus`. */
  readonly association: string;
  /** The rule group of each batch of rules: `platform-<env>-kubernetes`, then `-2`, `-3`, ... */
  readonly ruleGroup: (index: number) => string;
}

/** Names Managed Prometheus's resources, within Azure's limits; pure. */
export function renderManagedPrometheusNames(
  props: Pick<ManagedPrometheusProps, 'environment' | 'resourceGroup' | 'locationCode'>,
): ManagedPrometheusNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  const base = `${PLATFORM_PREFIX}-${props.environment}`;
  return {
    // An Azure Monitor workspace takes 4-44 letters, digits and hyphens (unverified limit), starting with a letter.
    workspace: makeName('azureLogAnalyticsWorkspace', ['amw', PLATFORM_PREFIX, props.environment, ...loc]).slice(0, 44),
    // The add-on's own prefix; at most 10 + 1 + 4 + 1 + 12 characters with an environment name of 12.
    dataCollection: ['MSProm', ...loc, base].join('-'),
    association: `${base}-prometheus`,
    ruleGroup: (index) => (index === 0 ? `${base}-kubernetes` : `${base}-kubernetes-${index + 1}`),
  };
}

/** Maps one rule of the spec to the provider's rule; pure. */
export function renderPrometheusRule(
  rule: PrometheusRuleSpec,
  actionGroupId: (severity: 'critical' | 'warning') => string,
): ruleGroup.MonitorAlertPrometheusRuleGroupRule {
  if (rule.kind === 'record') {
    return {
      record: rule.name,
      expression: rule.expr,
      enabled: true,
      ...(Object.keys(rule.labels).length > 0 && { labels: { ...rule.labels } }),
    };
  }
  return {
    alert: rule.name,
    expression: rule.expr,
    for: prometheusDurationToIso8601(rule.for),
    severity: AZURE_SEVERITY[rule.severity],
    enabled: true,
    // The severity label says where the alert was routed, as the kubernetes-mixin's rules do.
    labels: { ...rule.labels, severity: rule.severity },
    annotations: { ...rule.annotations, summary: rule.summary },
    action: [{ actionGroupId: actionGroupId(rule.severity) }],
    alertResolution: { autoResolved: true, timeToResolve: PROMETHEUS_TIME_TO_RESOLVE },
  };
}

/**
 * Azure Monitor managed service for Prometheus for the environment's cluster: an Azure Monitor workspace that keeps
 * the metrics, the data collection endpoint (in the cluster's region) and rule that route the add-on's
 * `Microsoft-PrometheusMetrics` stream to it, both associated with the cluster (the endpoint as
 * `configurationAccessEndpoint`, which the add-on reads its configuration from), and the spec's rules in Prometheus
 * rule groups bound to the cluster (`cluster_name`, and its ID in the scopes).
 *
 * Each alert rule waits its `for` (as ISO 8601), carries the severity of its Azure alert (critical 1, warning 2), a
 * `severity` label and its summary, notifies the environment's action group of its severity and resolves itself
 * 10 minutes after it stops firing. Recording rules store their series back in the workspace. Rules are evaluated
 * every `spec.interval`, at most 20 to a group.
 *
 * The add-on reaches the endpoint and the workspace over their public endpoints (authenticated with the cluster's
 * identity): a private link scope is not part of this construct.
 *
 * @example
 * new ManagedPrometheus(stack, 'prometheus', {
 *   spec: env.prometheus, environment: env.name, resourceGroup: rg, cluster, monitoring,
 * });
 */
export class ManagedPrometheus extends Construct {
  /** The Azure Monitor workspace keeping the metrics. */
  public readonly workspace: workspace.MonitorWorkspace;
  /** The data collection endpoint the add-on reads its configuration from and sends through. */
  public readonly dataCollectionEndpoint: dce.MonitorDataCollectionEndpoint;
  /** The data collection rule sending the metrics to the workspace. */
  public readonly dataCollectionRule: dcr.MonitorDataCollectionRule;
  /** The rule groups, in the order of the spec's rules. */
  public readonly ruleGroups: readonly ruleGroup.MonitorAlertPrometheusRuleGroup[];
  /** The names of what it creates. */
  public readonly names: ManagedPrometheusNames;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    checkProps('ManagedPrometheus', pathUnder(scope, id), props, MANAGED_PROMETHEUS_PROPS);
    super(scope, id);
    const interval = validateManagedPrometheusProps(pathUnder(scope, id), props);
    const rg = props.resourceGroup;
    const { cluster, monitoring } = props;
    this.names = renderManagedPrometheusNames(props);

    this.workspace = new workspace.MonitorWorkspace(this, 'Resource', {
      name: this.names.workspace,
      location: rg.location,
      resourceGroupName: rg.name,
      // The add-on's pods send over the public ingestion endpoint (with the cluster's identity); a private link
      // scope would be needed to close it.
      publicNetworkAccessEnabled: true,
    });
    RetainStatefulResources.protect(this.workspace, props.retainData);
    const workspaceId = this.workspace.id;

    this.dataCollectionEndpoint = new dce.MonitorDataCollectionEndpoint(this, 'Endpoint', {
      name: this.names.dataCollection,
      resourceGroupName: rg.name,
      // The add-on uses an endpoint in its own cluster's region only.
      location: cluster.location,
      kind: 'Linux',
      description: `Managed Prometheus endpoint of ${PLATFORM_PREFIX}-${props.environment}`,
    });
    const endpointId = this.dataCollectionEndpoint.id;
    const destination = 'MonitoringAccount1';
    this.dataCollectionRule = new dcr.MonitorDataCollectionRule(this, 'CollectionRule', {
      name: this.names.dataCollection,
      resourceGroupName: rg.name,
      location: cluster.location,
      kind: 'Linux',
      dataCollectionEndpointId: endpointId,
      description: 'DCR for Azure Monitor Metrics Profile (Managed Prometheus)',
      destinations: { monitorAccount: [{ monitorAccountId: workspaceId, name: destination }] },
      dataFlow: [{ streams: [PROMETHEUS_STREAM], destinations: [destination] }],
      dataSources: { prometheusForwarder: [{ name: 'PrometheusDataSource', streams: [PROMETHEUS_STREAM] }] },
    });
    new dcrAssociation.MonitorDataCollectionRuleAssociation(this, 'RuleAssociation', {
      name: this.names.association,
      targetResourceId: cluster.clusterId,
      dataCollectionRuleId: this.dataCollectionRule.id,
      description: "Sends the cluster's Prometheus metrics to the environment's Azure Monitor workspace",
    });
    new dcrAssociation.MonitorDataCollectionRuleAssociation(this, 'EndpointAssociation', {
      // Azure requires this name for an endpoint association.
      name: 'configurationAccessEndpoint',
      targetResourceId: cluster.clusterId,
      dataCollectionEndpointId: endpointId,
    });

    const rules = props.spec.rules.map((rule) =>
      renderPrometheusRule(rule, (severity) => monitoring.actionGroupId(severity)),
    );
    const groups: ruleGroup.MonitorAlertPrometheusRuleGroup[] = [];
    for (let i = 0; i * PROMETHEUS_RULES_PER_GROUP < rules.length; i++) {
      groups.push(
        new ruleGroup.MonitorAlertPrometheusRuleGroup(this, i === 0 ? 'Rules' : `Rules-${i + 1}`, {
          name: this.names.ruleGroup(i),
          location: rg.location,
          resourceGroupName: rg.name,
          clusterName: cluster.clusterName,
          // Bound to the cluster's series, as the add-on's own rule groups are.
          scopes: [workspaceId, cluster.clusterId],
          interval,
          ruleGroupEnabled: true,
          description: `Kubernetes alert and recording rules of ${PLATFORM_PREFIX}-${props.environment}`,
          rule: rules.slice(i * PROMETHEUS_RULES_PER_GROUP, (i + 1) * PROMETHEUS_RULES_PER_GROUP),
          dependsOn: [this.dataCollectionRule],
        }),
      );
    }
    this.ruleGroups = groups;

    // Tuned when the spec resolved, and realised above as Prometheus alert rules.
    for (const alarm of PROMETHEUS_ALARM_IDS) monitoring.declareAlarmElsewhere(alarm);
  }

  /** The Azure Monitor workspace's resource ID. */
  public get workspaceId(): string {
    return this.workspace.id;
  }
}

/** Checks the durations Azure takes; returns the group interval as ISO 8601. */
function validateManagedPrometheusProps(path: string, props: ManagedPrometheusProps): string {
  const issues = new IssueCollector();
  const intervalProblem = prometheusDurationProblem(props.spec.interval, {
    minSeconds: 60,
    maxSeconds: 900,
    wholeMinutes: true,
  });
  if (intervalProblem !== undefined) {
    issues.add('spec.interval', props.spec.interval, `${intervalProblem} (the Azure rule group interval)`);
  }
  props.spec.rules.forEach((rule, i) => {
    if (rule.kind !== 'alert') return;
    const problem = prometheusDurationProblem(rule.for);
    if (problem !== undefined) issues.add(`spec.rules[${i}].for`, rule.for, problem);
  });
  issues.throwIfAny(`Invalid ManagedPrometheus props (${path})`);
  return prometheusDurationToIso8601(props.spec.interval);
}
