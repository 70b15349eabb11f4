import type { z } from 'zod';
import type { Tier } from '../tiers';

/** What a section's resolver knows about the environment it belongs to. */
export interface SectionContext {
  /** The environment's name. */
  readonly name: string;
  /** The environment's tier, which drives the defaults. */
  readonly tier: Tier;
}

/** Reports one problem; the path is relative to the environment (`network.cidr`). */
export type ReportIssue = (path: string, value: unknown, message: string) => void;

/**
 * One section of the environment spec (network, logs, monitoring, servers, ...): its schema, its tier
 * defaults and its cross-field rules, in one file. A new capability adds a section file and one line in
 * `registry.ts`; nothing else in lib/core changes.
 */
export interface SpecSection<TSchema extends z.ZodType, TResolved> {
  /** The input schema; wrap it in `.optional()` when the whole section may be left out. */
  readonly schema: TSchema;
  /** Applies the tier defaults to the parsed input; pure. */
  readonly resolve: (input: z.output<TSchema>, context: SectionContext) => TResolved;
  /**
   * Rules that span fields or sections, run on the resolved environment after every section resolved.
   * @default - no cross-field rules
   */
  readonly check?: (resolved: TResolved, environment: SectionCheckContext, report: ReportIssue) => void;
}

/** What cross-field rules may read: the resolved base fields and every resolved section, by key. */
export interface SectionCheckContext extends SectionContext {
  /** The AWS binding of the environment. */
  readonly aws: { readonly region: string; readonly zoneCandidates: readonly string[] };
  /** The Azure binding of the environment. */
  readonly azure: { readonly location: string };
}

/** Declares a section with full type inference of its input and resolved shapes. */
export function defineSection<TSchema extends z.ZodType, TResolved>(
  section: SpecSection<TSchema, TResolved>,
): SpecSection<TSchema, TResolved> {
  return section;
}
