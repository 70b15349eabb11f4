import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Environment } from '../../../lib/core';
import { Stack } from 'aws-cdk-lib';
import { CfnSubnet } from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';
import { buildAwsApp } from '../../../stacks/aws';
import { buildAzureApp } from '../../../stacks/azure';
import { UsageError } from '../../../bin/cli/command';
import { loadDelivery, loadEnvironments, selectEnvironments } from '../../../stacks/environments';
import { SOURCES_FILE, sourceDigests, writeSourceRecord } from '../../../bin/cli/sources';
import {
  defaultJobs,
  formatReused,
  formatSummary,
  parseSynthArgs,
  SynthesisError,
  synthesize,
  type SynthRow,
} from '../../../bin/cli/synth';
import { expectedRows, firstOfTier } from '../../util/expected-stacks';
import { errorOf } from '../../util/fixtures';
import { sharedSynthesis } from '../../util/shared-synthesis';
import { temporaryFolders } from '../../util/temp';

const environments = loadEnvironments();
const delivery = loadDelivery();
const tempDir = temporaryFolders('platform-synth-');

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

// A development-tier and a production-tier environment: tests about one environment take these, so that they hold
// whatever the environment list holds.
const development = firstOfTier('development');
const production = firstOfTier('production');

/** Sets an environment variable back to what it was. */
function restoreVariable(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A subnet in a fixed zone, not acknowledged: CloudFormation Validate reports it (W3010) and lets it pass. */
function addOpenFinding(app: IConstruct): void {
  const foundation = app.node.tryFindChild(`platform-${development.name}`)?.node.tryFindChild('foundation');
  if (foundation instanceof Stack) {
    new CfnSubnet(foundation, 'PinnedSubnet', {
      vpcId: 'vpc-0123456789abcdef0',
      cidrBlock: '10.10.250.0/24',
      availabilityZone: 'eu-west-1c',
    });
  }
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
      '--cloud: "gcp" - use aws or azure; "--verbose" is not an option; --env needs an environment name\n  npm run synth -- [--env NAME[,NAME...]]... [--cloud aws|azure] [--no-validation] [--out DIR] [--jobs N] [--force]',
    );
  });

  test('--jobs takes a number of worker processes, --force rebuilds what the cache holds', () => {
    expect(parseSynthArgs(['--jobs', '3', '--force'])).toEqual({
      environments: [],
      clouds: ['aws', 'azure'],
      validation: true,
      jobs: 3,
      force: true,
    });
    expect(parseSynthArgs(['--jobs=1']).jobs).toBe(1);
    expect(() => parseSynthArgs(['--jobs', '0'])).toThrow(/--jobs: "0" - use a number of processes, 1 or more/);
    expect(() => parseSynthArgs(['--jobs', 'all'])).toThrow(/--jobs: "all" - use a number of processes/);
  });
});

describe('selectEnvironments', () => {
  test('keeps definition order', () => {
    expect(selectEnvironments(environments, ['prod', 'dev']).map((e) => e.name)).toEqual(['dev', 'prod']);
  });

  test('unknown names are listed with the names there are', () => {
    const known = environments.map((e) => e.name);
    const unknown = ['no-such-env', 'nor-this-one'];
    expect(known).not.toContain(unknown[0]);
    expect(known).not.toContain(unknown[1]);
    expect(() => selectEnvironments(environments, [unknown[0]!, production.name, unknown[1]!])).toThrow(
      `Unknown environment (2 problems):\n  - --env: "no-such-env" - not an environment; use one of ${known.join(', ')}\n  - --env: "nor-this-one" - not an environment; use one of ${known.join(', ')}`,
    );
  });
});

describe('synthesize', () => {
  test('writes both clouds and reports each stack with its resource count and output path', async () => {
    // The run's shared synthesis of the example environments (test/util/shared-synthesis.ts) is synthesize()'s.
    const { folder, rows } = await sharedSynthesis('plain');
    // Each AWS stage has its foundation, its compute stack when it has servers, a workload stack per stack number its
    // services and jobs hash to, and in the production tiers the backup-copy stack; Azure has one stack per
    // environment (environments in their order, AWS first, stacks of an environment and cloud by name).
    expect(rows.map((r) => [r.environment, r.cloud, r.stack])).toEqual(expectedRows(environments, delivery));
    // As the example environments are today: every one has servers, services and jobs, in workload stacks 2 and 7.
    expect(rows.filter((r) => r.environment === development.name).map((r) => r.stack)).toEqual([
      `platform-${development.name}-compute`,
      `platform-${development.name}-foundation`,
      `platform-${development.name}-workloads-2`,
      `platform-${development.name}-workloads-7`,
      `platform-${development.name}`,
    ]);
    expect(rows.filter((r) => r.environment === production.name).map((r) => r.stack)).toEqual([
      `platform-${production.name}-backup-copy`,
      `platform-${production.name}-compute`,
      `platform-${production.name}-foundation`,
      `platform-${production.name}-workloads-2`,
      `platform-${production.name}-workloads-7`,
      `platform-${production.name}`,
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
    // The header, its rule and a line per stack.
    expect(table).toHaveLength(2 + expectedRows(environments, delivery).length);
    expect(fs.readdirSync(folder).sort()).toEqual(['cdk.out', 'cdktf.out']);
  });

  test('the output holds no path of this machine, so every checkout synthesizes the same bytes', async () => {
    const { folder: dir } = await sharedSynthesis('plain');
    const root = path.resolve(__dirname, '../../..');
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
      environments: [development],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    });
    const before = readTree(dir);
    // An environment that slipped past the spec (hand-built): the Azure Network refuses it after the AWS side
    // was already synthesized, so the AWS output must not be swapped in either.
    const broken: Environment = {
      ...production,
      network: { ...production.network, azureSubnets: { workloads: '', data: '', apps: '' } },
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
      ...production,
      protection: { ...production.protection, terminationProtection: false },
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
      `platform-${production.name}-foundation is a production-tier stack without termination protection`,
    );

    // The next successful synthesis removes the stale report.
    await synthesize({ environments: [development], clouds: ['aws'], validation: false, cdkOut });
    expect(fs.readdirSync(dir)).toEqual(['cdk.out']);
  });

  test('guardrail failures on both clouds are reported together, and nothing is written', async () => {
    const dir = tempDir();
    const cdkOut = path.join(dir, 'cdk.out');
    const cdktfOut = path.join(dir, 'cdktf.out');
    await synthesize({
      environments: [development],
      clouds: ['aws', 'azure'],
      validation: false,
      cdkOut,
      cdktfOut,
    });
    const before = readTree(dir);
    // Hand-built past the spec: production data that is not retained fails a guardrail on each cloud.
    const unretained: Environment = {
      ...production,
      protection: { ...production.protection, retainData: false },
    };
    // In worker processes: their errors reach this one whole.
    const error = await synthesize({
      environments: [unretained],
      clouds: ['aws', 'azure'],
      validation: false,
      jobs: 2,
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
      environments: [development],
      clouds: ['azure'],
      validation: false,
      cdkOut: path.join(dir, 'cdk.out'),
      cdktfOut: path.join(dir, 'cdktf.out'),
    });
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', SOURCES_FILE), 'utf8')) as {
      files: Record<string, string>;
    };
    expect(record.files).toEqual(sourceDigests());
    // The SHA-1 of each file's bytes, as `sha1sum` prints it.
    const root = path.resolve(__dirname, '../../..');
    const sha1 = (file: string): string =>
      crypto
        .createHash('sha1')
        .update(fs.readFileSync(path.join(root, file)))
        .digest('hex');
    expect(record.files['bin/cli/synth.ts']).toBe(sha1('bin/cli/synth.ts'));
    expect(record.files['stacks/environments/index.ts']).toBe(sha1('stacks/environments/index.ts'));
    expect(Object.keys(record.files)).toEqual(
      expect.arrayContaining([
        'bin/platform.ts',
        'bin/cli/synth.ts',
        'stacks/aws/index.ts',
        'stacks/environments/index.ts',
        'lib/core/index.ts',
        'cdk.json',
        'package-lock.json',
      ]),
    );
  });
});

describe('formatReused', () => {
  const row = (environment: string, cloud: 'aws' | 'azure', reused: boolean): SynthRow => ({
    environment,
    cloud,
    stack: `platform-${environment}`,
    resources: 1,
    output: 'x',
    reused,
  });

  test('one line per environment taken from the cache, none when everything was synthesized', () => {
    expect(
      formatReused([
        row('dev', 'aws', true),
        row('dev', 'aws', true),
        row('dev', 'azure', true),
        row('prod', 'aws', false),
      ]),
    ).toBe('dev: unchanged since it was last synthesized, aws and azure reused; --force synthesizes it again');
    expect(formatReused([row('dev', 'aws', false)])).toBe('');
  });
});

// `npm run synth` synthesizes each environment on each cloud as an App of its own, in this process (--jobs 1) or
// in worker processes, or copies it from the cache, and assembles the output. It must be the output of one App
// holding every environment, as synthesis wrote it before, every file byte for byte, with the schema validation
// on (aws-cdk-lib writes its report once for the whole App) and off.
describe('byte for byte the output of one App holding every environment and the delivery pipeline', () => {
  /** Every file of the one-App output, validation on. */
  let reference: Record<string, string>;
  const validation = process.env.CDK_VALIDATION;

  beforeAll(() => {
    // test/util/setup-env.ts turns the validation off for unit tests.
    delete process.env.CDK_VALIDATION;
    const dir = tempDir();
    const appMode = process.env.CDK_APP_MODE;
    process.env.CDK_APP_MODE = 'inmemory';
    try {
      buildAwsApp({ environments, delivery, outdir: path.join(dir, 'cdk.out'), validation: true }).synth();
      buildAzureApp({ environments, outdir: path.join(dir, 'cdktf.out') }).synth();
    } finally {
      if (appMode === undefined) delete process.env.CDK_APP_MODE;
      restoreVariable('CDK_VALIDATION', validation);
    }
    for (const out of ['cdk.out', 'cdktf.out']) writeSourceRecord(path.join(dir, out), sourceDigests());
    reference = readTree(dir);
  });

  /** A tree without its validation report, and the report's plugin reports. */
  const withoutReport = (tree: Record<string, string>): [Record<string, string>, unknown] => {
    const { 'cdk.out/validation-report.json': report, ...rest } = tree;
    return [
      rest,
      (JSON.parse(Buffer.from(report!, 'base64').toString('utf8')) as { pluginReports: unknown }).pluginReports,
    ];
  };

  test('one environment at a time in this process (--jobs 1), validation on', async () => {
    const { folder } = await sharedSynthesis('validated');
    expect(readTree(folder)).toEqual(reference);
  });

  test('in worker processes (--jobs 2), and again from the cache, validation off', async () => {
    const dir = tempDir();
    const options = {
      environments,
      delivery,
      clouds: ['aws', 'azure'] as const,
      validation: false,
      jobs: 2,
      cache: path.join(tempDir(), 'cache'),
      cdkOut: path.join(dir, 'cdk.out'),
      cdktfOut: path.join(dir, 'cdktf.out'),
    };
    const rows = await synthesize(options);
    const inWorkers = readTree(dir);
    // The same as --jobs 1 with the validation off, and as the one App but for the schema validation's findings.
    expect(inWorkers).toEqual(readTree((await sharedSynthesis('plain')).folder));
    const [files, plugins] = withoutReport(inWorkers);
    expect(files).toEqual(withoutReport(reference)[0]);
    expect(plugins).toEqual([]);
    expect(rows.every((r) => !r.reused)).toBe(true);

    const again = await synthesize(options);
    expect(readTree(dir)).toEqual(inWorkers);
    expect(again.every((r) => r.reused)).toBe(true);
    const described = (list: readonly SynthRow[]): string[] => list.map((r) => `${r.stack} ${r.resources} ${r.output}`);
    expect(described(again)).toEqual(described(rows));
  });

  // Where the example environments do not reach: a CloudFormation Validate finding left open beside acknowledged
  // ones of the same and of other rules (the report lists them in the order the validator found them, which the
  // environments' own reports do not keep: their units record it), and a construct tree past aws-cdk-lib's limit of
  // nodes per tree.json file, which it splits into trees-N.json files.
  test('an open validation finding and a split construct tree, validation on', async () => {
    // aws-cdk-lib prints the open finding as a warning.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const saved = { validation: process.env.CDK_VALIDATION, context: process.env.CDK_CONTEXT_JSON };
    delete process.env.CDK_VALIDATION;
    process.env.CDK_CONTEXT_JSON = JSON.stringify({
      ...(JSON.parse(saved.context ?? '{}') as object),
      '@aws-cdk/core.TreeMetadata:maxNodes': 250,
    });
    process.env.CDK_APP_MODE = 'inmemory';
    try {
      const one = path.join(tempDir(), 'cdk.out');
      const app = buildAwsApp({ environments: [development, production], outdir: one, validation: true });
      addOpenFinding(app);
      app.synth();
      writeSourceRecord(one, sourceDigests());

      const units = path.join(tempDir(), 'cdk.out');
      await synthesize({
        environments: [development, production],
        clouds: ['aws'],
        validation: true,
        customize: addOpenFinding,
        cdkOut: units,
      });
      const expected = readTree(one);
      expect(readTree(units)).toEqual(expected);

      // What the test is about is in the output: the tree is split, and one rule has both open and acknowledged
      // findings beside rules with acknowledged ones only.
      expect(Object.keys(expected)).toEqual(expect.arrayContaining(['tree.json', 'trees-1.json', 'trees-2.json']));
      const report = JSON.parse(Buffer.from(expected['validation-report.json']!, 'base64').toString('utf8')) as {
        pluginReports: { pluginName: string; violations: { description: string }[]; suppressedViolations: unknown[] }[];
      };
      const validate = report.pluginReports.find((r) => r.pluginName === 'CloudFormation Validate')!;
      expect(validate.violations.map((v) => v.description)).toEqual([
        "AvailabilityZone: Avoid hardcoding availability zones 'eu-west-1c'",
      ]);
      expect(validate.suppressedViolations.length).toBeGreaterThan(3);
    } finally {
      delete process.env.CDK_APP_MODE;
      restoreVariable('CDK_VALIDATION', saved.validation);
      restoreVariable('CDK_CONTEXT_JSON', saved.context);
    }
  });
});

describe('defaultJobs', () => {
  const saved = process.env.PLATFORM_SYNTH_JOBS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PLATFORM_SYNTH_JOBS;
    else process.env.PLATFORM_SYNTH_JOBS = saved;
  });

  test('one worker per core, unless PLATFORM_SYNTH_JOBS (set by the review for each of its two sides) says otherwise', () => {
    delete process.env.PLATFORM_SYNTH_JOBS;
    expect(defaultJobs()).toBe(os.availableParallelism());
    process.env.PLATFORM_SYNTH_JOBS = '1';
    expect(defaultJobs()).toBe(1);
    process.env.PLATFORM_SYNTH_JOBS = 'many';
    expect(defaultJobs()).toBe(os.availableParallelism());
  });
});
