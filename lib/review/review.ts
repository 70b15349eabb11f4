import { applyAcknowledgements } from './acknowledgements';
import { diffAwsEnvironment } from './aws-diff';
import { diffAzureEnvironment } from './azure-diff';
import {
  CHANGE_ACTIONS,
  type DiffOptions,
  type DraftChange,
  type EnvironmentDiff,
  type EnvironmentReview,
  type PresenceStatus,
  type ResourceChange,
  type Review,
  type ReviewSide,
} from './model';
import type { SynthesizedStack } from './outputs';

/** A cloud the review compares. */
export type ReviewCloud = 'aws' | 'azure';

/** One side's synthesized stacks, and what they were synthesized from. */
export interface ReviewInputSide extends ReviewSide {
  /** Every stack read back from the side's cdk.out/ and cdktf.out/. */
  readonly stacks: readonly SynthesizedStack[];
}

/** Options of {@link reviewChanges}. */
export interface ReviewOptions {
  /**
   * Only these environments.
   * @default - every environment on either side
   */
  readonly environments?: readonly string[];
  /**
   * Only these clouds.
   * @default - both
   */
  readonly clouds?: readonly ReviewCloud[];
  /**
   * The order to list environments in (the deployment order); environments not named follow in name order.
   * @default - the order they first appear in the head, then in the base
   */
  readonly order?: readonly string[];
}

const DIFFERS: Record<
  ReviewCloud,
  (
    environment: string,
    base: readonly SynthesizedStack[],
    head: readonly SynthesizedStack[],
    options: DiffOptions,
  ) => EnvironmentDiff
> = { aws: diffAwsEnvironment, azure: diffAzureEnvironment };

/**
 * Reviews what deploying the head over the base does, per environment and cloud: every resource created, updated,
 * replaced or destroyed, which of them lose data, which widen access, and what would make the deployment fail.
 */
export function reviewChanges(base: ReviewInputSide, head: ReviewInputSide, options: ReviewOptions = {}): Review {
  const clouds = options.clouds ?? ['aws', 'azure'];
  const selected = (s: SynthesizedStack): boolean =>
    clouds.includes(s.cloud) && (options.environments === undefined || options.environments.includes(s.environment));
  const baseStacks = base.stacks.filter(selected);
  const headStacks = head.stacks.filter(selected);
  const names = environmentOrder([...headStacks, ...baseStacks], options.order);

  const environments: EnvironmentReview[] = [];
  for (const environment of names) {
    for (const cloud of clouds) {
      const before = baseStacks.filter((s) => s.environment === environment && s.cloud === cloud);
      const after = headStacks.filter((s) => s.environment === environment && s.cloud === cloud);
      if (before.length === 0 && after.length === 0) continue;
      const diff = DIFFERS[cloud](environment, before, after, { newEnvironment: before.length === 0 });
      environments.push(toEnvironmentReview(environment, cloud, presence(before, after, diff), diff));
    }
  }
  return {
    base: { label: base.label, ...(base.commit !== undefined && { commit: base.commit }) },
    head: { label: head.label, ...(head.commit !== undefined && { commit: head.commit }) },
    mode: 'change',
    environments,
  };
}

/** Whether an environment exists on either side, and whether anything in it changes. */
function presence(
  before: readonly SynthesizedStack[],
  after: readonly SynthesizedStack[],
  diff: EnvironmentDiff,
): PresenceStatus {
  if (before.length === 0) return 'added';
  if (after.length === 0) return 'removed';
  return diff.stacks.every((s) => s.status === 'unchanged') ? 'unchanged' : 'changed';
}

/** Applies the acknowledgements and puts the changes in review order. */
export function toEnvironmentReview(
  environment: string,
  cloud: ReviewCloud,
  status: PresenceStatus,
  diff: EnvironmentDiff,
): EnvironmentReview {
  const removedStacks = new Set(diff.stacks.filter((s) => s.status === 'removed').map((s) => s.stack));
  const drafts = diff.changes.map((c) => (removedStacks.has(c.stack) ? leftTheApp(c, cloud) : c));
  const { changes, unused } = applyAcknowledgements(drafts, diff.headAcknowledgements, diff.baseAcknowledgements);
  return {
    environment,
    cloud,
    status,
    stacks: [...diff.stacks].sort((a, b) => compare(a.stack, b.stack)),
    changes: changes.sort(byReviewOrder),
    templateChanges: [...diff.templateChanges].sort((a, b) => compare(a.stack, b.stack) || compare(a.id, b.id)),
    blockers: [...diff.blockers],
    unusedAcknowledgements: unused,
    ignored: [...diff.ignored].sort((a, b) => compare(a.stack, b.stack) || compare(a.id, b.id)),
  };
}

/**
 * A resource of a stack that leaves the app: deploying deletes nothing (neither `cdk deploy` nor the Terraform of
 * the other stacks touches it), so nothing is lost by this change; the loss comes only when someone deletes the
 * stack, and the review says so, without a gate that no acknowledgement could pass (the head has no stack left to
 * carry one).
 */
function leftTheApp(change: DraftChange, cloud: ReviewCloud): DraftChange {
  if (!change.dataLoss) return change;
  const note =
    cloud === 'azure'
      ? `${change.stack} is no longer in the app: nothing applies its Terraform any more, so this happens only when someone runs terraform destroy on its state.`
      : undefined;
  return {
    ...change,
    dataLoss: false,
    ...(change.consequence && {
      consequence: `When the stack is deleted: ${change.consequence.charAt(0).toLowerCase()}${change.consequence.slice(1)}`,
    }),
    notes: note && !change.notes.includes(note) ? [...change.notes, note] : change.notes,
  };
}

/** Stack, then the most destructive action first, then ID. */
export function byReviewOrder(a: ResourceChange, b: ResourceChange): number {
  return (
    compare(a.stack, b.stack) ||
    CHANGE_ACTIONS.indexOf(a.action) - CHANGE_ACTIONS.indexOf(b.action) ||
    compare(a.id, b.id)
  );
}

function environmentOrder(stacks: readonly SynthesizedStack[], order: readonly string[] = []): string[] {
  const seen: string[] = [];
  for (const s of stacks) if (!seen.includes(s.environment)) seen.push(s.environment);
  const known = order.filter((name) => seen.includes(name));
  const rest = seen.filter((name) => !order.includes(name));
  return [...known, ...(order.length > 0 ? rest.sort(compare) : rest)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
