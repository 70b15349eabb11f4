import type { z } from 'zod';
import type { Tier } from '../tiers';

/** What a section's resolver knows about the environment it belongs to. */
export interface SectionContext<TDefaults> {
  /** The environment's name. */
  readonly name: string;
  /** The environment's tier. */
  readonly tier: Tier;
  /** This section's defaults for that tier. */
  readonly defaults: TDefaults;
  /** The AWS region, when it is valid (defaults that depend on it, such as the backup copy region). */
  readonly awsRegion?: string;
  /**
   * The sections before this one in registry order that parsed, resolved, by key (the checks section reads the
   * services to give each one its default check); import a section's resolved type to read it. A section that did
   * not parse is missing.
   */
  readonly sections: Readonly<Record<string, unknown>>;
}

/** Reports one problem; the path is relative to the environment (`network.cidr`). */
export type ReportIssue = (path: string, value: unknown, message: string) => void;

/**
 * What cross-field rules may read. Rules run even when unrelated fields are invalid, so that one run reports
 * every problem: a field that did not parse is missing here, and a rule that needs it skips.
 */
export interface SectionCheckContext {
  /** The environment's name (or its index label when the name is invalid). */
  readonly name: string;
  /** The environment's tier. */
  readonly tier: Tier;
  /** The AWS account and region (each when valid) and the availability zones that would be used. */
  readonly aws: { readonly account?: string; readonly region?: string; readonly zoneCandidates: readonly string[] };
  /**
   * Whether the Azure admin SSH key is given (servers need one), and whether a Key Vault holds the secrets on Azure:
   * the environment's `azure.keyVaultId`, or for an application the platform environment's, joined at deployment.
   */
  readonly azure: { readonly hasAdminSshKey: boolean; readonly hasKeyVault: boolean };
  /**
   * The clouds the spec deploys to: a rule about one cloud only (secrets need an Azure Key Vault) skips a spec that
   * does not deploy to that cloud, such as an application of an AWS-only team.
   * @default - both clouds (an environment always deploys to both)
   */
  readonly clouds?: ReadonlyArray<'aws' | 'azure'>;
  /** Every section that parsed, resolved, by key; import a section's resolved type to read it. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/**
 * One section of the environment spec (network, logs, monitoring, servers, ...): its schema, its tier
 * defaults and its cross-field rules, in one file. A new capability adds a section file and one line in
 * `registry.ts`; nothing else in lib/core changes.
 */
export interface SpecSection<TSchema extends z.ZodType, TResolved, TDefaults> {
  /** The input schema; wrap it in `.optional()` when the whole section may be left out. */
  readonly schema: TSchema;
  /** The section's defaults per tier (the tier table of shared/DESIGN.md, one section's rows). */
  readonly defaults: Readonly<Record<Tier, TDefaults>>;
  /** Applies the tier defaults to the parsed input; pure. */
  readonly resolve: (input: z.output<TSchema>, context: SectionContext<TDefaults>) => TResolved;
  /**
   * Rules that span fields or sections, run on the resolved section.
   * @default - no cross-field rules
   */
  readonly check?: (resolved: TResolved, environment: SectionCheckContext, report: ReportIssue) => void;
  /**
   * When the section (an object of lists and maps) does not parse as a whole, resolve and check its valid entries
   * anyway (`validParts` of parsing.ts), so that one run reports the cross-field problems of the valid entries too.
   * @default false - a section that does not parse is neither resolved nor checked
   */
  readonly partial?: boolean;
}

/** Declares a section with full type inference of its input, defaults and resolved shapes. */
export function defineSection<TSchema extends z.ZodType, TResolved, TDefaults>(
  section: SpecSection<TSchema, TResolved, TDefaults>,
): SpecSection<TSchema, TResolved, TDefaults> {
  return section;
}
