import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StaleOutputError } from '../../../bin/cli/check';
import { UsageError } from '../../../bin/cli/command';
import { parseReportArgs, REPORT_USAGE, runReport, writeAtomically } from '../../../bin/cli/report';
import { sourceDigests, SOURCES_FILE } from '../../../bin/cli/sources';
import { sharedSynthesis } from '../../util/shared-synthesis';
import { temporaryFolders } from '../../util/temp';

const root = path.resolve(__dirname, '..', '..', '..');
const tempDir = temporaryFolders('platform-report-cli-');
let shared: string;

beforeAll(async () => {
  shared = (await sharedSynthesis('plain')).folder;
});

/** A copy of the shared output to edit. */
function copyOfOutput(): string {
  const copy = path.join(tempDir(), 'output');
  fs.cpSync(shared, copy, { recursive: true });
  return copy;
}

describe('parseReportArgs', () => {
  test('the defaults: every environment, both clouds, report/, the guardrails run', () => {
    expect(parseReportArgs([])).toEqual({ environments: [], clouds: ['aws', 'azure'], out: 'report', check: true });
  });

  test('environments, one cloud, a base, another folder, no guardrails', () => {
    expect(
      parseReportArgs(['--env', 'dev,prod', '--cloud=azure', '--base', 'main', '--out', 'site', '--no-check']),
    ).toEqual({ environments: ['dev', 'prod'], clouds: ['azure'], base: 'main', out: 'site', check: false });
  });

  test('every problem at once, each naming the option and what it allows, then the usage', () => {
    let error: unknown;
    try {
      parseReportArgs(['--cloud', 'gcp', '--base', 'main', '--base-dir', '/nowhere', '--env', '--bogus', '--out']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      [
        '--cloud: "gcp" - one of aws, azure; --base-dir: "/nowhere" is not a folder; --env needs an environment name; ' +
          '"--bogus" is not an option; --out needs a folder',
        `  ${REPORT_USAGE}`,
      ].join('\n'),
    );
  });

  test('--base and --base-dir together are refused', () => {
    expect(() => parseReportArgs(['--base', 'main', '--base-dir', root])).toThrow(
      '--base and --base-dir: give one of them',
    );
  });
});

describe('runReport refuses what it cannot draw', () => {
  test('no synthesized output: run npm run synth first, nothing written', async () => {
    const empty = tempDir();
    const out = path.join(empty, 'report');
    await expect(
      runReport(
        { environments: [], clouds: ['aws', 'azure'], out, check: false },
        { root, outputs: empty, log: () => undefined },
      ),
    ).rejects.toThrow(
      `${path.join(empty, 'cdk.out')}/ holds no synthesized output; ${path.join(empty, 'cdktf.out')}/ holds no synthesized output: run npm run synth first.`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('output synthesized from other sources is stale: refused, naming what changed', async () => {
    const copy = copyOfOutput();
    const record = path.join(copy, 'cdk.out', SOURCES_FILE);
    const json = JSON.parse(fs.readFileSync(record, 'utf8')) as { files: Record<string, string> };
    json.files['lib/core/gone.ts'] = '0'.repeat(40);
    fs.writeFileSync(record, JSON.stringify(json));
    const out = path.join(copy, 'report');
    const error = await runReport(
      { environments: [], clouds: ['aws'], out, check: false },
      { root, outputs: copy, log: () => undefined },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleOutputError);
    expect((error as Error).message).toContain('lib/core/gone.ts (removed)');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an environment that does not exist is named with those that do', async () => {
    await expect(
      runReport(
        { environments: ['qa'], clouds: ['aws'], out: path.join(tempDir(), 'r'), check: false },
        { root, outputs: shared, log: () => undefined },
      ),
    ).rejects.toThrow('--env: "qa" - not an environment; use dev, staging, prod, delivery');
  });

  test('the delivery pipeline alone on Azure is refused: it is on AWS only, the report would be empty', async () => {
    const out = path.join(tempDir(), 'r');
    await expect(
      runReport(
        { environments: ['delivery'], clouds: ['azure'], out, check: false },
        { root, outputs: shared, log: () => undefined },
      ),
    ).rejects.toThrow('--env delivery with --cloud azure: the delivery pipeline is on AWS only');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('runReport', () => {
  test('--env prod draws prod alone, with its differences from staging', async () => {
    const out = path.join(tempDir(), 'report');
    const result = await runReport(
      { environments: ['prod'], clouds: ['aws', 'azure'], out, check: false },
      { root, outputs: shared, log: () => undefined },
    );
    expect(result.files).toEqual(['index.html', 'prod.html', 'report.json']);
    // Written beside and moved in: nothing else is left in the folder that holds it.
    expect(fs.readdirSync(path.dirname(out))).toEqual(['report']);
    expect(fs.readFileSync(path.join(out, 'prod.html'), 'utf8')).toContain('<a href="staging.html#aws">staging</a>');
  });

  test('--base-dir: the review on the page, and what the change destroys drawn from the base as a ghost', async () => {
    // The base had a bucket the head no longer has: deploying the head destroys it and the data in it.
    const base = copyOfOutput();
    const foundation = fs
      .readdirSync(path.join(base, 'cdk.out', 'assembly-platform-dev'))
      .find((f) => /^platformdevfoundation.*\.template\.json$/.test(f))!;
    const file = path.join(base, 'cdk.out', 'assembly-platform-dev', foundation);
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, unknown> };
    template.Resources.LegacyArchive = {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: 'platform-dev-legacy-archive' },
      Metadata: { 'aws:cdk:path': 'platform-dev/foundation/LegacyArchive/Resource' },
    };
    fs.writeFileSync(file, JSON.stringify(template));
    const out = path.join(tempDir(), 'report');
    await runReport(
      { environments: ['dev'], clouds: ['aws'], baseDir: base, out, check: false },
      { root, outputs: shared, log: () => undefined },
    );
    const page = fs.readFileSync(path.join(out, 'dev.html'), 'utf8');
    expect(page).toMatch(/<h3 id="aws-review">Review against [^<]+<\/h3>/);
    expect(page).toMatch(
      /<strong>⚠ Data loss:<\/strong> 1 change replaces or destroys a resource that holds data: <code>[^<]*LegacyArchive<\/code> \(not acknowledged\)/,
    );
    // The ghost: a node of its own, dashed, with the destroyed tag.
    expect(page).toMatch(/<g id="dev-aws-n-legacy-archive" class="node change-ghost">/);
    expect(page).toContain('− legacy-archive');
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toMatch(/0 replaced, 1 destroyed; data loss: 1, access widened: 0/);
  });
});

describe('writeAtomically', () => {
  test('replaces the folder whole and leaves no temporary folder beside it', () => {
    const parent = tempDir();
    const out = path.join(parent, 'report');
    writeAtomically(
      out,
      new Map([
        ['a.html', 'one'],
        ['old.html', 'x'],
      ]),
    );
    writeAtomically(out, new Map([['a.html', 'two']]));
    expect(fs.readdirSync(out)).toEqual(['a.html']);
    expect(fs.readFileSync(path.join(out, 'a.html'), 'utf8')).toBe('two');
    expect(fs.readdirSync(parent)).toEqual(['report']);
  });
});

test('npm run report with a wrong option exits 1 with the usage, no stack trace', () => {
  const run = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/report.ts', '--cloud', 'gcp'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(`Usage error: --cloud: "gcp" - one of aws, azure\n  ${REPORT_USAGE}\n`);
});

test('the review and the report are not sources of the synthesized output: editing them keeps it current', () => {
  const dir = tempDir();
  for (const file of ['lib/aws/a.ts', 'lib/review/b.ts', 'lib/report/c.ts', 'bin/cli/report.ts', 'bin/cli/synth.ts']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file);
  }
  expect(Object.keys(sourceDigests(dir)).sort()).toEqual(['bin/cli/synth.ts', 'lib/aws/a.ts']);
});
