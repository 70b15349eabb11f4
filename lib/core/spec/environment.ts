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

/**
 * The few base fields cross-field rules depend on, parsed on their own and leniently, so that the rules
 * still run when an unrelated base field (an account ID, a tag) is wrong.
 */
const baseCoreSchema = z.object({
  tier: baseShape.tier,
  aws: z.object({ region: baseShape.aws.shape.region, availabilityZones: baseShape.aws.shape.availabilityZones }),
  azure: z.object({ location: z.string() }),
});

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
  // problem: each section whose own fields are valid is resolved and checked against the base fields.
  const base = baseCoreSchema.safeParse(input);
  if (!base.success) return { issues: issues.issues };
  const spec = base.data;
  const context = { name: label, tier: spec.tier };
  const checkContext: SectionCheckContext = {
    ...context,
    aws: {
      region: spec.aws.region,
      zoneCandidates: spec.aws.availabilityZones ?? defaultAwsZones(spec.aws.region),
    },
    azure: { location: spec.azure.location },
  };
  const resolved: Record<string, unknown> = {};
  for (const [key, section] of Object.entries(SECTIONS) as Array<[string, SpecSection<z.ZodType, unknown>]>) {
    const own = section.schema.safeParse((input as Record<string, unknown>)[key]);
    if (!own.success) continue;
    resolved[key] = section.resolve(own.data, context);
    section.check?.(resolved[key], checkContext, (path, value, message) =>
      issues.add(joinPath(label, path), value, message),
    );
  }
  if (!parsed.success || issues.issues.length > 0) return { issues: issues.issues };

  const sections = resolved as ResolvedSections;
  const valid = parsed.data;
  const environment: Environment = { ...resolveBase(valid, sections.network.zones), ...sections };
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

  for (let i = 0; i < environments.length; i++) {
    for (let j = i + 1; j < environments.length; j++) {
      const a = environments[i]!;
      const b = environments[j]!;
      if (a.name !== b.name && cidrsOverlap(a.network.cidr, b.network.cidr)) {
        issues.add(
          `${b.name}.network.cidr`,
          b.network.cidr,
          `a block that does not overlap ${a.name}.network.cidr (${a.network.cidr}), so environments can be peered`,
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
