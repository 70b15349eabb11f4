import type { ChangeRisk } from '../core/change-acknowledgement';
import {
  countChanges,
  unacknowledgedRisks,
  type ChangeAction,
  type EnvironmentReview,
  type PropertyChange,
  type ResourceChange,
  type Review,
} from './model';

/** How each action reads in a review of a change. */
export const ACTION_WORDS: Readonly<Record<ChangeAction, string>> = {
  create: 'create',
  update: 'update',
  replace: 'replace',
  'may-replace': 'may replace',
  destroy: 'destroy',
  orphan: 'orphan',
};

/**
 * The verb of a change as the review reads it: `replace`; or, comparing two environments, `only in prod`,
 * `differs`, `only in staging`.
 */
export function verbOf(change: ResourceChange, review: Review): string {
  if (review.mode !== 'between') return ACTION_WORDS[change.action];
  if (change.action === 'create') return `only in ${review.head.label}`;
  if (change.action === 'destroy' || change.action === 'orphan') return `only in ${review.base.label}`;
  return 'differs';
}

/** Words for a risk, for the verdict lines. */
export const RISK_WORDS: Readonly<Record<ChangeRisk, string>> = {
  'data-loss': 'data loss',
  security: 'broadened access',
};

/** The longest value shown inline; longer ones are cut with their length said. */
const MAX_VALUE = 120;

/** Characters of context kept on each side of the part two long strings differ in. */
const CONTEXT = 24;

/** A property value for a reviewer: compact JSON, cut at 120 characters with the full length said. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE
    ? `${text.slice(0, MAX_VALUE - 1)}… (${text.length.toLocaleString('en-US')} chars)`
    : text;
}

/**
 * Two values as a reviewer compares them. Long values (as JSON) that share a beginning and an end show the part
 * that differs with a little context on each side (`…above 90% for…` → `…above 80% for…`), so the change is
 * visible however long the value is.
 */
export function formatChange(before: unknown, after: unknown, arrow: string): string {
  if (before !== undefined && after !== undefined) {
    const a = JSON.stringify(before) ?? String(before);
    const b = JSON.stringify(after) ?? String(after);
    if (a.length > MAX_VALUE || b.length > MAX_VALUE) {
      let start = 0;
      while (start < a.length && start < b.length && a[start] === b[start]) start++;
      let end = 0;
      while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
      const window = (text: string): string => {
        const from = Math.max(0, start - CONTEXT);
        const to = Math.min(text.length, text.length - end + CONTEXT);
        const middle = text.slice(from, to);
        const cut = middle.length > MAX_VALUE ? `${middle.slice(0, MAX_VALUE - 1)}…` : middle;
        return `${from > 0 ? '…' : ''}${cut}${to < text.length && !cut.endsWith('…') ? '…' : ''}`;
      };
      return `${window(a)} ${arrow} ${window(b)} (${a.length.toLocaleString('en-US')} → ${b.length.toLocaleString('en-US')} chars)`;
    }
  }
  return `${formatValue(before)} ${arrow} ${formatValue(after)}`;
}

/** What a changed property does: `forces replacement`, `may force replacement`, or nothing. */
export function replacementWords(property: PropertyChange): string {
  if (property.ignored) return 'ignored by lifecycle.ignore_changes: Terraform does not apply it';
  return property.replacement === 'always'
    ? 'forces replacement'
    : property.replacement === 'maybe'
      ? 'may force replacement'
      : '';
}

/**
 * `ImageId: "ami-1" → "ami-2" (forces replacement)`. A property whose text is the same on both sides changes
 * because of what it references: `SubnetId: {"Fn::ImportValue":"..."} (forces replacement; its value changes:
 * imports ..., whose value changes)`.
 */
export function describeProperty(property: PropertyChange, arrow = '→', between = false): string {
  const same = property.before !== undefined && JSON.stringify(property.before) === JSON.stringify(property.after);
  const notes = [
    between ? '' : replacementWords(property),
    property.cause && (same ? `its value changes: ${property.cause}` : property.cause),
  ].filter((n): n is string => !!n);
  const values =
    property.before === undefined && property.after === undefined
      ? ''
      : same
        ? `: ${formatValue(property.before)}`
        : `: ${formatChange(property.before, property.after, arrow)}`;
  return `${property.path}${values}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/**
 * The resource as a reviewer reads it: the construct path after the stage and stack, without the `Resource` or
 * `Default` child that only holds the L1 (`compute/Servers/web/Instance1`), else the ID.
 */
export function resourceLabel(change: ResourceChange): string {
  if (!change.path) return change.id;
  const parts = change.path.split('/');
  // AWS paths start with the stage, then the stack's id (platform-dev/compute/...); Azure's with the stack.
  const skip = change.id.includes('.') ? 1 : 2;
  const local = parts.slice(skip);
  while (local.length > 1 && (local[local.length - 1] === 'Resource' || local[local.length - 1] === 'Default'))
    local.pop();
  return local.join('/') || change.path;
}

/** The ID and type as one reviewer-facing name: a Terraform address already carries its type. */
export function resourceName(change: ResourceChange): string {
  return change.id.startsWith(`${change.type}.`) ? change.id : `${change.type} ${change.id}`;
}

/**
 * The security changes worth a line in the text and comment: every one that widens access, and those that narrow
 * it on a resource that stays (on a created or deleted resource, "allows" or "no longer allows" follows from the
 * action). JSON keeps them all.
 */
export function shownSecurity(change: ResourceChange): ResourceChange['security'] {
  const stays = change.action === 'update' || change.action === 'replace' || change.action === 'may-replace';
  return change.security.filter((s) => s.broadened || stays);
}

/** A stack's name as a heading; in a group of environments, the environment's name becomes `{env}`. */
export function stackHeading(stack: string, environment: string, grouped: boolean): string {
  if (!grouped) return stack;
  return stack.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(environment)}(?![A-Za-z0-9])`, 'g'), '{env}');
}

/** Totals over a whole review, for the verdict. */
export interface ReviewTotals {
  readonly changes: number;
  readonly dataLoss: number;
  readonly security: number;
  readonly unacknowledged: number;
  readonly blockers: number;
  readonly acknowledged: number;
}

/** Adds up every environment's counts. */
export function totalsOf(review: Review): ReviewTotals {
  let changes = 0;
  let dataLoss = 0;
  let security = 0;
  let unacknowledged = 0;
  let blockers = 0;
  let acknowledged = 0;
  for (const env of review.environments) {
    const counts = countChanges(env);
    changes += env.changes.length;
    dataLoss += counts.dataLoss;
    security += counts.security;
    unacknowledged += counts.unacknowledged;
    blockers += counts.blockers;
    acknowledged += env.changes.filter((c) => c.acknowledgements.length > 0).length;
  }
  return { changes, dataLoss, security, unacknowledged, blockers, acknowledged };
}

/** One sentence per unacknowledged risk kind: which environments and clouds carry it. */
export function riskLines(review: Review): { risk: 'data-loss' | 'security' | 'blocker'; text: string }[] {
  const where = (predicate: (env: EnvironmentReview) => number): { count: number; places: string } => {
    const places: string[] = [];
    let count = 0;
    for (const env of review.environments) {
      const n = predicate(env);
      if (n > 0) {
        count += n;
        places.push(`${env.environment} (${env.cloud})`);
      }
    }
    return { count, places: places.join(', ') };
  };
  const lines: { risk: 'data-loss' | 'security' | 'blocker'; text: string }[] = [];
  const loss = where((e) => e.changes.filter((c) => unacknowledgedRisks(c).includes('data-loss')).length);
  if (loss.count > 0) {
    lines.push({
      risk: 'data-loss',
      text: `${plural(loss.count, 'change')} replace or destroy resources that hold data, not acknowledged: ${loss.places}.`,
    });
  }
  const wider = where((e) => e.changes.filter((c) => unacknowledgedRisks(c).includes('security')).length);
  if (wider.count > 0) {
    lines.push({
      risk: 'security',
      text: `${plural(wider.count, 'change')} widen access, not acknowledged: ${wider.places}.`,
    });
  }
  const blocked = where((e) => e.blockers.length);
  if (blocked.count > 0) {
    lines.push({
      risk: 'blocker',
      text: `${plural(blocked.count, 'problem')} would make the deployment fail: ${blocked.places}.`,
    });
  }
  return lines;
}

/** `1 change`, `3 changes`. */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `abc1234` for a commit, with the label when it says more: `main (abc1234)`. */
export function sideLabel(side: { readonly label: string; readonly commit?: string }): string {
  if (!side.commit) return side.label;
  const short = side.commit.slice(0, 7);
  return side.label === side.commit || side.label === short ? short : `${side.label} (${short})`;
}

/**
 * Environments whose changes are the same but for the environment's name, grouped, so a change made to every
 * environment reads once: `dev, staging, prod · aws`. Unchanged environments are left out.
 */
export function groupIdentical(review: Review): EnvironmentReview[][] {
  const groups = new Map<string, EnvironmentReview[]>();
  for (const env of review.environments) {
    if (!hasContent(env)) continue;
    const key = `${env.cloud}\0${signature(env)}`;
    const group = groups.get(key);
    if (group) group.push(env);
    else groups.set(key, [env]);
  }
  return [...groups.values()];
}

/** True when there is anything to show for an environment. */
export function hasContent(env: EnvironmentReview): boolean {
  return (
    env.changes.length +
      env.templateChanges.length +
      env.blockers.length +
      env.unusedAcknowledgements.length +
      env.ignored.length >
    0
  );
}

function signature(env: EnvironmentReview): string {
  const { environment, cloud, ...rest } = env;
  const pattern = new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(environment)}(?![A-Za-z0-9])`, 'g');
  return `${cloud}\0${JSON.stringify(rest).replace(pattern, '\u0000env\u0000')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
