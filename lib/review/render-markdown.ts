import {
  countChanges,
  exitCodeOf,
  unacknowledgedRisks,
  type EnvironmentReview,
  type ResourceChange,
  type Review,
} from './model';
import {
  describeProperty,
  groupIdentical,
  plural,
  resourceLabel,
  resourceName,
  shownSecurity,
  stackHeading,
  riskLines,
  sideLabel,
  totalsOf,
  verbOf,
} from './render-common';
import { renderMermaid, type ReviewGraphs } from './render-mermaid';

/** GitHub's limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65536;

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * The repository the comment belongs to (`owner/name`), written into the hidden marker so a workflow finds and
   * updates its own comment in place.
   */
  readonly repository: string;
  /**
   * The most characters one comment may hold.
   * @default GITHUB_COMMENT_LIMIT
   */
  readonly limit?: number;
  /**
   * Each environment's resource graphs on both sides, by `<environment>/<cloud>`: with them, every environment's
   * details start with a small Mermaid diagram of the changed resources and their references (GitHub renders it).
   * @default no diagrams
   */
  readonly graphs?: ReadonlyMap<string, ReviewGraphs>;
}

/** The hidden marker that starts every part of the review comment: `<!-- platform-constructs-review owner/name part 1 -->`. */
export function commentMarker(repository: string, part: number): string {
  return `<!-- platform-constructs-review ${repository} part ${part} -->`;
}

const ICONS: Readonly<Record<ResourceChange['action'], string>> = {
  create: '🟢',
  update: '🔵',
  replace: '🟠',
  'may-replace': '🟠',
  destroy: '🔴',
  orphan: '🟡',
};

/**
 * The review as sticky pull-request comments: the destructive warning at the very top, the summary table per
 * environment and cloud, the verdict, then the details in `<details>` blocks (environments with identical changes
 * collapsed into one). Returns one comment, or several when the text exceeds the limit: split between blocks (a
 * block too large alone is split between its changes), never inside the summary, each part with its own marker.
 */
export function renderMarkdown(review: Review, options: MarkdownOptions): string[] {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const head = headerMarkdown(review);
  const blocks = groupIdentical(review).flatMap((group) => detailBlocks(review, group, options.graphs));
  // Room for the marker and the "part n of m" line of each part.
  const reserve = commentMarker(options.repository, 99).length + 80;
  const parts: string[][] = [[head]];
  let size = head.length;
  for (const block of blocks.flatMap((b) => splitBlock(b, limit - reserve))) {
    if (size + block.length + 2 > limit - reserve) {
      parts.push([]);
      size = 0;
    }
    parts[parts.length - 1]!.push(block);
    size += block.length + 2;
  }
  return parts.map((blocksOfPart, i) => {
    const continued = i === 0 ? [] : [`_Review continued: part ${i + 1} of ${parts.length}._`];
    return `${[commentMarker(options.repository, i + 1), ...continued, ...blocksOfPart].join('\n\n')}\n`;
  });
}

function headerMarkdown(review: Review): string {
  const between = review.mode === 'between';
  const out: string[] = [];
  const risks = between ? [] : riskLines(review);
  if (risks.length > 0) {
    out.push(
      [
        '> [!CAUTION]',
        ...risks.map(
          (r) =>
            `> **${r.risk === 'data-loss' ? 'Data loss' : r.risk === 'security' ? 'Broadened access' : 'Deployment fails'}**: ${r.text}`,
        ),
      ].join('\n'),
    );
  }
  out.push(
    between
      ? `### What \`${review.head.label}\` has that \`${review.base.label}\` does not`
      : `### Synthesized changes: \`${sideLabel(review.base)}\` → \`${sideLabel(review.head)}\``,
  );
  if (between) {
    out.push(
      `Names, accounts and addresses that differ between the environments by design are normalized; what remains is what ${review.head.label} gets that ${review.base.label} never tested.`,
    );
  }
  const header = between
    ? ['environment', 'cloud', `only in ${review.head.label}`, 'differ', `only in ${review.base.label}`]
    : ['environment', 'cloud', 'created', 'updated', 'replaced', 'destroyed', 'data loss', 'security'];
  const rows = review.environments.map((env) => {
    const c = countChanges(env);
    const name =
      env.status === 'added' || env.status === 'removed' ? `${env.environment} (${env.status})` : env.environment;
    if (between) return [name, env.cloud, `${c.created}`, `${c.updated + c.replaced}`, `${c.destroyed + c.orphaned}`];
    return [
      name,
      env.cloud,
      `${c.created}`,
      `${c.updated}`,
      `${c.replaced}`,
      `${c.destroyed + c.orphaned}${c.orphaned > 0 ? ` (${c.orphaned} kept)` : ''}`,
      c.dataLoss > 0 ? `⚠️ **${c.dataLoss}**` : '0',
      c.security > 0 ? `⚠️ **${c.security}**` : '0',
    ];
  });
  out.push(
    [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n'),
  );
  out.push(verdictMarkdown(review));
  return out.join('\n\n');
}

function verdictMarkdown(review: Review): string {
  if (review.mode === 'between') return '_Environment comparison: no verdict._';
  const totals = totalsOf(review);
  if (totals.changes === 0 && totals.blockers === 0) return '✅ **No change** in the synthesized output.';
  if (exitCodeOf(review) === 0) {
    return `✅ **No unacknowledged risk** in ${plural(totals.changes, 'change')}${totals.acknowledged > 0 ? `; ${plural(totals.acknowledged, 'change')} acknowledged in code (shown below)` : ''}.`;
  }
  return `❌ **${plural(totals.unacknowledged, 'unacknowledged risky change')}${totals.blockers > 0 ? ` and ${plural(totals.blockers, 'deployment failure')}` : ''}**: the check fails until each risk is fixed or acknowledged next to its resource with \`acknowledgeChange\` (docs/review.md); a deployment failure can only be fixed.`;
}

/** The details of one group of identical environments: one block, or one per stack when it is long. */
function detailBlocks(
  review: Review,
  group: readonly EnvironmentReview[],
  graphs?: ReadonlyMap<string, ReviewGraphs>,
): string[] {
  const between = review.mode === 'between';
  const env = group[0]!;
  const c = countChanges(env);
  const title = `${group.map((e) => e.environment).join(', ')} · ${env.cloud}`;
  const facts = between
    ? [`${c.created} only here`, `${c.updated + c.replaced} differ`, `${c.destroyed + c.orphaned} missing`]
    : [
        ...(c.created > 0 ? [`${c.created} created`] : []),
        ...(c.updated > 0 ? [`${c.updated} updated`] : []),
        ...(c.replaced > 0 ? [`${c.replaced} replaced`] : []),
        ...(c.destroyed > 0 ? [`${c.destroyed} destroyed`] : []),
        ...(c.orphaned > 0 ? [`${c.orphaned} kept (orphaned)`] : []),
        ...(c.dataLoss > 0 ? [`**${c.dataLoss} data loss**`] : []),
        ...(c.security > 0 ? [`**${c.security} widen access**`] : []),
      ];
  const body: string[] = [];
  const grouped = group.length > 1;
  if (grouped) body.push(`_The same in each environment but for its name; shown for ${env.environment}._`);
  const diagram = between || !graphs ? undefined : renderMermaid(env, graphs.get(`${env.environment}/${env.cloud}`));
  if (diagram) body.push(`\`\`\`mermaid\n${diagram}\n\`\`\``);
  for (const b of env.blockers) {
    body.push(`> [!WARNING]\n> **Deployment fails** (${b.stack}${b.id ? ` \`${b.id}\`` : ''}): ${b.message}`);
  }
  let stack: string | undefined;
  for (const change of env.changes) {
    if (change.stack !== stack) {
      stack = change.stack;
      const status = env.stacks.find((s) => s.stack === stack)?.status;
      body.push(
        `**${stackHeading(stack, env.environment, grouped)}**${status === 'added' || status === 'removed' ? ` (stack ${status})` : ''}`,
      );
    }
    body.push(changeMarkdown(review, change));
  }
  if (env.templateChanges.length > 0) {
    body.push(
      [
        '**Outside the resources**',
        ...env.templateChanges.map(
          (t) =>
            `- ${t.stack}: ${t.section} \`${t.id}\` ${t.action === 'create' ? 'added' : t.action === 'destroy' ? 'removed' : 'changed'}`,
        ),
      ].join('\n'),
    );
  }
  if (env.ignored.length > 0) {
    body.push(
      [
        '**Changed in the code, ignored by Terraform** (`lifecycle.ignore_changes`)',
        ...env.ignored.map((i) => `- \`${i.id}\`: ${i.paths.map((p) => `\`${p}\``).join(', ')}`),
      ].join('\n'),
    );
  }
  if (env.unusedAcknowledgements.length > 0) {
    body.push(
      [
        '**Acknowledgements that approve nothing here**',
        ...env.unusedAcknowledgements.map((u) => `- \`${u.id}\` (${u.stack}, ${u.risk}): ${u.why}`),
      ].join('\n'),
    );
  }
  const open = c.dataLoss + c.security + env.blockers.length > 0 && !between ? ' open' : '';
  return [
    `<details${open}><summary><b>${title}</b>: ${facts.join(', ') || 'no resource change'}</summary>\n\n${body.join('\n\n')}\n\n</details>`,
  ];
}

function changeMarkdown(review: Review, change: ResourceChange): string {
  const between = review.mode === 'between';
  const verb = verbOf(change, review);
  const label = resourceLabel(change);
  const lines = [
    `- ${ICONS[change.action]} **${verb}** \`${resourceName(change)}\`${label !== change.id ? ` ${escapeMarkdown(label)}` : ''}`,
  ];
  const risks = unacknowledgedRisks(change);
  if (change.consequence && !between) {
    const tag = change.dataLoss ? (risks.includes('data-loss') ? '**Data loss**' : 'Data loss (acknowledged)') : 'Kept';
    lines.push(`  - ${tag}: ${escapeMarkdown(change.consequence)}`);
  }
  for (const s of shownSecurity(change)) {
    const tag = !s.broadened
      ? 'Access'
      : risks.includes('security')
        ? '**Widens access**'
        : 'Widens access (acknowledged)';
    lines.push(`  - ${tag}: ${escapeMarkdown(s.description)}`);
  }
  for (const p of change.properties) lines.push(`  - \`${escapeCode(describeProperty(p, '→', between))}\``);
  for (const n of change.notes) lines.push(`  - ${escapeMarkdown(n)}`);
  for (const a of change.acknowledgements) lines.push(`  - ✅ Acknowledged (${a.risk}): “${escapeMarkdown(a.reason)}”`);
  return lines.join('\n');
}

/**
 * Splits a block that is too large for one comment between its changes, each piece a `<details>` of its own
 * (marked "continued"), so no change is cut in half.
 */
function splitBlock(block: string, max: number): string[] {
  if (block.length <= max) return [block];
  const open = block.indexOf('\n\n');
  const close = block.lastIndexOf('\n\n</details>');
  const summary = block.slice(0, open);
  const items = block.slice(open + 2, close).split(/\n\n(?=- |\*\*|> )/);
  const pieces: string[] = [];
  let current: string[] = [];
  let size = summary.length + 20;
  const flush = (): void => {
    if (current.length === 0) return;
    const head = pieces.length === 0 ? summary : summary.replace('</summary>', ' (continued)</summary>');
    pieces.push(`${head}\n\n${current.join('\n\n')}\n\n</details>`);
    current = [];
    size = summary.length + 20;
  };
  for (const item of items) {
    const piece =
      item.length > max - summary.length - 40
        ? `${item.slice(0, max - summary.length - 80)}\n  - … (cut: too long for one comment)`
        : item;
    if (size + piece.length + 2 > max) flush();
    current.push(piece);
    size += piece.length + 2;
  }
  flush();
  return pieces;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([<>])/g, '\\$1');
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}
