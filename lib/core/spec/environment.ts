import { z } from 'zod';
import { cidrsOverlap } from '../cidr';
import { IssueCollector, joinPath, SpecError, type SpecIssue } from '../errors';
import { defaultAwsZones } from '../regions';
import { baseShape, resolveBase, type BaseEnvironment } from './base';
import { SECTIONS } from './registry';
import type { SectionCheckContext, SpecSection } from './section';
import { zodIssuesToSpecIssues } from './zod-issues';

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
export function resolveEnvironment(input: unknown, prefix?: string): ResolveResult {
  const label = prefix ?? labelOf(input, 'environment');
  const issues = new IssueCollector();
  const parsed = environmentSchema.safeParse(input, { error: genericMessage });
  if (!parsed.success) issues.addAll(zodIssuesToSpecIssues(parsed.error.issues, input, environmentSchema, label));

  // Cross-field rules run even when another part of the spec is invalid, so that one run reports every
  // problem: each section whose own fields are valid is resolved and checked, with whatever base fields parsed.
  const raw = (input ?? {}) as {
    tier?: unknown;
    aws?: { region?: unknown; availabilityZones?: unknown };
    azure?: { adminSshPublicKey?: unknown; keyVaultId?: unknown };
  };
  const tier = baseShape.tier.safeParse(raw.tier);
  if (!tier.success) return { issues: issues.issues };
  const region = baseShape.aws.shape.region.safeParse(raw.aws?.region);
  const zones = baseShape.aws.shape.availabilityZones.safeParse(raw.aws?.availabilityZones);
  const resolved: Record<string, unknown> = {};
  const checkContext: SectionCheckContext = {
    name: label,
    tier: tier.data,
    aws: {
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
    // When the whole spec parsed, its sections did too; otherwise each section is parsed on its own.
    const raw = (input as Record<string, unknown> | undefined)?.[key];
    const own = parsed.success
      ? { success: true as const, data: (parsed.data as Record<string, unknown>)[key] }
      : (validElements(section.schema, raw) ?? section.schema.safeParse(raw));
    if (own.success) {
      resolved[key] = section.resolve(own.data, {
        name: label,
        tier: tier.data,
        defaults: section.defaults[tier.data],
        ...(region.success && { awsRegion: region.data }),
      });
    }
  }
  for (const [key, section] of sections) {
    if (!(key in resolved)) continue;
    section.check?.(resolved[key], checkContext, (path, value, message) =>
      issues.add(joinPath(label, path), value, message),
    );
  }
  if (!parsed.success || issues.issues.length > 0) return { issues: issues.issues };

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

/**
 * For a list section (servers) whose list did not parse as a whole: the entries that parse on their own, at
 * their own indexes (the invalid ones are holes, which `map` and `forEach` skip), so that the section's
 * cross-field rules still judge the valid entries and report their problems with the others'.
 */
function validElements(schema: z.ZodType, raw: unknown): { success: true; data: unknown[] } | undefined {
  const list = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(list instanceof z.ZodArray) || !Array.isArray(raw)) return undefined;
  const element = list.element as z.ZodType;
  const data: unknown[] = new Array<unknown>(raw.length);
  raw.forEach((item, i) => {
    const result = element.safeParse(item);
    if (result.success) data[i] = result.data;
  });
  return { success: true, data };
}

function labelOf(input: unknown, fallback: string): string {
  const name = (input as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && baseShape.name.safeParse(name).success ? name : fallback;
}

/** Messages for rules that carry no message of their own: say what is allowed, in the library's words. */
function genericMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `required: ${article(issue.expected)}` : `expected ${article(issue.expected)}`;
    case 'too_small':
      return `at least ${String(issue.minimum)}${unitOf(issue.origin)}`;
    case 'too_big':
      return `at most ${String(issue.maximum)}${unitOf(issue.origin)}`;
    default:
      return undefined;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
