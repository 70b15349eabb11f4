import { CHANGE_STYLES, GROUP_FILL, MUTED_TEXT, TEXT, type ChangeStyleKey } from '../review/palette';
import type { Diagram, DiagramNode } from './model';

/** The file name a node's glyph is given to Graphviz as (replaced by an inline symbol afterwards). */
export function glyphFile(category: string): string {
  return `glyph-${category}.svg`;
}

/** The prefix of every id of a diagram's SVG: two diagrams share a page. */
export function idPrefix(diagram: Pick<Diagram, 'environment' | 'cloud'>): string {
  return `${diagram.environment}-${diagram.cloud}-`.replace(/[^A-Za-z0-9-]/g, '-');
}

/** Escapes text for an HTML-like label or a quoted DOT string. */
function escapeLabel(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The style key of a node: its change, or unchanged. */
export function styleKey(node: DiagramNode): ChangeStyleKey {
  return node.change ?? 'unchanged';
}

/** The folded counts in words: `Alarm 12 · Policy 2`. */
export function foldedText(node: DiagramNode): string {
  return Object.entries(node.folded)
    .map(([type, count]) => `${type} ${count}`)
    .join(' · ');
}

const ALARM_TYPES = /^(Alarm|monitor_metric_alert|monitor_scheduled_query_rules_alert_v2|monitor_activity_log_alert)$/;

/** The folded counts in short: `12 alarms · 5 supporting`, for the node's label (the full counts are in the table). */
export function foldedSummary(node: DiagramNode): string {
  let alarms = 0;
  let other = 0;
  for (const [type, count] of Object.entries(node.folded)) {
    if (ALARM_TYPES.test(type)) alarms += count;
    else other += count;
  }
  return [alarms > 0 ? `${alarms} alarm${alarms === 1 ? '' : 's'}` : '', other > 0 ? `${other} supporting` : '']
    .filter(Boolean)
    .join(' · ');
}

function nodeLabel(node: DiagramNode): string {
  const style = CHANGE_STYLES[styleKey(node)];
  const title = `${style.tag ? `${style.tag} ` : ''}${node.label}`;
  const rows = [
    `<TR><TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18"><IMG SRC="${glyphFile(node.category)}"/></TD>` +
      `<TD ALIGN="LEFT"><B>${escapeLabel(title)}</B></TD></TR>`,
  ];
  const folded = foldedSummary(node);
  const detail = [node.category, folded].filter(Boolean).join(' · ');
  rows.push(
    `<TR><TD></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="${MUTED_TEXT}">${escapeLabel(detail)}</FONT></TD></TR>`,
  );
  const risks = [node.dataLoss ? '⚠ loses data' : '', node.broadened ? '⚠ widens access' : ''].filter(Boolean);
  if (risks.length > 0) {
    rows.push(
      `<TR><TD></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="10"><B>${escapeLabel(risks.join(' · '))}</B></FONT></TD></TR>`,
    );
  }
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">${rows.join('')}</TABLE>>`;
}

/**
 * The Graphviz source of a diagram: one cluster per group, one node per diagram node (its glyph, label, category,
 * folded counts, and the change's tag, colours and risks), one edge per pair (dashed for `depends-on`). Every
 * graph, cluster, node and edge has an explicit id with {@link idPrefix}, so the SVG's ids are unique on a page.
 */
export function toDot(diagram: Diagram): string {
  const prefix = idPrefix(diagram);
  const lines = [
    `digraph ${quote(`${diagram.environment} on ${diagram.cloud}`)} {`,
    `  id=${quote(`${prefix}graph`)};`,
    '  rankdir=LR; newrank=true; ranksep=0.5; nodesep=0.18; bgcolor="transparent"; pad=0.1;',
    `  fontname="Helvetica"; fontsize=12; fontcolor="${TEXT}";`,
    `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, fontcolor="${TEXT}", margin="0.08,0.04"];`,
    `  edge [color="${CHANGE_STYLES.unchanged.stroke}", arrowsize=0.6, penwidth=0.8];`,
  ];
  diagram.groups.forEach((group, index) => {
    lines.push(`  subgraph ${quote(`cluster_${index}`)} {`);
    lines.push(`    id=${quote(`${prefix}group-${index}`)}; label=${quote(group.name)}; labeljust="l";`);
    lines.push(`    style="rounded,filled"; fillcolor="${GROUP_FILL}"; color="${CHANGE_STYLES.unchanged.stroke}";`);
    for (const node of group.nodes) {
      const style = CHANGE_STYLES[styleKey(node)];
      const styles = ['rounded', 'filled', ...(style.dashed ? ['dashed'] : [])].join(',');
      const width = node.change === 'replace' || node.dataLoss || node.broadened ? 2.2 : 1;
      lines.push(
        `    ${quote(node.id)} [id=${quote(`${prefix}${node.id}`)}, class=${quote(`change-${styleKey(node)}`)}, ` +
          `style=${quote(styles)}, fillcolor="${style.fill}", color="${style.stroke}", fontcolor="${style.text}", ` +
          `penwidth=${width}, label=${nodeLabel(node)}];`,
      );
    }
    lines.push('  }');
  });
  diagram.edges.forEach((edge, index) => {
    const style = edge.kind === 'depends-on' ? ', style="dashed"' : '';
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [id=${quote(`${prefix}edge-${index}`)}${style}];`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
