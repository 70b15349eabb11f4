import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Environment } from '../../lib/core';
import { UsageError } from '../../stacks/cli';
import { loadEnvironments, selectEnvironments } from '../../stacks/environments';
import { SOURCES_FILE, sourceDigests } from '../../stacks/sources';
import { formatSummary, parseSynthArgs, SynthesisError, synthesize } from '../../stacks/synth';
import { errorOf } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const environments = loadEnvironments();
const tempDir = temporaryFolders('platform-synth-');

/** Every environment, both clouds, validation off, into `dir`/cdk.out and `dir`/cdktf.out. */
function synthAllInto(dir: string): ReturnType<typeof synthesize> {
  return synthesize({
    environments,
    clouds: ['aws', 'azure'],
    validation: false,
    cdkOut: path.join(dir, 'cdk.out'),
    cdktfOut: path.join(dir, 'cdktf.out'),
  });
}

/** Every file under a folder, with its bytes, by relative path. */
function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(root);
  return out;
}

describe('parseSynthArgs', () => {
  test('defaults: every environment, both clouds, validation on', () => {
    expect(parseSynthArgs([])).toEqual({ environments: [], clouds: ['aws', 'azure'], validation: true });
  });

  test('--env takes one name, a comma list, repeats and the = form', () => {
    expect(parseSynthArgs(['--env', 'dev,staging', '--env=prod']).environments).toEqual(['dev', 'staging', 'prod']);
  });

  test('--cloud and --no-validation', () => {
    expect(parseSynthArgs(['--cloud', 'azure', '--no-validation'])).toEqual({
      environments: [],
      clouds: ['azure'],
      validation: false,
    });
  });

  test('--out names the folder that receives cdk.out/ and cdktf.out/', () => {
    expect(parseSynthArgs(['--out', '/tmp/head']).out).toBe('/tmp/head');
    expect(parseSynthArgs([]).out).toBeUndefined();
    expect(() => parseSynthArgs(['--out'])).toThrow(/--out needs a folder/);
  });

  test('every wrong argument is reported at once, with the usage', () => {
    const error = errorOf(() => parseSynthArgs(['--cloud', 'gcp', '--verbose', '--env']));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      '--cloud: "gcp" - use aws or azure; "--verbose" is not an option; --env needs an environment name\n  npm run synth -- [--env NAME[,NAME...]]... [--cloud aws|azure] [--no-validation] [--out DIR]',
    );
  });
});

describe('selectEnvironments', () => {
  test('keeps definition order', () => {
    expect(selectEnvironments(environments, ['prod', 'dev']).map((e) => e.name)).toEqual(['dev', 'prod']);
  });

  test('unknown names are listed with the names there are', () => {
    expect(() => selectEnvironments(environments, ['qa', 'prod', 'uat'])).toThrow(
      'Unknown environment (2 problems):\n  - --env: "qa" - not an environment; use one of dev, staging, prod\n  - --env: "uat" - not an environment; use one of dev, staging, prod',
    );
  });
});

describe('synthesize', () => {
  test('writes both clouds and reports each stack with its resource count and output path', async () => {
    const dir = tempDir();
    const rows = await synthAllInto(dir);
    // Every environment defines servers, so each AWS stage has its compute stack beside the foundation, and
    // services and jobs, in the workload stacks their names hash to (2 and 7), and the production tiers have their
    // backup-copy stack; Azure has one stack per environment (stacks of an environment and cloud are listed by
    // name).
    expect(rows.map((r) => [r.environment, r.cloud, r.stack])).toEqual([
      ['dev', 'aws', 'platform-dev-compute'],
      ['dev', 'aws', 'platform-dev-foundation'],
      ['dev', 'aws', 'platform-dev-workloads-2'],
      ['dev', 'aws', 'platform-dev-workloads-7'],
      ['dev', 'azure', 'platform-dev'],
      ['staging', 'aws', 'platform-staging-backup-copy'],
      ['staging', 'aws', 'platform-staging-compute'],
      ['staging', 'aws', 'platform-staging-foundation'],
      ['staging', 'aws', 'platform-staging-workloads-2'],
      ['staging', 'aws', 'platform-staging-workloads-7'],
      ['staging', 'azure', 'platform-staging'],
      ['prod', 'aws', 'platform-prod-backup-copy'],
      ['prod', 'aws', 'platform-prod-compute'],
      ['prod', 'aws', 'platform-prod-foundation'],
      ['prod', 'aws', 'platform-prod-workloads-2'],
      ['prod', 'aws', 'platform-prod-workloads-7'],
      ['prod', 'azure', 'platform-prod'],
    ]);
    for (const row of rows) {
      const file = path.resolve(row.output);
      expect(fs.existsSync(file)).toBe(true);
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        Resources?: object;
        resource?: Record<string, object>;
      };
      const count =
        row.cloud === 'aws'
          ? Object.keys(json.Resources ?? {}).length
          : Object.values(json.resource ?? {}).reduce((n, r) => n + Object.keys(r).length, 0);
      expect(row.resources).toBe(count);
    }
    const table = formatSummary(rows).split('\n');
    expect(table[0]).toMatch(/^environment\s+cloud\s+stack\s+resources\s+output$/);
    // The header, its rule and the seventeen stacks.
    expect(table).toHaveLength(19);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk.out', 'cdktf.out']);
  });

  test('two synths of the same code are byte-identical', async () => {
    const a = tempDir();
    const b = tempDir();
    for (const dir of [a, b]) {
      await synthAllInto(dir);
    }
    const treeA = readTree(a);
    expect(Object.keys(treeA).length).toBeGreaterThan(10);
    expect(readTree(b)).toEqual(treeA);
  });

  test('the output holds no path of this machine, so every checkout synthesizes the same bytes', async () => {
    const dir = tempDir();
    await synthAllInto(dir);
    const root = path.resolve(__dirname, '../..');
    const tree = readTree(dir);
    const withPaths = Object.keys(tree).filter((file) => {
      const text = Buffer.from(tree[file]!, 'base64').toString('utf8');
      return text.includes(root) || text.includes(dir) || text.includes(os.homedir());
    });
    expect(withPaths).toEqual([]);
  });

  test('a failure leaves the previous output untouched and no temporary folder behind', async () => {
    const dir = tempDir();
    const cdkOut = path.join(dir, 'cdk.out');
    const cdktfOut = path.join(dir, 'cdktf.out');
    await synthesize({
      environments: [environments[0]!],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    });
    const before = readTree(dir);
    // An environment that slipped past the spec (hand-built): the Azure Network refuses it after the AWS side
    // was already synthesized, so the AWS output must not be swapped in either.
    const broken: Environment = {
      ...environments[2]!,
      network: { ...environments[2]!.network, azureSubnets: { workloads: '', data: '', apps: '' } },
    };
    await expect(
      synthesize({ environments: [broken], clouds: ['aws', 'azure'], validation: false, cdkOut, cdktfOut }),
    ).rejects.toThrow(/Invalid Network props/);
    expect(readTree(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk.out', 'cdktf.out']);
  });

  test('a guardrail failure names the rule, keeps the report beside cdk.out and writes nothing', async () => {
    const dir = tempDir();
    const cdkOut = path.join(dir, 'cdk.out');
    const cdktfOut = path.join(dir, 'cdktf.out');
    // Hand-built past the spec, which refuses it: a production environment without termination protection.
    const unprotected: Environment = {
      ...environments[2]!,
      protection: { ...environments[2]!.protection, terminationProtection: false },
    };
    const error = await synthesize({
      environments: [unprotected],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    }).then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/^Synthesis failed on aws: /);
    expect(error.message).toContain('Platform-TerminationProtection');
    expect(error.message).toContain(
      `the full report is in ${path.relative(process.cwd(), `${cdkOut}.validation-report.json`)}`,
    );
    // Azure, which has no such rule, was synthesized all the same, and then dropped with the AWS output.
    expect(error.message).toMatch(
      /\n\nazure synthesized without errors, but nothing was written \(all clouds or none\): \S+cdk\.out\/ and \S+cdktf\.out\/ do not exist\.$/,
    );
    expect(fs.readdirSync(dir)).toEqual(['cdk.out.validation-report.json']);
    const report = JSON.parse(fs.readFileSync(`${cdkOut}.validation-report.json`, 'utf8'));
    expect(JSON.stringify(report)).toContain(
      'platform-prod-foundation is a production-tier stack without termination protection',
    );

    // The next successful synthesis removes the stale report.
    await synthesize({ environments: [environments[0]!], clouds: ['aws'], validation: false, cdkOut });
    expect(fs.readdirSync(dir)).toEqual(['cdk.out']);
  });

  test('guardrail failures on both clouds are reported together, and nothing is written', async () => {
    const dir = tempDir();
    const cdkOut = path.join(dir, 'cdk.out');
    const cdktfOut = path.join(dir, 'cdktf.out');
    await synthesize({
      environments: [environments[0]!],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    });
    const before = readTree(dir);
    // Hand-built past the spec: production data that is not retained fails a guardrail on each cloud.
    const unretained: Environment = {
      ...environments[2]!,
      protection: { ...environments[2]!.protection, retainData: false },
    };
    const error = await synthesize({
      environments: [unretained],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    }).then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(SynthesisError);
    expect((error as SynthesisError).failures.map((f) => f.cloud)).toEqual(['aws', 'azure']);
    const [heading, aws, azure] = error.message.split(/\n\n(?=aws:\n|azure:\n)/);
    expect(heading).toBe('Synthesis failed on aws and azure:');
    expect(aws).toContain('Platform-StatefulRetained');
    expect(azure).toContain('PC_AZURE_PREVENT_DESTROY');
    expect(azure).not.toContain('skipValidation');
    expect(error.message).toMatch(
      /\n\nNothing was written: \S+cdk\.out\/ and \S+cdktf\.out\/ hold the previous output\.$/,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk.out', 'cdk.out.validation-report.json', 'cdktf.out']);
    fs.rmSync(`${cdkOut}.validation-report.json`);
    expect(readTree(dir)).toEqual(before);
  });

  test('each output folder records the sources it was synthesized from', async () => {
    const dir = tempDir();
    await synthesize({
      environments: [environments[0]!],
      clouds: ['azure'],
      validation: false,
      cdkOut: path.join(dir, 'cdk.out'),
      cdktfOut: path.join(dir, 'cdktf.out'),
    });
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', SOURCES_FILE), 'utf8')) as {
      files: Record<string, string>;
    };
    expect(record.files).toEqual(sourceDigests());
    expect(Object.keys(record.files)).toEqual(
      expect.arrayContaining([
        'bin/platform.ts',
        'stacks/synth.ts',
        'lib/core/index.ts',
        'cdk.json',
        'package-lock.json',
      ]),
    );
  });
});
