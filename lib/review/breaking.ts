/**
 * What a change breaks for application teams (docs/versioning.md): a stateful resource whose logical ID or
 * Terraform address disappears, an export or prop of the entry points that is removed or newly required, and a
 * default that changes the synthesized output of existing users. Pure functions over the review, two API
 * snapshots (breaking-api.ts) and two snapshots of the spec's tier defaults (breaking-defaults.ts).
 */
import type { ApiExport, ApiSnapshot } from './breaking-api';
import type { SpecDefaultsSnapshot } from './breaking-defaults';
import type { ResourceChange, Review } from './model';

/** The three kinds of breaking change of docs/versioning.md, in the order they are listed. */
export type BreakingCategory = 'state' | 'api' | 'default';

/** Every {@link BreakingCategory}, in the order a report lists them. */
export const BREAKING_CATEGORIES: readonly BreakingCategory[] = ['state', 'api', 'default'];

/** What exactly breaks. */
export type BreakingKind =
  /** A stateful resource's logical ID (AWS) or address (Azure) is gone from a stack that stays. */
  | 'stateful-id-removed'
  /** A value application teams read from a platform environment (`PlatformEnvironment.join`) is gone or renamed. */
  | 'published-removed'
  /** An entry point is gone. */
  | 'entry-point-removed'
  /** An entry point no longer exports a name. */
  | 'export-removed'
  /** An exported name is no longer what it was (a class that became a type, for instance). */
  | 'export-changed'
  /** An exported class lost a public member. */
  | 'member-removed'
  /** An exported interface lost a property. */
  | 'prop-removed'
  /** A property of a `*Props` or `*Options` interface became required, or is new and required. */
  | 'prop-required'
  /** The documented default (`@default`) of a property changed. */
  | 'construct-default-changed'
  /** A tier default of a spec section changed. */
  | 'spec-default-changed'
  /** A spec section has a tier default it did not have. */
  | 'spec-default-added'
  /** A spec section no longer has a tier default it had. */
  | 'spec-default-removed'
  /** A spec section is gone. */
  | 'spec-section-removed';

/** One thing a change breaks. */
export interface BreakingChange {
  /** Which of the three kinds of breaking change it is. */
  readonly category: BreakingCategory;
  /** What exactly breaks. */
  readonly kind: BreakingKind;
  /**
   * Where: the environment, cloud and stack (`dev aws platform-dev-foundation`), the entry point
   * (`platform-constructs/aws`), or the spec section (`backup`).
   */
  readonly where: string;
  /**
   * What: the logical ID or address, the export (`Network`), the member or prop (`NetworkProps.zones`), or the
   * default's tier and path (`production.daily.retentionDays`).
   */
  readonly subject: string;
  /**
   * The value before, when one changed.
   * @default - nothing to compare
   */
  readonly before?: unknown;
  /**
   * The value after, when one changed.
   * @default - nothing to compare
   */
  readonly after?: unknown;
  /** What breaks, for whom, and how to avoid it, in words. */
  readonly message: string;
}

/** What {@link classifyBreaking} compares; each part is optional, so a caller gives what it has. */
export interface BreakingInput {
  /**
   * The review of the synthesized output from base to head (`reviewChanges`): its stateful resources that are
   * destroyed or orphaned in a stack that stays.
   * @default - stateful resources are not compared
   */
  readonly review?: Review;
  /**
   * The public API of the base and the head (`apiSnapshot`).
   * @default - exports and props are not compared
   */
  readonly api?: { readonly base: ApiSnapshot; readonly head: ApiSnapshot };
  /**
   * The spec's tier defaults of the base and the head (`specDefaultsSnapshot`, `loadSpecDefaults`).
   * @default - tier defaults are not compared
   */
  readonly defaults?: { readonly base: SpecDefaultsSnapshot; readonly head: SpecDefaultsSnapshot };
}

/**
 * Everything a change breaks for application teams, by category (state, API, defaults), then where, then subject.
 * Additions (a new export, an optional prop, a new section) break nothing and are not listed.
 */
export function classifyBreaking(input: BreakingInput): BreakingChange[] {
  return [
    ...(input.review ? statefulIdsRemoved(input.review) : []),
    ...(input.review ? publishedRemoved(input.review) : []),
    ...(input.api ? apiBreaks(input.api.base, input.api.head) : []),
    ...(input.defaults ? defaultBreaks(input.defaults.base, input.defaults.head) : []),
  ].sort(
    (a, b) =>
      BREAKING_CATEGORIES.indexOf(a.category) - BREAKING_CATEGORIES.indexOf(b.category) ||
      compare(a.where, b.where) ||
      compare(a.subject, b.subject),
  );
}

const ID_REMEDY = {
  aws: 'Keep the construct id (or pin the logical ID with overrideLogicalId)',
  azure: 'Keep the construct id, or add a `moved` block from the old address',
} as const;

/**
 * The stateful resources (lib/core's `AWS_STATEFUL_TYPES`, `AZURE_STATEFUL_TYPES`) whose logical ID or address
 * disappears: destroyed or orphaned in a stack that stays in the app. A team that upgrades loses the resource's data
 * (or its management), whatever it acknowledged for its own environments. A stack or environment that leaves the
 * app is a change of the platform's environments, not of the library, and is not listed; an Azure resource kept by a
 * `moved` block does not disappear. A `between` review compares environments, not versions: nothing is listed.
 */
export function statefulIdsRemoved(review: Review): BreakingChange[] {
  if (review.mode !== 'change') return [];
  const found: BreakingChange[] = [];
  for (const env of review.environments) {
    const removedStacks = new Set(env.stacks.filter((s) => s.status === 'removed').map((s) => s.stack));
    for (const change of env.changes) {
      if (!change.stateful || (change.action !== 'destroy' && change.action !== 'orphan')) continue;
      if (removedStacks.has(change.stack)) continue;
      // One of a type gone and one of it new in the same stack: most likely a renamed construct id.
      const sameType = env.changes.filter((c) => c.stack === change.stack && c.type === change.type);
      const gone = sameType.filter((c) => c.action === 'destroy' || c.action === 'orphan');
      const successors = sameType.filter((c) => c.action === 'create');
      const idWord = env.cloud === 'aws' ? 'logical ID' : 'address';
      const renamed = gone.length === 1 && successors.length === 1 ? ` (renamed to ${successors[0]!.id}?)` : '';
      const consequence = change.consequence ? ` ${change.consequence}` : '';
      found.push({
        category: 'state',
        kind: 'stateful-id-removed',
        where: `${env.environment} ${env.cloud} ${change.stack}`,
        subject: change.id,
        message:
          `The ${idWord} ${change.id} (${change.type}) disappears${renamed}, for every team that upgrades.` +
          `${consequence} ${ID_REMEDY[env.cloud]}.`,
      });
    }
  }
  return found;
}

/**
 * The resources a team's stack reads by name when it joins a platform environment (`PlatformEnvironment.join`):
 * on AWS the SSM parameters the foundation publishes under its `PlatformEnvironment` construct, on Azure the
 * resources the data sources look up (the Key Vault is the environment's own, not the platform's).
 */
const PUBLISHED_AZURE_TYPES: ReadonlySet<string> = new Set([
  'azurerm_resource_group',
  'azurerm_virtual_network',
  'azurerm_subnet',
  'azurerm_log_analytics_workspace',
  'azurerm_monitor_action_group',
  'azurerm_container_app_environment',
]);

function isPublished(cloud: 'aws' | 'azure', change: ResourceChange): boolean {
  if (cloud === 'aws')
    return change.type === 'AWS::SSM::Parameter' && /(^|\/)PlatformEnvironment\//.test(change.path ?? '');
  return PUBLISHED_AZURE_TYPES.has(change.type);
}

/**
 * What application teams read from a platform environment and a change destroys or replaces (a new name, or on
 * Azure a new ID): every team stack that joins the environment fails its next deployment or plan. Listed for the
 * platform's own environments, since teams join those; a stack that leaves the app is not listed.
 */
export function publishedRemoved(review: Review): BreakingChange[] {
  if (review.mode !== 'change') return [];
  const found: BreakingChange[] = [];
  for (const env of review.environments) {
    const removedStacks = new Set(env.stacks.filter((s) => s.status === 'removed').map((s) => s.stack));
    for (const change of env.changes) {
      if (change.action !== 'destroy' && change.action !== 'replace') continue;
      if (removedStacks.has(change.stack) || !isPublished(env.cloud, change)) continue;
      const verb = change.action === 'destroy' ? 'is removed' : 'is replaced (a new name or ID)';
      found.push({
        category: 'api',
        kind: 'published-removed',
        where: `${env.environment} ${env.cloud} ${change.stack}`,
        subject: change.path ?? change.id,
        message:
          `${change.type} ${change.id}, which application teams read when they join ${env.environment} ` +
          `(PlatformEnvironment.join), ${verb}: every team stack that joins it fails its next deployment. ` +
          'Keep it, or publish the new value next to the old one for a release.',
      });
    }
  }
  return found;
}

const KIND_WORDS: Readonly<Record<string, string>> = { 're-export': 're-exported name' };

/** A `*Props` or `*Options` interface: what teams build and pass in, so a new required property breaks them. */
function isInput(name: string): boolean {
  return /(Props|Options)$/.test(name);
}

/**
 * Exports and props of the entry points that are removed, changed or newly required between two API snapshots.
 * A property of another interface (a resolved spec such as `NetworkSpec`, which the library builds and teams read)
 * breaks only when it is removed. A changed `@default` is a changed construct default.
 */
export function apiBreaks(base: ApiSnapshot, head: ApiSnapshot): BreakingChange[] {
  const found: BreakingChange[] = [];
  const api = (kind: BreakingKind, where: string, subject: string, message: string, values = {}): void => {
    found.push({
      category: kind === 'construct-default-changed' ? 'default' : 'api',
      kind,
      where,
      subject,
      ...values,
      message,
    });
  };
  for (const [entry, baseExports] of Object.entries(base.entryPoints)) {
    const headExports = head.entryPoints[entry];
    if (headExports === undefined) {
      api(
        'entry-point-removed',
        entry,
        entry,
        `The entry point ${entry} is gone: every import from it stops compiling.`,
      );
      continue;
    }
    for (const [name, before] of Object.entries(baseExports)) {
      const after = headExports[name];
      if (after === undefined) {
        api(
          'export-removed',
          entry,
          name,
          `${name} (${kindWords(before)}) is no longer exported by ${entry}: code that imports it stops compiling. ` +
            `Keep exporting it (a deprecated alias of its new name) until a breaking release.`,
        );
        continue;
      }
      const lost = before.kinds.filter((k) => !after.kinds.includes(k));
      if (lost.length > 0) {
        api(
          'export-changed',
          entry,
          name,
          `${name} of ${entry} was ${kindWords(before)} and is now ${kindWords(after)}: code that uses it as ` +
            `${lost.map(kindWord).join(' or ')} stops compiling.`,
          { before: before.kinds, after: after.kinds },
        );
      }
      for (const member of before.members ?? []) {
        if (after.members !== undefined && !after.members.includes(member)) {
          api(
            'member-removed',
            entry,
            `${name}.${member.replace(/^static /, '')}`,
            `${member.startsWith('static ') ? 'The static member' : 'The public member'} ${member.replace(/^static /, '')} of ${name} is gone: code that uses it stops compiling.`,
          );
        }
      }
      if (before.props !== undefined && after.props !== undefined) propBreaks(entry, name, before.props, after.props);
    }
  }
  return found;

  function propBreaks(
    entry: string,
    name: string,
    before: NonNullable<ApiExport['props']>,
    after: NonNullable<ApiExport['props']>,
  ): void {
    for (const [prop, was] of Object.entries(before)) {
      const now = after[prop];
      const subject = `${name}.${prop}`;
      if (now === undefined) {
        api('prop-removed', entry, subject, `${subject} is gone: code that sets or reads it stops compiling.`);
        continue;
      }
      if (was.optional && !now.optional && isInput(name)) {
        api(
          'prop-required',
          entry,
          subject,
          `${subject} becomes required: code that leaves it out stops compiling. Give it a default instead.`,
          { before: 'optional', after: 'required' },
        );
      }
      if (was.default !== undefined && now.default !== undefined && was.default !== now.default && now.optional) {
        api(
          'construct-default-changed',
          entry,
          subject,
          `The default of ${subject} changes from "${was.default}" to "${now.default}": every team that leaves it ` +
            `out gets the new value at its next synth.`,
          { before: was.default, after: now.default },
        );
      }
    }
    if (!isInput(name)) return;
    for (const [prop, now] of Object.entries(after)) {
      if (before[prop] === undefined && !now.optional) {
        api(
          'prop-required',
          entry,
          `${name}.${prop}`,
          `${name}.${prop} is new and required: code that builds a ${name} without it stops compiling. Make it optional with a default.`,
          { after: 'required' },
        );
      }
    }
  }
}

/**
 * Tier defaults that change, appear or disappear between two snapshots of the spec, leaf by leaf (a list is one
 * leaf): each changes the synthesized output of every existing environment of that tier that leaves the value out.
 * A new section is a new capability and is not listed (the review shows what it creates); a removed one is.
 */
export function defaultBreaks(base: SpecDefaultsSnapshot, head: SpecDefaultsSnapshot): BreakingChange[] {
  const found: BreakingChange[] = [];
  for (const [section, tiers] of Object.entries(base)) {
    const now = head[section];
    if (now === undefined) {
      found.push({
        category: 'default',
        kind: 'spec-section-removed',
        where: section,
        subject: section,
        message: `The spec section ${section} is gone: every environment that sets it no longer validates, and those that relied on its defaults change.`,
      });
      continue;
    }
    const before = leaves(tiers);
    const after = leaves(now);
    for (const [leaf, was] of before) {
      const tier = leaf.split('.')[0];
      const field = `${section}.${leaf.slice(leaf.indexOf('.') + 1)}`;
      if (!after.has(leaf)) {
        found.push({
          category: 'default',
          kind: 'spec-default-removed',
          where: section,
          subject: leaf,
          before: was,
          message: `${field} no longer defaults to ${show(was)} in ${tier} environments: those that leave it out change at their next synth.`,
        });
      } else if (JSON.stringify(after.get(leaf)) !== JSON.stringify(was)) {
        found.push({
          category: 'default',
          kind: 'spec-default-changed',
          where: section,
          subject: leaf,
          before: was,
          after: after.get(leaf),
          message: `${field} defaults to ${show(after.get(leaf))} instead of ${show(was)} in ${tier} environments: those that leave it out change at their next synth.`,
        });
      }
    }
    for (const [leaf, value] of after) {
      if (before.has(leaf)) continue;
      const tier = leaf.split('.')[0];
      found.push({
        category: 'default',
        kind: 'spec-default-added',
        where: section,
        subject: leaf,
        after: value,
        message: `${section}.${leaf.slice(leaf.indexOf('.') + 1)} gets the default ${show(value)} in ${tier} environments: every existing one changes at its next synth.`,
      });
    }
  }
  return found;
}

/** The leaves of a JSON value by dotted path; a list, a primitive and an empty object are leaves. */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, at: string): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, at === '' ? k : `${at}.${k}`);
    } else {
      out.set(at, v);
    }
  };
  walk(value, prefix);
  return out;
}

/** The least version bump a change needs (semver; in 0.x a breaking change raises the minor version). */
export type VersionBump = 'major' | 'minor' | 'patch';

/**
 * The least bump a release with these changes needs: breaking changes need `major` from 1.0.0 on and `minor` in
 * 0.x (teams depend on `^0.y.z`, which accepts only patches); without breaking changes, `patch` (a new capability
 * is `minor` by choice, which this function cannot see).
 */
export function requiredBump(changes: readonly BreakingChange[], version: string): VersionBump {
  if (changes.length === 0) return 'patch';
  return parseVersion(version)[0] === 0 ? 'minor' : 'major';
}

/** The version after a bump: `0.1.0` with `minor` is `0.2.0`. */
export function bumpVersion(version: string, bump: VersionBump): string {
  const [major, minor, patch] = parseVersion(version);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

function parseVersion(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`${version}: not a semantic version (MAJOR.MINOR.PATCH)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Options of {@link renderBreaking}. */
export interface RenderBreakingOptions {
  /**
   * Markdown (the pull-request comment) or plain text (a terminal).
   * @default 'text'
   */
  readonly format?: 'text' | 'markdown';
  /**
   * The package's current version (package.json), to say which version the change needs.
   * @default - no version advice
   */
  readonly version?: string;
}

const CATEGORY_HEADINGS: Readonly<Record<BreakingCategory, string>> = {
  state: 'Stateful resources whose logical ID or address disappears',
  api: 'Exports and props of the entry points',
  default: 'Defaults that change the output of existing users',
};

/**
 * The "Breaking for application teams" section of a review: one line per breaking change under its category, and
 * the version the release needs (docs/versioning.md).
 */
export function renderBreaking(changes: readonly BreakingChange[], options: RenderBreakingOptions = {}): string {
  const markdown = options.format === 'markdown';
  const lines = [markdown ? '### Breaking for application teams' : 'Breaking for application teams', ''];
  if (changes.length === 0) {
    lines.push('Nothing breaks for application teams.');
  } else {
    const count = `${changes.length} breaking change${changes.length === 1 ? '' : 's'}`;
    if (options.version === undefined) {
      lines.push(`${count} (docs/versioning.md).`);
    } else {
      const bump = requiredBump(changes, options.version);
      lines.push(
        `${count}: release as ${bumpVersion(options.version, bump)} at least (${bump} bump from ${options.version}; docs/versioning.md).`,
      );
    }
    for (const category of BREAKING_CATEGORIES) {
      const inCategory = changes.filter((c) => c.category === category);
      if (inCategory.length === 0) continue;
      lines.push('', markdown ? `**${CATEGORY_HEADINGS[category]}**` : `${CATEGORY_HEADINGS[category]}:`, '');
      for (const c of inCategory) {
        lines.push(
          markdown ? `- \`${c.where}\` \`${c.subject}\`: ${c.message}` : `  ${c.where} ${c.subject}: ${c.message}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function kindWords(e: ApiExport): string {
  return e.kinds.map(kindWord).join(' and ');
}

function kindWord(kind: string): string {
  const word = KIND_WORDS[kind] ?? kind;
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
