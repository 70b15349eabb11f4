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

/** Options of {@link renderText}. */
export interface TextOptions {
  /**
   * Colour with ANSI escapes (only when writing to a terminal).
   * @default false
   */
  readonly colour?: boolean;
}

type Paint = (code: string, text: string) => string;

const CODES = { red: '31', green: '32', yellow: '33', cyan: '36', bold: '1', dim: '2' } as const;

/**
 * The review for a terminal: the verdict first, then per environment and cloud every change with its properties,
 * consequences, security changes and acknowledgements. Colour only when asked (on a TTY).
 */
export function renderText(review: Review, options: TextOptions = {}): string {
  const paint: Paint = options.colour ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  const between = review.mode === 'between';
  const lines: string[] = [];
  lines.push(
    paint(
      CODES.bold,
      between
        ? `What ${review.head.label} has that ${review.base.label} does not (names and values that differ by design normalized)`
        : `Review: ${sideLabel(review.base)} -> ${sideLabel(review.head)}`,
    ),
  );
  lines.push('');
  for (const env of review.environments) {
    const counts = countChanges(env);
    const parts = between
      ? [
          `${counts.created} only in ${review.head.label}`,
          `${counts.updated + counts.replaced} differ`,
          `${counts.destroyed + counts.orphaned} only in ${review.base.label}`,
        ]
      : [
          `${counts.created} created`,
          `${counts.updated} updated`,
          `${counts.replaced} replaced`,
          `${counts.destroyed} destroyed`,
          ...(counts.orphaned > 0 ? [`${counts.orphaned} orphaned`] : []),
          counts.dataLoss > 0 ? paint(CODES.red, `${counts.dataLoss} data loss`) : '0 data loss',
          counts.security > 0 ? paint(CODES.yellow, `${counts.security} security`) : '0 security',
        ];
    const status = env.status === 'unchanged' ? 'no change' : env.status === 'changed' ? '' : `${env.status}: `;
    lines.push(
      `  ${env.environment.padEnd(10)} ${env.cloud.padEnd(6)} ${status}${env.status === 'unchanged' ? '' : parts.join(', ')}`,
    );
  }
  for (const group of groupIdentical(review)) {
    const env = group[0]!;
    lines.push('');
    lines.push(paint(CODES.bold, `${group.map((e) => e.environment).join(', ')} · ${env.cloud}`));
    if (group.length > 1) lines.push(`  (the same in each environment but for its name; shown for ${env.environment})`);
    lines.push(...environmentLines(review, env, paint, group.length > 1));
  }
  lines.push('');
  lines.push(...verdictLines(review, paint));
  return `${lines.join('\n')}\n`;
}

function environmentLines(review: Review, env: EnvironmentReview, paint: Paint, grouped: boolean): string[] {
  const lines: string[] = [];
  for (const blocker of env.blockers) {
    lines.push(
      `  ${paint(CODES.red, 'DEPLOY FAILS')} ${blocker.stack}${blocker.id ? ` ${blocker.id}` : ''}: ${blocker.message}`,
    );
  }
  let stack: string | undefined;
  for (const change of env.changes) {
    if (change.stack !== stack) {
      stack = change.stack;
      const status = env.stacks.find((s) => s.stack === stack)?.status;
      lines.push(
        `  ${stackHeading(stack, env.environment, grouped)}${status === 'added' || status === 'removed' ? ` (stack ${status})` : ''}`,
      );
    }
    lines.push(...changeLines(review, change, paint));
  }
  for (const t of env.templateChanges) {
    lines.push(
      `  ${t.stack}: ${t.section} ${t.id} ${t.action === 'create' ? 'added' : t.action === 'destroy' ? 'removed' : 'changed'}`,
    );
  }
  for (const i of env.ignored) {
    lines.push(
      `  ${paint(CODES.dim, `ignored ${i.id}`)}: ${i.paths.join(', ')} changed in the code, but lifecycle.ignore_changes keeps Terraform from applying it`,
    );
  }
  for (const u of env.unusedAcknowledgements) {
    lines.push(`  unused acknowledgement (${u.risk}) on ${u.stack} ${u.id}: ${u.why}`);
  }
  return lines;
}

function changeLines(review: Review, change: ResourceChange, paint: Paint): string[] {
  const between = review.mode === 'between';
  const colour =
    change.action === 'create'
      ? CODES.green
      : change.action === 'update'
        ? CODES.cyan
        : change.action === 'orphan'
          ? CODES.yellow
          : CODES.red;
  const verb = verbOf(change, review);
  const risks = between ? [] : unacknowledgedRisks(change);
  const flags = [
    ...(change.dataLoss && !between
      ? [paint(CODES.red, risks.includes('data-loss') ? 'DATA LOSS' : 'data loss (acknowledged)')]
      : []),
    ...(change.security.some((s) => s.broadened) && !between
      ? [paint(CODES.yellow, risks.includes('security') ? 'SECURITY' : 'security (acknowledged)')]
      : []),
  ];
  const label = resourceLabel(change);
  const lines = [
    `    ${paint(colour, verb.padEnd(between ? 16 : 11))} ${resourceName(change)}${label !== change.id ? ` (${label})` : ''}${flags.length > 0 ? `  ${flags.join(' ')}` : ''}`,
  ];
  for (const p of change.properties) lines.push(`        ${describeProperty(p, '->', between)}`);
  if (change.consequence && !between) lines.push(`        ${change.consequence}`);
  for (const s of shownSecurity(change))
    lines.push(`        ${s.broadened ? 'widens access' : 'access'}: ${s.description}`);
  for (const n of change.notes) lines.push(`        note: ${n}`);
  for (const a of change.acknowledgements) lines.push(`        acknowledged (${a.risk}): ${a.reason}`);
  return lines;
}

function verdictLines(review: Review, paint: Paint): string[] {
  if (review.mode === 'between') return ['Environment comparison only: no verdict, exit 0.'];
  const totals = totalsOf(review);
  const code = exitCodeOf(review);
  if (totals.changes === 0 && totals.blockers === 0)
    return [paint(CODES.green, 'No change in the synthesized output (exit 0).')];
  if (code === 0) {
    return [
      paint(
        CODES.green,
        `No unacknowledged risk in ${plural(totals.changes, 'change')}${totals.acknowledged > 0 ? ` (${plural(totals.acknowledged, 'acknowledged change')})` : ''} (exit 0).`,
      ),
    ];
  }
  return [
    ...riskLines(review).map((l) => paint(CODES.red, l.text)),
    paint(
      CODES.red,
      'Exit 2: fix each risk, or acknowledge it next to its resource with acknowledgeChange (docs/review.md); a deployment failure can only be fixed.',
    ),
  ];
}
