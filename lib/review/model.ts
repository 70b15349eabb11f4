import type { ChangeAcknowledgement, ChangeRisk } from '../core/change-acknowledgement';

/**
 * What a deployment does to one resource:
 * - `create`, `update` (in place), `destroy`;
 * - `replace`: a new resource is created and the old one deleted (CloudFormation: an immutable property or the
 *   logical ID changed; Terraform: a ForceNew attribute changed);
 * - `may-replace`: replaced depending on a value known only at deploy time (a property CloudFormation replaces
 *   on "some" changes, or an attribute that references a replaced resource);
 * - `orphan`: removed from the stack but kept in the cloud (CloudFormation `DeletionPolicy: Retain`).
 */
export type ChangeAction = 'create' | 'update' | 'replace' | 'may-replace' | 'destroy' | 'orphan';

/** Every {@link ChangeAction}, in the order the review lists them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = [
  'destroy',
  'replace',
  'may-replace',
  'orphan',
  'update',
  'create',
];

/** How a changed property affects its resource. */
export type Replacement = 'never' | 'maybe' | 'always';

/** One changed property (AWS) or attribute (Azure) of a resource. */
export interface PropertyChange {
  /**
   * The property path: `ImageId`, `Tags`, `Metadata` (AWS, top-level property names as CloudFormation and
   * @aws-cdk/cloudformation-diff report them); `ingress.external_enabled`, `os_disk.name` (Azure, nested blocks
   * joined with dots, list indices dropped, as the ForceNew list names them).
   */
  readonly path: string;
  /** Whether changing it replaces the resource. */
  readonly replacement: Replacement;
  /** The old value (absent when the property is new). */
  readonly before?: unknown;
  /** The new value (absent when the property is removed). */
  readonly after?: unknown;
  /**
   * Why it changes although its text did not: `references azurerm_subnet.apps, which is replaced`, `imports
   * platform-dev-foundation:PrivateSubnet1, whose value changes`.
   */
  readonly cause?: string;
  /** Azure: the change is hidden by `lifecycle.ignore_changes`, so Terraform does not apply it. */
  readonly ignored?: boolean;
}

/** The kinds of security-relevant change the review recognizes. */
export type SecurityKind =
  | 'iam-statement'
  | 'managed-policy'
  | 'network-ingress'
  | 'network-egress'
  | 'public-endpoint'
  | 'public-network-access'
  | 'role-assignment'
  | 'key-vault-access';

/** One security-relevant change of a resource. */
export interface SecurityChange {
  /** What kind of access changed. */
  readonly kind: SecurityKind;
  /** True when it widens access (a new allow, a new opening, a wider role); false when it narrows or keeps it. */
  readonly broadened: boolean;
  /**
   * What changed, in words: `allows s3:GetObject on arn:aws:s3:::logs/* to <TaskRole>`, `opens TCP 443 to
   * 0.0.0.0/0 (the internet)`, `ingress becomes external (reachable from the internet)`.
   */
  readonly description: string;
}

/** One acknowledgement the review applied to a change. */
export interface AppliedAcknowledgement extends ChangeAcknowledgement {
  /** Where it was found: the resource's own metadata, or the stack's (for a removed resource). */
  readonly on: 'resource' | 'stack';
}

/** One resource's change in one stack. */
export interface ResourceChange {
  /** The CloudFormation or Terraform stack name. */
  readonly stack: string;
  /** The logical ID (AWS) or Terraform address `type.name` (Azure). */
  readonly id: string;
  /** The CloudFormation resource type or azurerm resource type (the new one when it changed). */
  readonly type: string;
  /** The construct path (`platform-dev/compute/servers/web/Instance-1`), when the output records it. */
  readonly path?: string;
  /** What the deployment does to it. */
  readonly action: ChangeAction;
  /** The resource type holds data (lib/core's stateful types). */
  readonly stateful: boolean;
  /** The change replaces or destroys a stateful resource: what it holds is lost. */
  readonly dataLoss: boolean;
  /** What is lost or kept, in words, when `dataLoss` or the action is `orphan`. */
  readonly consequence?: string;
  /** The changed properties, sorted by path; empty for create, destroy and orphan. */
  readonly properties: readonly PropertyChange[];
  /** The security-relevant changes. */
  readonly security: readonly SecurityChange[];
  /** True when every risk of the change (data loss, broadened access) is acknowledged. */
  readonly acknowledged: boolean;
  /** The acknowledgements that apply to this change. */
  readonly acknowledgements: readonly AppliedAcknowledgement[];
  /** Further facts a reviewer needs: `prevent_destroy is set: terraform apply will fail`, `moved from ...`. */
  readonly notes: readonly string[];
}

/** The risks of a change that are not acknowledged. */
export function unacknowledgedRisks(change: ResourceChange): ChangeRisk[] {
  const acked = new Set(change.acknowledgements.map((a) => a.risk));
  const risks: ChangeRisk[] = [];
  if (change.dataLoss && !acked.has('data-loss')) risks.push('data-loss');
  if (change.security.some((s) => s.broadened) && !acked.has('security')) risks.push('security');
  return risks;
}

/** A reason the deployment would fail, found in the synthesized output. */
export interface Blocker {
  /** The stack whose deployment fails. */
  readonly stack: string;
  /** The resource or export concerned, when there is one. */
  readonly id?: string;
  /** What fails and how to fix it. */
  readonly message: string;
}

/** A change outside `Resources`: an output, export, parameter or condition (AWS), an output or provider (Azure). */
export interface TemplateChange {
  /** The stack name. */
  readonly stack: string;
  /** The template section: `Outputs`, `Parameters`, `Conditions`, `Mappings`, `output`, `provider`, `terraform`. */
  readonly section: string;
  /** The entry's name. */
  readonly id: string;
  /** Added, removed or changed. */
  readonly action: 'create' | 'update' | 'destroy';
}

/** Whether a stack exists on either side. */
export type PresenceStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** One stack's status. */
export interface StackStatus {
  /** The stack name. */
  readonly stack: string;
  /** Added, removed, changed or unchanged. */
  readonly status: PresenceStatus;
}

/** An acknowledgement in the head that matched no change (or only one already acknowledged in the base). */
export interface UnusedAcknowledgement extends ChangeAcknowledgement {
  /** The stack it is in. */
  readonly stack: string;
  /** The resource it names (logical ID or address). */
  readonly id: string;
  /** Why it did not count. */
  readonly why: string;
}

/** Azure: a resource whose only changes are hidden by `lifecycle.ignore_changes`: Terraform applies nothing. */
export interface IgnoredChange {
  /** The stack name. */
  readonly stack: string;
  /** The Terraform address. */
  readonly id: string;
  /** The attribute paths whose change is ignored. */
  readonly paths: readonly string[];
}

/** The review of one environment on one cloud. */
export interface EnvironmentReview {
  /** The environment name. */
  readonly environment: string;
  /** The cloud. */
  readonly cloud: 'aws' | 'azure';
  /** Whether the environment exists on either side. */
  readonly status: PresenceStatus;
  /** Every stack of the environment on either side, in name order. */
  readonly stacks: readonly StackStatus[];
  /** Resource changes, by stack, then action (destroy first), then ID. */
  readonly changes: readonly ResourceChange[];
  /** Changes outside the resources. */
  readonly templateChanges: readonly TemplateChange[];
  /** Reasons the deployment would fail. */
  readonly blockers: readonly Blocker[];
  /** Acknowledgements in the head that did not apply to any change. */
  readonly unusedAcknowledgements: readonly UnusedAcknowledgement[];
  /** Resources whose changes Terraform ignores (Azure), so a reviewer knows the code and the cloud now differ. */
  readonly ignored: readonly IgnoredChange[];
}

/** One side of a review: what was synthesized, from where. */
export interface ReviewSide {
  /** What the user asked for: a git ref, `working tree`, a folder, an environment name. */
  readonly label: string;
  /** The commit, when the side is a git commit. */
  readonly commit?: string;
}

/** A whole review. */
export interface Review {
  /** The side the changes are measured from. */
  readonly base: ReviewSide;
  /** The side the changes lead to. */
  readonly head: ReviewSide;
  /**
   * `change`: what deploying the head over the base does. `between`: what one environment has that another does
   * not (names and values that differ by design normalized away); no gate.
   */
  readonly mode: 'change' | 'between';
  /** Every environment and cloud reviewed, in environment order, AWS before Azure. */
  readonly environments: readonly EnvironmentReview[];
}

/** Counts of one environment and cloud, for the summary table. */
export interface ReviewCounts {
  readonly created: number;
  readonly updated: number;
  readonly replaced: number;
  readonly destroyed: number;
  readonly orphaned: number;
  readonly dataLoss: number;
  readonly security: number;
  readonly unacknowledged: number;
  readonly blockers: number;
}

/** The counts of one environment review (`replaced` includes may-replace). */
export function countChanges(env: EnvironmentReview): ReviewCounts {
  const count = (predicate: (c: ResourceChange) => boolean): number => env.changes.filter(predicate).length;
  return {
    created: count((c) => c.action === 'create'),
    updated: count((c) => c.action === 'update'),
    replaced: count((c) => c.action === 'replace' || c.action === 'may-replace'),
    destroyed: count((c) => c.action === 'destroy'),
    orphaned: count((c) => c.action === 'orphan'),
    dataLoss: count((c) => c.dataLoss),
    security: count((c) => c.security.some((s) => s.broadened)),
    unacknowledged: count((c) => unacknowledgedRisks(c).length > 0),
    blockers: env.blockers.length,
  };
}

/** Exit codes of `npm run review`. */
export const REVIEW_EXIT = {
  /** No unacknowledged risk. */
  ok: 0,
  /** The review could not run. */
  error: 1,
  /** An unacknowledged data-loss or security-broadening change, or a change that cannot deploy. */
  risk: 2,
} as const;

/** The exit code a review earns: 2 for any unacknowledged risk or blocker in a `change` review, else 0. */
export function exitCodeOf(review: Review): number {
  if (review.mode === 'between') return REVIEW_EXIT.ok;
  const risky = review.environments.some(
    (e) => e.blockers.length > 0 || e.changes.some((c) => unacknowledgedRisks(c).length > 0),
  );
  return risky ? REVIEW_EXIT.risk : REVIEW_EXIT.ok;
}

/** A change as a cloud's differ finds it, before acknowledgements are applied (lib/review/acknowledgements.ts). */
export type DraftChange = Omit<ResourceChange, 'acknowledged' | 'acknowledgements'>;

/** Acknowledgements found in one side's output: stack name, then resource ID, then what was found. */
export type AcknowledgementIndex = ReadonlyMap<string, ReadonlyMap<string, readonly AppliedAcknowledgement[]>>;

/** What a cloud's differ returns for one environment. */
export interface EnvironmentDiff {
  /** Every stack on either side, with its status. */
  readonly stacks: readonly StackStatus[];
  /** Resource changes, unordered, without acknowledgements. */
  readonly changes: readonly DraftChange[];
  /** Changes outside the resources. */
  readonly templateChanges: readonly TemplateChange[];
  /** Reasons the deployment would fail. */
  readonly blockers: readonly Blocker[];
  /** Resources whose only changes are ignored (Azure `ignore_changes`); empty on AWS. */
  readonly ignored: readonly IgnoredChange[];
  /** The acknowledgements the head carries. */
  readonly headAcknowledgements: AcknowledgementIndex;
  /** The acknowledgements the base carries (one that is already there does not approve a new change). */
  readonly baseAcknowledgements: AcknowledgementIndex;
}

/** Options every cloud's differ takes. */
export interface DiffOptions {
  /**
   * The whole environment is new in the head: everything is created, and nothing that exists can be broadened,
   * so no security change counts as broadening.
   */
  readonly newEnvironment: boolean;
}
