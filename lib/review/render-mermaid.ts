import { compare } from './aws-template';
import type { ChangeAction, EnvironmentReview, ResourceChange } from './model';
import { CHANGE_STYLES } from './palette';
import { resourceLabel } from './render-common';
import type { ResourceGraph } from './resource-graph';

/** The graphs of one environment and cloud on both sides of a review, for {@link renderMermaid}. */
export interface ReviewGraphs {
  /** The head's graph: where created, updated and replaced resources are. */
  readonly head?: ResourceGraph;
  /** The base's graph: where destroyed resources were. */
  readonly base?: ResourceGraph;
}

/** Options of {@link renderMermaid}. */
export interface MermaidOptions {
  /** Above this many changed resources, one node per group with counts. @default 40 */
  readonly maxNodes?: number;
  /** Above this many characters, one node per group with counts. @default 8000 */
  readonly maxChars?: number;
}

/**
 * GitHub renders at most 50,000 characters and 500 edges per Mermaid diagram (Mermaid's maxTextSize and maxEdges);
 * the comment keeps each diagram far below, so a large change never turns into an error box.
 */
export const MERMAID_LIMITS = { chars: 50_000, edges: 500 } as const;

const SHORT: Readonly<Record<ChangeAction, string>> = {
  create: 'create',
  update: 'update',
  replace: 'replace',
  'may-replace': 'mayreplace',
  destroy: 'destroy',
  orphan: 'orphan',
};

/** Text for a quoted Mermaid label: quotes and angle brackets as Mermaid's entity codes. */
export function mermaidText(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function shortType(type: string): string {
  return type.startsWith('azurerm_') ? type.slice('azurerm_'.length) : type.replace(/^AWS::/, '');
}

function classDefs(actions: ReadonlySet<ChangeAction>): string[] {
  return [...actions].sort(compare).map((action) => {
    const style = CHANGE_STYLES[action];
    return `  classDef ${SHORT[action]} fill:${style.fill},stroke:${style.stroke},color:${style.text}${style.dashed ? ',stroke-dasharray:5 3' : ''}`;
  });
}

/**
 * A small Mermaid flowchart of what a review changes in one environment on one cloud, for the pull-request comment:
 * one node per changed resource (tag, type, name; data loss and widened access marked), in a subgraph per
 * construct group, with the references between changed resources (from the head, and for destroyed ones from the
 * base), coloured like the report. When the change is large, one node per group with its counts instead. Undefined
 * when nothing changes.
 */
export function renderMermaid(
  env: EnvironmentReview,
  graphs: ReviewGraphs = {},
  options: MermaidOptions = {},
): string | undefined {
  const changes = env.changes;
  if (changes.length === 0) return undefined;
  const maxNodes = options.maxNodes ?? 40;
  const maxChars = options.maxChars ?? 8000;
  const placed = new Map<string, string>();
  for (const graph of [graphs.base, graphs.head]) {
    for (const r of graph?.resources ?? []) placed.set(r.key, r.group);
  }
  const keyOf = (c: ResourceChange): string => `${c.stack}/${c.id}`;
  const groupOf = (c: ResourceChange): string => placed.get(keyOf(c)) ?? c.stack;
  const detailed = changes.length <= maxNodes ? detailedChart(changes, graphs, groupOf, keyOf) : undefined;
  if (detailed !== undefined && detailed.length <= maxChars) return detailed;
  return groupChart(changes, groupOf);
}

function detailedChart(
  changes: readonly ResourceChange[],
  graphs: ReviewGraphs,
  groupOf: (c: ResourceChange) => string,
  keyOf: (c: ResourceChange) => string,
): string {
  const ids = new Map<string, string>();
  changes.forEach((c, i) => ids.set(keyOf(c), `n${i + 1}`));
  const groups = new Map<string, ResourceChange[]>();
  for (const change of changes) groups.set(groupOf(change), [...(groups.get(groupOf(change)) ?? []), change]);
  const lines = ['flowchart LR'];
  [...groups.keys()].sort(compare).forEach((group, g) => {
    lines.push(`  subgraph g${g + 1}["${mermaidText(group)}"]`);
    for (const change of groups.get(group)!) {
      const style = CHANGE_STYLES[change.action];
      const marks = [
        change.dataLoss ? '⚠ loses data' : '',
        change.security.some((s) => s.broadened) ? '⚠ widens access' : '',
      ].filter(Boolean);
      const label = `${style.tag} ${shortType(change.type)} ${resourceLabel(change)}${marks.length ? ` · ${marks.join(' · ')}` : ''}`;
      lines.push(`    ${ids.get(keyOf(change))}["${mermaidText(label)}"]:::${SHORT[change.action]}`);
    }
    lines.push('  end');
  });
  const edges = new Set<string>();
  const destroyed = new Set(changes.filter((c) => c.action === 'destroy').map(keyOf));
  for (const [graph, fromBase] of [
    [graphs.head, false],
    [graphs.base, true],
  ] as const) {
    for (const edge of graph?.edges ?? []) {
      // Destroyed resources' references come from the base, every other's from the head.
      if (destroyed.has(edge.from) !== fromBase) continue;
      const from = ids.get(edge.from);
      const to = ids.get(edge.to);
      if (from && to && from !== to) edges.add(`  ${from} --> ${to}`);
      if (edges.size >= MERMAID_LIMITS.edges / 5) break;
    }
  }
  lines.push(...[...edges].sort(compare));
  lines.push(...classDefs(new Set(changes.map((c) => c.action))));
  return lines.join('\n');
}

function groupChart(changes: readonly ResourceChange[], groupOf: (c: ResourceChange) => string): string {
  const groups = new Map<string, ResourceChange[]>();
  for (const change of changes) groups.set(groupOf(change), [...(groups.get(groupOf(change)) ?? []), change]);
  const lines = ['flowchart LR'];
  const used = new Set<ChangeAction>();
  [...groups.keys()].sort(compare).forEach((group, g) => {
    const members = groups.get(group)!;
    const counts = new Map<ChangeAction, number>();
    for (const c of members) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
    // The node takes the style of its most severe change (destroy first, as the review lists them).
    const order: ChangeAction[] = ['destroy', 'replace', 'may-replace', 'orphan', 'update', 'create'];
    const worst = order.find((a) => counts.has(a))!;
    used.add(worst);
    const text = order
      .filter((a) => counts.has(a))
      .map((a) => `${counts.get(a)} ${CHANGE_STYLES[a].legend}`)
      .join(', ');
    const loss = members.filter((c) => c.dataLoss).length;
    const access = members.filter((c) => c.security.some((s) => s.broadened)).length;
    const marks = [loss ? `⚠ ${loss} lose data` : '', access ? `⚠ ${access} widen access` : ''].filter(Boolean);
    lines.push(
      `  g${g + 1}["${mermaidText(`${group}: ${text}${marks.length ? ` · ${marks.join(' · ')}` : ''}`)}"]:::${SHORT[worst]}`,
    );
  });
  lines.push(...classDefs(used));
  return lines.join('\n');
}
