import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DELIVERY_PIPELINE_NAME } from '../../../lib/core';
import { buildAwsApp } from '../../../stacks/aws';
import { loadDelivery, loadEnvironments } from '../../../stacks/environments';
import { sourceDigests, writeSourceRecord } from '../../../bin/cli/sources';
import { deliveryInRun, formatReused, formatSummary, synthesize, type SynthRow } from '../../../bin/cli/synth';
import { planBatches, type UnitJob } from '../../../bin/cli/synth-pool';
import { expectedRows, firstOfTier } from '../../util/expected-stacks';
import { temporaryFolders } from '../../util/temp';

// `npm run synth` with the delivery (bin/platform.ts passes loadDelivery()): with every environment on AWS, cdk.out/
// also holds the pipeline stack, byte for byte as the one App of every environment and the delivery writes it
// (the counterpart of test/bin/cli/synth.test.ts "byte for byte the output of one App holding every environment").

const environments = loadEnvironments();
const delivery = loadDelivery();
const tempDir = temporaryFolders('platform-synth-delivery-');

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

/** Sets an environment variable back to what it was. */
function restoreVariable(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The summary rows of the pipeline's stacks: those of no environment. */
const pipelineRows = (rows: readonly SynthRow[]): SynthRow[] =>
  rows.filter((r) => !environments.some((e) => e.name === r.environment));

describe('the delivery pipeline in npm run synth', () => {
  test('the example delivery has an AWS pipeline over every environment, so the cases below are about something', () => {
    expect(delivery.aws?.account).toMatch(/^\d{12}$/);
    expect(delivery.environments.map((e) => e.name)).toEqual(environments.map((e) => e.name));
  });

  test('every environment on AWS, validation on, in worker processes: byte for byte the one App with the delivery; again from the cache', async () => {
    // test/util/setup-env.ts turns the validation off for unit tests; `npm run synth` runs it.
    const validation = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    try {
      const one = path.join(tempDir(), 'cdk.out');
      const appMode = process.env.CDK_APP_MODE;
      process.env.CDK_APP_MODE = 'inmemory';
      try {
        buildAwsApp({ environments, delivery, outdir: one, validation: true }).synth();
      } finally {
        restoreVariable('CDK_APP_MODE', appMode);
      }
      writeSourceRecord(one, sourceDigests());
      const reference = readTree(one);
      // What the test is about is in the reference: the pipeline stack beside the environments' nested assemblies.
      expect(Object.keys(reference)).toEqual(
        expect.arrayContaining([
          `${DELIVERY_PIPELINE_NAME}.template.json`,
          ...environments.map((e) => `assembly-platform-${e.name}/manifest.json`),
        ]),
      );

      const dir = tempDir();
      const notes: string[] = [];
      const options = {
        environments,
        delivery,
        clouds: ['aws', 'azure'] as const,
        validation: true,
        jobs: 2,
        cache: path.join(tempDir(), 'cache'),
        cdkOut: path.join(dir, 'cdk.out'),
        cdktfOut: path.join(dir, 'cdktf.out'),
        warn: (message: string) => notes.push(message),
      };
      const rows = await synthesize(options);
      const written = readTree(path.join(dir, 'cdk.out'));
      expect(written).toEqual(reference);
      expect(notes).toEqual([]);
      expect(rows.every((r) => !r.reused)).toBe(true);

      // The environments' rows as without the delivery, then the pipeline's, environment `delivery`.
      const described = rows.map((r) => [r.environment, r.cloud, r.stack]);
      const own = pipelineRows(rows);
      expect(described.slice(0, described.length - own.length)).toEqual(expectedRows(environments));
      expect(own.map((r) => [r.environment, r.cloud])).toEqual(own.map(() => ['delivery', 'aws']));
      expect(own.map((r) => r.stack)).toContain(DELIVERY_PIPELINE_NAME);
      const pipeline = own.find((r) => r.stack === DELIVERY_PIPELINE_NAME)!;
      const template = JSON.parse(fs.readFileSync(path.resolve(pipeline.output), 'utf8')) as { Resources: object };
      expect(pipeline.resources).toBe(Object.keys(template.Resources).length);
      expect(path.resolve(pipeline.output)).toBe(path.join(dir, 'cdk.out', `${DELIVERY_PIPELINE_NAME}.template.json`));
      const table = formatSummary(rows).split('\n');
      expect(table.at(-own.length)).toMatch(new RegExp(`^delivery\\s+aws\\s+${DELIVERY_PIPELINE_NAME}\\s+\\d+\\s`));

      // Nothing changed: every unit, the delivery's included, is taken from the cache, and the output is the same.
      const again = await synthesize(options);
      expect(readTree(path.join(dir, 'cdk.out'))).toEqual(reference);
      expect(again.every((r) => r.reused)).toBe(true);
      expect(again.map((r) => `${r.environment} ${r.stack} ${r.resources} ${r.output}`)).toEqual(
        rows.map((r) => `${r.environment} ${r.stack} ${r.resources} ${r.output}`),
      );
      expect(formatReused(again).split('\n').at(-1)).toBe(
        'delivery: unchanged since it was last synthesized, aws reused; --force synthesizes it again',
      );
    } finally {
      restoreVariable('CDK_VALIDATION', validation);
    }
  });

  test('a subset of the environments leaves the pipeline out, and npm run synth prints one line after the table saying so', async () => {
    const development = firstOfTier('development');
    const dir = tempDir();
    const notes: string[] = [];
    const rows = await synthesize({
      environments: [development],
      delivery,
      clouds: ['aws'],
      validation: false,
      cdkOut: path.join(dir, 'cdk.out'),
      warn: (message) => notes.push(message),
    });
    expect(notes).toEqual([]);
    expect(deliveryInRun(delivery, [development], ['aws'])).toEqual({
      note:
        `The delivery pipeline ${DELIVERY_PIPELINE_NAME} is left out: its waves are every environment ` +
        `(${environments.map((e) => e.name).join(', ')}), and this run synthesizes only ${development.name}.`,
    });
    expect(pipelineRows(rows)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'cdk.out', `${DELIVERY_PIPELINE_NAME}.template.json`))).toBe(false);
    expect(rows.map((r) => r.environment)).toEqual(rows.map(() => development.name));
  });

  test('the delivery unit is planned as the longest process, costing its environments and one more for the pipeline', () => {
    const azure: UnitJob[] = environments.map((environment) => ({
      id: `azure:${environment.name}`,
      cloud: 'azure',
      environment,
      outdir: `/work/azure-${environment.name}`,
    }));
    const unit: UnitJob = { id: 'aws:delivery', cloud: 'aws', delivery, outdir: '/work/aws-delivery' };
    for (const jobs of [1, 2, 8]) {
      // In each process its units largest first: the order of the Azure environments is not what this is about.
      const batches = planBatches([...azure, unit], jobs, true).map((b) => b.map((u) => u.id).sort());
      expect(batches).toEqual([['aws:delivery'], azure.map((u) => u.id).sort()]);
    }
  });

  test('deliveryInRun: the pipeline with AWS and every environment; a note on a subset; nothing without AWS', () => {
    const production = firstOfTier('production');
    expect(deliveryInRun(delivery, environments, ['aws', 'azure'])).toBe(delivery);
    expect(deliveryInRun(delivery, environments, ['azure'])).toBeUndefined();
    expect(deliveryInRun(undefined, environments, ['aws'])).toBeUndefined();
    expect(deliveryInRun({ ...delivery, aws: undefined }, environments, ['aws'])).toBeUndefined();
    // The same environments in another order are not the pipeline's waves.
    expect(deliveryInRun(delivery, [...environments].reverse(), ['aws'])).toEqual({
      note: expect.stringContaining('is left out') as string,
    });
    const subset = deliveryInRun(delivery, [firstOfTier('development'), production], ['aws']);
    expect(subset).toEqual({
      note: expect.stringMatching(
        new RegExp(`this run synthesizes only ${firstOfTier('development').name} and ${production.name}\\.$`),
      ) as string,
    });
  });
});

describe('npm run synth (bin/platform.ts) and the delivery', () => {
  const root = path.resolve(__dirname, '../../..');
  const run = (args: readonly string[], checkout = root): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/platform.ts', ...args], {
      cwd: checkout,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', PLATFORM_DEBUG: '', PLATFORM_SYNTH_CACHE: tempDir() },
    });

  test('--env with a subset on AWS: the summary, then one line saying the pipeline is left out; not an error', () => {
    const development = firstOfTier('development');
    const out = tempDir();
    const result = run(['--env', development.name, '--cloud', 'aws', '--no-validation', '--out', out]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^environment\s+cloud\s+stack/);
    expect(lines.at(-1)).toBe((deliveryInRun(delivery, [development], ['aws']) as { note: string }).note);
    expect(lines.filter((l) => l.startsWith('delivery '))).toEqual([]);
    expect(fs.readdirSync(path.join(out, 'cdk.out'))).not.toContain(`${DELIVERY_PIPELINE_NAME}.template.json`);
  });

  test('a delivery SpecError is reported like an environment one, whatever is selected, and nothing is written', () => {
    // A checkout of its own whose delivery file is broken: bin/, stacks/ and the configuration copied, lib/ and
    // node_modules/ linked.
    const checkout = tempDir();
    for (const entry of ['bin', 'stacks', 'package.json', 'cdk.json', 'cdktf.json', 'tsconfig.json']) {
      fs.cpSync(path.join(root, entry), path.join(checkout, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, 'lib'), path.join(checkout, 'lib'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(checkout, 'node_modules'));
    const file = path.join(checkout, 'stacks', 'environments', 'delivery.ts');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace(/branch: '[^']*'/, "branch: 'a..b'"));
    expect(fs.readFileSync(file, 'utf8')).not.toBe(text);
    const out = tempDir();
    for (const args of [[], ['--env', firstOfTier('development').name, '--cloud', 'azure']]) {
      const result = run([...args, '--no-validation', '--out', out], checkout);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^Invalid delivery \(1 problem\):\n {2}- delivery\.branch: "a\.\.b" - a branch name .*\n$/,
      );
      expect(fs.readdirSync(out)).toEqual([]);
    }
  });
});
