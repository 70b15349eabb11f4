import { z } from 'zod';
import { cidrsOverlap } from '../cidr';
import { IssueCollector, joinPath, SpecError, type SpecIssue } from '../errors';
import { defaultAwsZones } from '../regions';
import { baseShape, resolveBase, type BaseEnvironment } from './base';
import { isAtOrBelow, rawInputIssues } from './raw-input';
import { SECTIONS } from './registry';
import type { SectionCheckContext, SpecSection } from './section';
import { zodIssuesToSpecIssues } from './zod-issues';
import { deepFreeze, genericMessage, validElements, validParts } from './parsing';

type Sections = typeof SECTIONS;
type SectionSchemas = { readonly [K in keyof Sections]: Sections[K]['schema'] };

const sectionSchemas = Object.fromEntries(
  Object.entries(SECTIONS).map(([key, section]) => [key, section.schema]),
) as unknown as SectionSchemas;

/** The zod schema of one environment: the base fields and every registered section. */
export const environmentSchema = z.strictObject({ ...baseShape, ...sectionSchemas });

/** What an environment definition file writes: the spec before defaults. */
export type EnvironmentInput = z.input<typeof environmentSchema>;

/** Every registered section, resolved. */
export type ResolvedSections = { readonly [K in keyof Sections]: ReturnType<Sections[K]['resolve']> };

/** A resolved, frozen environment: every default applied, every rule checked. Plain data. */
export type Environment = BaseEnvironment & ResolvedSections;

/** The outcome of resolving one environment: the environment, or the problems that prevent it. */
export type ResolveResult =
  | { readonly environment: Environment; readonly issues: readonly [] }
  | { readonly environment?: undefined; readonly issues: readonly SpecIssue[] };

/**
 * Validates and resolves one environment without throwing. Paths in the issues start with `prefix`
 * (the environment's name by default).
 */
/**
 * A section parsed on its own: as a whole, or, for a `partial` section that does not parse, its valid entries
 * ({@link validParts}) among those `clean` allows.
 */
function partialParse(
  section: SpecSection<z.ZodType, unknown, unknown>,
  raw: unknown,
  clean: (field: string, entry: number | string) => boolean,
): { success: boolean; data?: unknown } {
  const whole = section.schema.safeParse(raw);
  if (whole.success || section.partial !== true) return whole;
  return validParts(section.schema, raw, clean) ?? whole;
}

export function resolveEnvironment(input: unknown, prefix?: string): ResolveResult {
  const label = prefix ?? labelOf(input, 'environment');
  // What the schema cannot see (keys a parser drops, control characters, ...) is found on the raw input first; a
  // schema or rule problem at or below such a path is not reported again, so each value gets one clear message.
  const hostile = rawInputIssues(input, label);
  const issues = new IssueCollector();
  const parsed = environmentSchema.safeParse(input, { error: genericMessage });
  if (!parsed.success) issues.addAll(zodIssuesToSpecIssues(parsed.error.issues, input, environmentSchema, label));
  const result = (): { issues: readonly SpecIssue[] } => ({
    issues: [...hostile, ...issues.issues.filter((i) => !hostile.some((h) => isAtOrBelow(i.path, h.path)))],
  });

  // Cross-field rules run even when another part of the spec is invalid, so that one run reports every
  // problem: each section whose own fields are valid is resolved and checked, with whatever base fields parsed.
  const raw = (input ?? {}) as {
    tier?: unknown;
    aws?: { account?: unknown; region?: unknown; availabilityZones?: unknown };
    azure?: { adminSshPublicKey?: unknown; keyVaultId?: unknown };
  };
  const tier = baseShape.tier.safeParse(raw.tier);
  if (!tier.success) return result();
  const account = baseShape.aws.shape.account.safeParse(raw.aws?.account);
  const region = baseShape.aws.shape.region.safeParse(raw.aws?.region);
  const zones = baseShape.aws.shape.availabilityZones.safeParse(raw.aws?.availabilityZones);
  const resolved: Record<string, unknown> = {};
  const checkContext: SectionCheckContext = {
    name: label,
    tier: tier.data,
    aws: {
      ...(account.success && { account: account.data }),
      ...(region.success && { region: region.data }),
      zoneCandidates: (zones.success ? zones.data : undefined) ?? (region.success ? defaultAwsZones(region.data) : []),
    },
    azure: {
      hasAdminSshKey: raw.azure?.adminSshPublicKey !== undefined,
      hasKeyVault: raw.azure?.keyVaultId !== undefined,
    },
    sections: resolved,
  };
  const sections = Object.entries(SECTIONS) as Array<[string, SpecSection<z.ZodType, unknown, unknown>]>;
  for (const [key, section] of sections) {
    // When the whole spec parsed, its sections did too; otherwise each section is parsed on its own. An entry of a
    // list with a problem found on the raw input is left out, so that no rule judges (or renders) it again.
    const raw = (input as Record<string, unknown> | undefined)?.[key];
    const clean = (i: number): boolean => !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, key, i)));
    const own =
      parsed.success && !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, key)))
        ? { success: true as const, data: (parsed.data as Record<string, unknown>)[key] }
        : (validElements(section.schema, raw, clean) ??
          partialParse(
            section,
            raw,
            (field, entry) => !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, key, field, entry))),
          ));
    if (own.success) {
      resolved[key] = section.resolve(own.data, {
        name: label,
        tier: tier.data,
        defaults: section.defaults[tier.data],
        ...(region.success && { awsRegion: region.data }),
        sections: { ...resolved },
      });
    }
  }
  for (const [key, section] of sections) {
    if (!(key in resolved)) continue;
    section.check?.(resolved[key], checkContext, (path, value, message) =>
      issues.add(joinPath(label, path), value, message),
    );
  }
  if (!parsed.success || issues.issues.length > 0 || hostile.length > 0) return result();

  const environment: Environment = {
    ...resolveBase(parsed.data, (resolved as ResolvedSections).network.zones),
    ...(resolved as ResolvedSections),
  };
  return { environment: deepFreeze(environment), issues: [] };
}

/**
 * Validates one environment spec and applies its tier defaults.
 *
 * @throws SpecError listing every problem, each as `path: value - what is allowed`.
 */
export function defineEnvironment(input: EnvironmentInput): Environment {
  const result = resolveEnvironment(input);
  if (!result.environment) throw new SpecError(result.issues);
  return result.environment;
}

/**
 * Validates a set of environments together: each one on its own, then the rules between them (unique
 * names, networks that do not overlap, so that they can be peered later).
 *
 * @throws SpecError listing every problem in every environment.
 */
export function defineEnvironments(inputs: readonly EnvironmentInput[]): readonly Environment[] {
  const issues = new IssueCollector();
  const environments: Environment[] = [];
  inputs.forEach((input, index) => {
    const result = resolveEnvironment(input, labelOf(input, `environments[${index}]`));
    issues.addAll(result.issues);
    if (result.environment) environments.push(result.environment);
  });

  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const name = (input as { name?: unknown }).name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else
      issues.add(
        `environments[${index}].name`,
        name,
        `unique across environments; environments[${first}] has it already`,
      );
  });

  // Checked on every environment whose network parsed, even when the rest of it is invalid.
  const networks = inputs.flatMap((input, index) => {
    const network = SECTIONS.network.schema.safeParse((input as { network?: unknown }).network);
    return network.success ? [{ label: labelOf(input, `environments[${index}]`), cidr: network.data.cidr }] : [];
  });
  for (let i = 0; i < networks.length; i++) {
    for (let j = i + 1; j < networks.length; j++) {
      const a = networks[i]!;
      const b = networks[j]!;
      if (a.label !== b.label && cidrsOverlap(a.cidr, b.cidr)) {
        issues.add(
          `${b.label}.network.cidr`,
          b.cidr,
          `a block that does not overlap ${a.label}.network.cidr (${a.cidr}), so environments can be peered`,
        );
      }
    }
  }
  issues.throwIfAny(`Invalid environment specs`);
  return Object.freeze(environments);
}

function labelOf(input: unknown, fallback: string): string {
  const name = (input as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && baseShape.name.safeParse(name).success ? name : fallback;
}
