import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../../../lib/core';
import { sourceDigests, type SourceDigests } from '../../../bin/cli/sources';
import { synthesize, type SynthOptions } from '../../../bin/cli/synth';
import { pruneCache, restoreUnit, storeUnit, unitEntryName, type UnitKeyInput } from '../../../bin/cli/synth-cache';
import { firstOfTier } from '../../util/expected-stacks';
import { temporaryFolders } from '../../util/temp';

// The cache of units (one environment on one cloud): an environment is taken from it only when nothing its output
// follows from has changed, and a change of any of those inputs synthesizes it again.

const tempDir = temporaryFolders('platform-synth-cache-');
// Two environments, chosen by tier so that the tests hold for any environment list.
const dev = firstOfTier('development');
const production = firstOfTier('production');

describe('the key of an environment on a cloud', () => {
  const sources = sourceDigests();
  const base: UnitKeyInput = { cloud: 'aws', environment: dev, validation: true, sources };
  const key = unitEntryName(base);
  const withSource = (file: string, digest = '0'.repeat(40)): SourceDigests => ({ ...sources, [file]: digest });

  test('is the same for the same inputs, wherever the repository is checked out', () => {
    // Only contents and paths relative to the repository go in: a worktree elsewhere finds the same entries.
    expect(unitEntryName({ ...base, environment: structuredClone(dev), sources: { ...sources } })).toBe(key);
    expect(key).toMatch(new RegExp(`^aws-${dev.name}-[0-9a-f]{40}$`));
  });

  test.each([
    ['its spec', { environment: { ...dev, tags: { ...dev.tags, owner: 'someone-else' } } as Environment }],
    ['a library source', { sources: withSource('lib/aws/network.ts') }],
    ['a new library source', { sources: withSource('lib/aws/new-capability.ts') }],
    ['a stacks source', { sources: withSource('stacks/aws/foundation-stack.ts') }],
    ['package-lock.json', { sources: withSource('package-lock.json') }],
    ['cdk.json', { sources: withSource('cdk.json') }],
    ['cdktf.json', { sources: withSource('cdktf.json') }],
    ['the validation setting', { validation: false }],
    ['the cloud', { cloud: 'azure' as const }],
  ])('changes with %s', (_what, change) => {
    expect(unitEntryName({ ...base, ...change })).not.toBe(key);
  });

  test('changes with the Node.js version and with the CDK context given in the environment', () => {
    const version = Object.getOwnPropertyDescriptor(process, 'version')!;
    Object.defineProperty(process, 'version', { ...version, value: 'v99.0.0' });
    try {
      expect(unitEntryName(base)).not.toBe(key);
    } finally {
      Object.defineProperty(process, 'version', version);
    }
    const context = process.env.CDK_CONTEXT_JSON;
    process.env.CDK_CONTEXT_JSON = '{"@aws-cdk/core:newStyleStackSynthesis":true}';
    try {
      expect(unitEntryName(base)).not.toBe(key);
    } finally {
      if (context === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = context;
    }
    expect(unitEntryName(base)).toBe(key);
  });

  test('does not change with another environment, or with the environment files, which reach it through the spec', () => {
    expect(unitEntryName({ ...base, sources: withSource(`stacks/environments/${production.name}.ts`) })).toBe(key);
    expect(unitEntryName({ ...base, sources: withSource('stacks/environments/new-one.ts') })).toBe(key);
  });
});

describe('npm run synth with the cache', () => {
  /** Azure only, the fastest cloud: the cache does not tell the clouds apart but by key. */
  function options(dir: string, cache: string, environments: readonly Environment[]): SynthOptions {
    return {
      environments,
      clouds: ['azure'],
      validation: false,
      cache,
      cdkOut: path.join(dir, 'cdk.out'),
      cdktfOut: path.join(dir, 'cdktf.out'),
    };
  }
  const reused = (rows: readonly { environment: string; reused: boolean }[]): Record<string, boolean> =>
    Object.fromEntries(rows.map((r) => [r.environment, r.reused]));
  const read = (file: string): string => fs.readFileSync(file, 'utf8');

  test('reuses an unchanged environment, synthesizes a changed one again, and everything with force', async () => {
    const dir = tempDir();
    const cache = tempDir();
    const first = await synthesize(options(dir, cache, [dev, production]));
    expect(reused(first)).toEqual({ [dev.name]: false, [production.name]: false });
    const productionOutput = path.join(dir, `cdktf.out/stacks/platform-${production.name}/cdk.tf.json`);
    const output = read(productionOutput);

    expect(reused(await synthesize(options(dir, cache, [dev, production])))).toEqual({
      [dev.name]: true,
      [production.name]: true,
    });
    expect(read(productionOutput)).toBe(output);

    // A changed spec: that environment alone is synthesized again, and its output shows the change.
    const changed: Environment = { ...production, tags: { ...production.tags, owner: 'data-team' } };
    expect(reused(await synthesize(options(dir, cache, [dev, changed])))).toEqual({
      [dev.name]: true,
      [production.name]: false,
    });
    expect(read(productionOutput)).toContain('data-team');

    expect(reused(await synthesize({ ...options(dir, cache, [dev, changed]), force: true }))).toEqual({
      [dev.name]: false,
      [production.name]: false,
    });
  });

  test('a damaged entry is not used: the environment is synthesized again', async () => {
    const dir = tempDir();
    const cache = tempDir();
    await synthesize(options(dir, cache, [dev]));
    const [entry] = fs.readdirSync(cache);
    const file = path.join(cache, entry!, 'out', 'stacks', `platform-${dev.name}`, 'cdk.tf.json');
    fs.writeFileSync(file, '{"resource":{}}');
    const rows = await synthesize(options(dir, cache, [dev]));
    expect(reused(rows)).toEqual({ [dev.name]: false });
    expect(read(path.join(dir, `cdktf.out/stacks/platform-${dev.name}/cdk.tf.json`))).not.toBe('{"resource":{}}');
  });
});

describe('entries', () => {
  const unit = (content: string): string => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'unit', 'out', 'stacks'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'unit', 'out', 'stacks', 'a.json'), content);
    return path.join(dir, 'unit');
  };
  const result = { stacks: [{ stack: 'a', resources: 1, output: 'stacks/a.json' }] };

  test('are stored whole, and of two processes storing one key the first one stays', () => {
    const cache = tempDir();
    expect(storeUnit(cache, 'azure-dev-' + 'a'.repeat(40), unit('first'), result)).toBe(true);
    expect(storeUnit(cache, 'azure-dev-' + 'a'.repeat(40), unit('second'), result)).toBe(true);
    expect(fs.readdirSync(cache)).toEqual(['azure-dev-' + 'a'.repeat(40)]);
    const restored = tempDir();
    expect(restoreUnit(cache, 'azure-dev-' + 'a'.repeat(40), path.join(restored, 'out'))).toEqual(result);
    expect(fs.readFileSync(path.join(restored, 'out', 'stacks', 'a.json'), 'utf8')).toBe('first');
    expect(restoreUnit(cache, 'azure-dev-' + 'b'.repeat(40), path.join(restored, 'other'))).toBeUndefined();
  });

  test('only the most recently used few of each environment and cloud are kept, and no leftovers', () => {
    const cache = tempDir();
    const names = Array.from({ length: 9 }, (_, i) => `azure-dev-${String(i).repeat(40)}`);
    names.forEach((name, i) => {
      storeUnit(cache, name, unit(name), result);
      const time = new Date(Date.now() - (10 - i) * 60_000);
      fs.utimesSync(path.join(cache, name), time, time);
    });
    storeUnit(cache, `aws-dev-${'f'.repeat(40)}`, unit('aws'), result);
    fs.mkdirSync(path.join(cache, 'tmp-999999999-dead'));
    pruneCache(cache);
    expect(fs.readdirSync(cache).sort()).toEqual([`aws-dev-${'f'.repeat(40)}`, ...names.slice(3)].sort());
  });
});
