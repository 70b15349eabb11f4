import { CHANGE_ACTIONS, type ChangeAction, type EnvironmentReview } from '../review/model';
import { compare } from '../review/aws-template';
import { kebabCase, type EdgeKind, type GraphResource, type ResourceGraph } from '../review/resource-graph';
import { nodeCategory } from './icons';
import type { Diagram, DiagramEdge, DiagramNode, NodeChange } from './model';

/** Options of {@link buildDiagram}. */
export interface DiagramOptions {
  /** With `--base`: the review of this environment and cloud, to colour the nodes by change. @default no colours */
  readonly review?: EnvironmentReview;
  /** The base's graph, where destroyed resources are found (drawn as ghosts). @default no ghosts */
  readonly base?: ResourceGraph;
  /** Members of a group alike (same types, same references) are collapsed into one node from this many. @default 3 */
  readonly collapseAt?: number;
}

/** Groups whose members are drawn one node each (a server, a service): the others are one node per group. */
const COLLECTIONS: ReadonlySet<string> = new Set(['servers', 'services', 'jobs', 'checks']);

/** Members of a collection group that are the group's own helpers, not members. */
const NOT_MEMBERS: ReadonlySet<string> = new Set(['Policy', 'DefaultPolicy', 'Resource', 'ServiceRole']);

/**
 * Resource types that support another resource and are folded into its node as a count: alarms, log filters and
 * queries, policies and role assignments, associations, rules, routes, parameters, subscriptions, diagnostics.
 */
const AUXILIARY =
  /^AWS::(CloudWatch::Alarm|Logs::(MetricFilter|QueryDefinition)|IAM::(Policy|ManagedPolicy|InstanceProfile)|S3::BucketPolicy|SNS::(TopicPolicy|Subscription)|SSM::(Parameter|Association)|EC2::(SecurityGroupIngress|SecurityGroupEgress|Route|SubnetRouteTableAssociation|VPCGatewayAttachment)|ApplicationAutoScaling::|KMS::Alias|WAFv2::(WebACLAssociation|LoggingConfiguration)|CDK::Metadata)|^azurerm_(monitor_(metric_alert|scheduled_query_rules_alert_v2|activity_log_alert|diagnostic_setting|data_collection_rule_association)|role_assignment|.*_association|network_security_rule|log_analytics_saved_search|maintenance_assignment_virtual_machine|virtual_machine_extension)/;

/** Alarm types: their references (to topics and action groups) are not drawn. */
const ALARM =
  /^AWS::CloudWatch::Alarm$|^azurerm_monitor_(metric_alert|scheduled_query_rules_alert_v2|activity_log_alert)$/;

/** The order groups are drawn in; others follow by name. */
const GROUP_ORDER = [
  'network',
  'monitoring',
  'audit-trail',
  'backup',
  'backup-copy',
  'patching',
  'servers',
  'containers',
  'services',
  'jobs',
  'checks',
  'kubernetes',
  'prometheus',
  'platform-environment',
  'delivery-checks',
  'resource-group',
  'internal',
];

/** Whether a resource type is folded into its node's counts rather than drawn. */
export function isAuxiliary(type: string): boolean {
  return AUXILIARY.test(type);
}

/** The short name a folded type is counted under: `Alarm`, `monitor_metric_alert`. */
function shortType(type: string): string {
  return type.startsWith('azurerm_') ? type.slice('azurerm_'.length) : (type.split('::').pop() ?? type);
}

/** The component a resource belongs to: its group, or `group/member` in a collection group. */
function componentOf(resource: Pick<GraphResource, 'group' | 'member'>): string {
  const { group, member } = resource;
  if (!COLLECTIONS.has(group) || member === undefined || NOT_MEMBERS.has(member)) return group;
  return `${group}/${member}`;
}

interface Component {
  readonly name: string;
  readonly group: string;
  readonly member?: string;
  readonly keys: string[];
  readonly types: string[];
  change?: NodeChange;
  dataLoss: boolean;
  broadened: boolean;
  ghost: boolean;
}

/** How severe an action is for a node's colour: the review's order (destroy first). */
function severity(action: NodeChange): number {
  return action === 'ghost' ? -1 : CHANGE_ACTIONS.indexOf(action);
}

/**
 * The diagram of one environment on one cloud: one node per group (network, monitoring, backup ...) and per member
 * of the collection groups (a server, a service, a job, a check), the supporting resources (alarms, policies,
 * associations ...) folded into their node as counts, members alike collapsed into one node (`services ×98`), and
 * the references between resources folded into one edge per pair of nodes. Edges into Azure's resource group are
 * left out: every resource is in it. With a review, each node carries its most severe change, and what only the
 * base has is drawn as a ghost.
 */
export function buildDiagram(graph: ResourceGraph, options: DiagramOptions = {}): Diagram {
  const collapseAt = options.collapseAt ?? 3;
  const changes = new Map<string, { action: ChangeAction; dataLoss: boolean; broadened: boolean }>();
  for (const change of options.review?.changes ?? []) {
    const key = `${change.stack}/${change.id}`;
    changes.set(key, {
      action: change.action,
      dataLoss: change.dataLoss,
      broadened: change.security.some((s) => s.broadened),
    });
  }
  const components = new Map<string, Component>();
  const componentOfKey = new Map<string, string>();
  const add = (resource: GraphResource, fromBase: boolean): void => {
    const name = componentOf(resource);
    let component = components.get(name);
    if (!component) {
      component = {
        name,
        group: resource.group,
        ...(name.includes('/') ? { member: name.slice(name.indexOf('/') + 1) } : {}),
        keys: [],
        types: [],
        dataLoss: false,
        broadened: false,
        ghost: fromBase,
      };
      components.set(name, component);
    }
    if (!fromBase) component.ghost = false;
    component.keys.push(resource.key);
    component.types.push(resource.type);
    componentOfKey.set(resource.key, name);
    const change = changes.get(resource.key);
    if (change) {
      if (component.change === undefined || severity(change.action) < severity(component.change))
        component.change = change.action;
      component.dataLoss ||= change.dataLoss;
      component.broadened ||= change.broadened;
    }
  };
  const head = new Set(graph.resources.map((r) => r.key));
  for (const resource of graph.resources) add(resource, false);
  // What the deployment destroys is only in the base: drawn from there.
  const destroyed = (options.base?.resources ?? []).filter((r) => !head.has(r.key) && changes.has(r.key));
  for (const resource of destroyed) add(resource, true);
  for (const component of components.values()) if (component.ghost) component.change = 'ghost';

  // Component-level references: from the head, and the destroyed resources' from the base.
  const pairs = new Map<string, { from: string; to: string; kinds: Set<EdgeKind>; count: number }>();
  const baseEdges = (options.base?.edges ?? []).filter((e) => !head.has(e.from) || !head.has(e.to));
  const types = new Map([...(options.base?.resources ?? []), ...graph.resources].map((r) => [r.key, r.type]));
  for (const edge of [...graph.edges, ...baseEdges]) {
    // An alarm's reference to where it is routed is in the alarm table: drawn, every node would point at monitoring.
    if (ALARM.test(types.get(edge.from) ?? '')) continue;
    const from = componentOfKey.get(edge.from);
    const to = componentOfKey.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    if (components.get(to)?.group === 'resource-group') continue;
    const id = `${from}\u0000${to}`;
    const pair = pairs.get(id) ?? { from, to, kinds: new Set<EdgeKind>(), count: 0 };
    pair.kinds.add(edge.kind);
    pair.count += 1;
    pairs.set(id, pair);
  }

  // Collapse alike members: same types, same references out of the member, no change.
  const collapsedInto = new Map<string, string>();
  const buckets = new Map<string, Component[]>();
  for (const component of components.values()) {
    if (component.member === undefined || component.change !== undefined) continue;
    // A reference to another member counts as one to its group: a check of each service, each pointing at its own
    // service, is alike.
    const targets = [
      ...new Set(
        [...pairs.values()]
          .filter((p) => p.from === component.name || p.to === component.name)
          .map((p) => (p.from === component.name ? `to:${p.to}` : `from:${p.from}`))
          .map((end) => (end.includes('/') ? `${end.slice(0, end.indexOf('/'))}/*` : end)),
      ),
    ].sort(compare);
    const signature = [component.group, [...component.types].sort(compare).join(','), targets.join(',')].join('|');
    buckets.set(signature, [...(buckets.get(signature) ?? []), component]);
  }
  const nodes = new Map<string, DiagramNode>();
  const usedIds = new Set<string>();
  const nodeId = (name: string): string => {
    const base = `n-${kebabCase(name.replace(/\//g, '-')) || 'node'}`;
    let id = base;
    for (let i = 2; usedIds.has(id); i++) id = `${base}-${i}`;
    usedIds.add(id);
    return id;
  };
  const bucketList = [...buckets.values()].filter((b) => b.length >= collapseAt);
  for (const bucket of bucketList) {
    const members = bucket.map((c) => c.member!).sort(compare);
    const name = `${bucket[0]!.group}/×${members[0]}`;
    const keys = bucket.flatMap((c) => c.keys).sort(compare);
    const types = bucket.flatMap((c) => c.types);
    nodes.set(name, {
      id: nodeId(`${bucket[0]!.group}-${members[0]}-x${bucket.length}`),
      group: bucket[0]!.group,
      label: `${bucket[0]!.group} ×${bucket.length}`,
      category: nodeCategory(bucket[0]!.group, primaryTypes(types)),
      resources: keys,
      repeated: bucket.length,
      members,
      folded: foldedCounts(types),
      dataLoss: false,
      broadened: false,
    });
    for (const component of bucket) collapsedInto.set(component.name, name);
  }
  for (const component of [...components.values()].sort((a, b) => compare(a.name, b.name))) {
    if (collapsedInto.has(component.name)) continue;
    nodes.set(component.name, {
      id: nodeId(component.name),
      group: component.group,
      label: component.member ?? component.group,
      category: nodeCategory(component.group, primaryTypes(component.types)),
      resources: [...component.keys].sort(compare),
      repeated: 1,
      members: component.member === undefined ? [] : [component.member],
      folded: foldedCounts(component.types),
      ...(component.change === undefined ? {} : { change: component.change }),
      dataLoss: component.dataLoss,
      broadened: component.broadened,
    });
  }

  const edges = new Map<string, DiagramEdge>();
  for (const pair of pairs.values()) {
    const from = nodes.get(collapsedInto.get(pair.from) ?? pair.from);
    const to = nodes.get(collapsedInto.get(pair.to) ?? pair.to);
    if (!from || !to || from === to) continue;
    const id = `${from.id}\u0000${to.id}`;
    const kind = edgeKind(pair.kinds);
    const before = edges.get(id);
    edges.set(id, { from: from.id, to: to.id, kind: before?.kind ?? kind, count: (before?.count ?? 0) + pair.count });
  }

  const groups = new Map<string, DiagramNode[]>();
  for (const node of nodes.values()) groups.set(node.group, [...(groups.get(node.group) ?? []), node]);
  const order = (name: string): number => {
    const index = GROUP_ORDER.indexOf(name);
    return index === -1 ? GROUP_ORDER.length : index;
  };
  return {
    environment: graph.environment,
    cloud: graph.cloud,
    groups: [...groups.entries()]
      .sort(([a], [b]) => order(a) - order(b) || compare(a, b))
      .map(([name, members]) => ({ name, nodes: members.sort((a, b) => compare(a.id, b.id)) })),
    edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)),
  };
}

/** The edge kind a folded edge is drawn as: an import when any reference crosses stacks, else the first. */
function edgeKind(kinds: ReadonlySet<EdgeKind>): EdgeKind {
  for (const kind of ['import', 'ref', 'interpolation', 'depends-on'] as const) if (kinds.has(kind)) return kind;
  return 'ref';
}

function primaryTypes(types: readonly string[]): string[] {
  return types.filter((t) => !isAuxiliary(t));
}

function foldedCounts(types: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of [...types].sort(compare)) {
    if (!isAuxiliary(type)) continue;
    const name = shortType(type);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** How many nodes a diagram has. */
export function nodeCount(diagram: Diagram): number {
  return diagram.groups.reduce((sum, group) => sum + group.nodes.length, 0);
}
