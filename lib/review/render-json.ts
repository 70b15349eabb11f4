import type { BreakingChange } from './breaking';
import { countChanges, exitCodeOf, type Review, type ReviewCounts } from './model';
import { totalsOf, type ReviewTotals } from './render-common';

/** The version of the JSON shape; it changes only when a field is removed or changes meaning. */
export const REVIEW_JSON_VERSION = 1;

/** The JSON document `npm run review -- --format json` writes (lib/review/review.schema.json describes it). */
export interface ReviewJson extends Review {
  /** {@link REVIEW_JSON_VERSION}. */
  readonly schemaVersion: number;
  /** The exit code the review ends with: 0, or 2 for an unacknowledged risk or a deployment failure. */
  readonly exitCode: number;
  /** Totals over every environment and cloud. */
  readonly summary: ReviewTotals;
  /** Counts per environment and cloud, in the order of `environments`. */
  readonly counts: readonly (ReviewCounts & { readonly environment: string; readonly cloud: string })[];
  /**
   * What the change breaks for application teams, when the review compared a base ref with the working tree.
   * @default - not compared
   */
  readonly breaking?: readonly BreakingChange[];
}

/** Options of {@link renderJson}. */
export interface RenderJsonOptions {
  /**
   * What the change breaks for application teams (`classifyBreaking`).
   * @default - the document has no `breaking` field
   */
  readonly breaking?: readonly BreakingChange[];
}

/**
 * The review as a stable JSON document for other tools: `{ schemaVersion, mode, base, head, exitCode, summary,
 * counts, environments: [{ environment, cloud, status, stacks, changes: [{ stack, id, type, path, action,
 * stateful, dataLoss, consequence, properties, security, acknowledged, acknowledgements, notes }], templateChanges,
 * blockers, unusedAcknowledgements, ignored }] }`. Property values are kept whole.
 */
export function renderJson(review: Review, options: RenderJsonOptions = {}): string {
  const doc: ReviewJson = {
    schemaVersion: REVIEW_JSON_VERSION,
    mode: review.mode,
    base: review.base,
    head: review.head,
    exitCode: exitCodeOf(review),
    summary: totalsOf(review),
    counts: review.environments.map((e) => ({ environment: e.environment, cloud: e.cloud, ...countChanges(e) })),
    environments: review.environments,
    ...(options.breaking && { breaking: options.breaking }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
