import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The tier defaults of every section of the environment spec, at one commit: section (`backup`) to tier
 * (`production`) to that tier's defaults, as plain JSON with sorted keys.
 */
export type SpecDefaultsSnapshot = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What a spec section must have to be snapshotted: its tier defaults (lib/core's `SpecSection`). */
export interface SectionWithDefaults {
  /** The section's defaults per tier. */
  readonly defaults: Readonly<Record<string, unknown>>;
}

/**
 * The tier defaults of spec sections (lib/core's `SECTIONS`), as JSON: keys sorted, `undefined` left out, and any
 * value that is not plain data written as its string, so that two snapshots compare by value.
 */
export function specDefaultsSnapshot(sections: Readonly<Record<string, SectionWithDefaults>>): SpecDefaultsSnapshot {
  const snapshot: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(sections).sort(compare)) {
    const defaults = sections[name]!.defaults;
    snapshot[name] = Object.fromEntries(
      Object.keys(defaults)
        .sort(compare)
        .map((tier) => [tier, plain(defaults[tier])]),
    );
  }
  return snapshot;
}

/**
 * Loads the spec's sections from a checkout (the working tree, or a base's git worktree) and snapshots their tier
 * defaults. The checkout's lib/core is required, so the process must run TypeScript (`node -r ./bin/register.js`,
 * as `npm run review` does). Undefined when the checkout has no lib/core, or its lib/core exports no `SECTIONS`
 * (a base from before the registry).
 */
export function loadSpecDefaults(root: string): SpecDefaultsSnapshot | undefined {
  if (!fs.existsSync(path.resolve(root, 'lib/core'))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- another checkout's source, found at run time
  const core = require(path.resolve(root, 'lib/core')) as { SECTIONS?: Readonly<Record<string, SectionWithDefaults>> };
  return core.SECTIONS ? specDefaultsSnapshot(core.SECTIONS) : undefined;
}

function plain(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : plain(v)));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(compare)
        .map((k) => [k, plain(record[k])]),
    );
  }
  return String(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
