import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckReport } from '../../bin/cli/check';
import {
  brokenLinks,
  machinePaths,
  machinePathsIn,
  modulesLoadedBy,
  packageOf,
  parsePackOutput,
  ROOT,
  run,
  runOrThrow,
  teamPackageSpecs,
  type PackResult,
  type Run,
} from './packed';

// The published package as an application team gets it: `npm pack` (prepack builds dist/), a fresh project that
// installs the tarball with its peers (linked from the checkout, or from the registry: teamPackageSpecs), examples/
// copied in, type-checked with the strictest settings a team may use (skipLibCheck false, node16 resolution through
// the package's `exports`) and synthesized through the guardrails, then judged by `npm run check`'s logic. Everything after the install runs at
// once, each example in its own chain (tsc, synthesis, scan, check): the AWS type-check is the longest part.

/** One example: a folder of examples/ with its cdk.json (AWS) or cdktf.json (Azure). */
interface Example {
  readonly name: string;
  readonly cloud: 'aws' | 'azure';
  /** The folder in the team project. */
  readonly dir: string;
  /** The synthesized output: cdk.out or cdktf.out. */
  readonly outdir: string;
}

/** What became of one example. */
interface Outcome {
  readonly example: Example;
  readonly typecheck: Run;
  readonly synth?: Run;
  /** The places of its output that name a path of this machine. */
  readonly machinePaths?: readonly string[];
  /** `npm run check`'s findings and notes over its output, or how the check failed. */
  readonly check?: CheckReport | string;
}

const phases: Record<string, number> = {};
const fileLoaded = Date.now();
/** The temporary folder of this file: the tarball, the team project, the output. */
let workspace: string;
/** The team project: its package.json, node_modules and examples/. */
let project: string;
let pack: PackResult;
let examples: Example[];
let outcomes: Outcome[];
/** The packages each entry point loads in a fresh node process: root, /aws, /azure. */
let loaded: Record<'root' | 'aws' | 'azure', string[]>;

async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    phases[phase] = (Date.now() - started) / 1000;
  }
}

/** The command of a cdk.json or cdktf.json `app`, split as the CLIs do (no shell features are used). */
function appCommand(dir: string, config: string): string[] {
  const app = (JSON.parse(fs.readFileSync(path.join(dir, config), 'utf8')) as { app?: string }).app;
  if (!app) throw new Error(`${path.join(dir, config)} has no "app"`);
  return app.split(/\s+/);
}

function findExamples(root: string): Example[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry): Example[] => {
      const dir = path.join(root, entry.name);
      const out = path.join(workspace, 'out', entry.name);
      if (fs.existsSync(path.join(dir, 'cdk.json')))
        return [{ name: entry.name, cloud: 'aws', dir, outdir: path.join(out, 'cdk.out') }];
      if (fs.existsSync(path.join(dir, 'cdktf.json')))
        return [{ name: entry.name, cloud: 'azure', dir, outdir: path.join(out, 'cdktf.out') }];
      return [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One example as its team builds it: type-checked (and emitted, to run) with its own tsconfig.json, its app run as
 * `cdk synth` / `cdktf synth` run it, the output scanned for machine paths and then judged by `npm run check`.
 */
async function buildExample(example: Example): Promise<Outcome> {
  const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const typecheck = await run(process.execPath, [tsc, '-p', example.dir, '--pretty', 'false'], project);
  phases[`tsc ${example.name}`] = typecheck.seconds;
  if (typecheck.status !== 0) return { example, typecheck };
  const [command, ...args] = appCommand(example.dir, example.cloud === 'aws' ? 'cdk.json' : 'cdktf.json');
  // What `cdk synth` and `cdktf synth` tell the app: where to write.
  const env: Record<string, string> =
    example.cloud === 'aws' ? { CDK_OUTDIR: example.outdir } : { CDKTF_OUTDIR: example.outdir };
  fs.mkdirSync(example.outdir, { recursive: true });
  const synth = await run(command === 'node' ? process.execPath : command!, args, example.dir, env);
  phases[`synth ${example.name}`] = synth.seconds;
  if (synth.status !== 0) return { example, typecheck, synth };
  const found = machinePathsIn(example.outdir, machinePaths(workspace));
  // In a process of its own: aws-cdk-lib and cdk-nag load faster in plain node than through jest's registry. With
  // npm run check's own option, as a team runs it on its folder.
  const checked = await run(
    process.execPath,
    [
      '-r',
      './bin/register.js',
      'test/package/check-output.ts',
      example.cloud === 'aws' ? '--cdk-out' : '--cdktf-out',
      example.outdir,
    ],
    ROOT,
  );
  phases[`check ${example.name}`] = checked.seconds;
  let check: CheckReport | string = checked.output;
  try {
    if (checked.status === 0) check = JSON.parse(checked.output) as CheckReport;
  } catch {
    // Not the JSON of the rows alone: shown as it is.
  }
  return { example, typecheck, synth, machinePaths: found, check };
}

async function packagesLoadedBy(specifier: string): Promise<string[]> {
  return [...new Set((await modulesLoadedBy(project, specifier)).map(packageOf))].sort();
}

beforeAll(async () => {
  const started = Date.now();
  phases.start = (started - fileLoaded) / 1000;
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'team-project-'));
  const tarballs = path.join(workspace, 'tarballs');
  fs.mkdirSync(tarballs);

  const packed = await timed('pack', () => runOrThrow('npm', ['pack', '--json', '--pack-destination', tarballs], ROOT));
  pack = parsePackOutput(packed.output);

  project = path.join(workspace, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'payments-platform-app', version: '1.0.0', private: true, license: 'UNLICENSED' }, null, 2)}\n`,
  );
  await timed('install', () =>
    runOrThrow(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        path.join(tarballs, pack.filename),
        ...teamPackageSpecs(),
      ],
      project,
    ),
  );

  fs.cpSync(path.join(ROOT, 'examples'), path.join(project, 'examples'), {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist|cdk\.out|cdktf\.out)$/.test(source),
  });
  examples = findExamples(path.join(project, 'examples'));
  await timed('after install', async () => {
    const [built, root, aws, azure] = await Promise.all([
      Promise.all(examples.map(buildExample)),
      packagesLoadedBy('platform-constructs'),
      packagesLoadedBy('platform-constructs/aws'),
      packagesLoadedBy('platform-constructs/azure'),
    ]);
    outcomes = built;
    loaded = { root, aws, azure };
  });
  phases.total = (Date.now() - started) / 1000;
}, 900_000);

afterAll(() => {
  const cleanup = Date.now();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  phases.cleanup = (Date.now() - cleanup) / 1000;
  phases.file = (Date.now() - fileLoaded) / 1000;
  // Where the time goes, for whoever tunes the suite: PLATFORM_PACK_TIMINGS=<file> appends one line a run.
  if (process.env.PLATFORM_PACK_TIMINGS) {
    fs.appendFileSync(process.env.PLATFORM_PACK_TIMINGS, `${JSON.stringify(phases)}\n`);
  }
});

describe('the packed package, installed in a team project', () => {
  test('the tarball holds the built entry points and the README, and no sources or tests', () => {
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/lib/core/index.js',
        'dist/lib/core/index.d.ts',
        'dist/lib/aws/index.js',
        'dist/lib/aws/index.d.ts',
        'dist/lib/azure/index.js',
        'dist/lib/azure/index.d.ts',
      ]),
    );
    expect(files.filter((f) => /^(lib|test|bin|stacks|examples)\//.test(f) || /\.tsbuildinfo$/.test(f))).toEqual([]);
  });

  test('every relative link of the packed README and docs points at a file of the package', () => {
    const installed = path.join(project, 'node_modules', 'platform-constructs');
    const files = pack.files.map((f) => f.path);
    const documents = Object.fromEntries(
      files
        .filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f))
        .map((f) => [f, fs.readFileSync(path.join(installed, f), 'utf8')]),
    );
    expect(Object.keys(documents)).toContain('README.md');
    expect(brokenLinks(documents, files)).toEqual([]);
  });

  test('platform-constructs/aws loads no cdktf module, /azure no aws-cdk-lib, the root neither', () => {
    const clouds = ['aws-cdk-lib', 'cdk-nag', 'cdktf', '@cdktf/provider-azurerm'];
    const cloudPackages = (packages: readonly string[]): string[] => packages.filter((p) => clouds.includes(p));
    expect(cloudPackages(loaded.root)).toEqual([]);
    expect(cloudPackages(loaded.aws)).toEqual(['aws-cdk-lib', 'cdk-nag']);
    expect(cloudPackages(loaded.azure)).toEqual(['@cdktf/provider-azurerm', 'cdktf']);
  });

  test('there is an example for each cloud', () => {
    expect(examples.map((e) => `${e.name} (${e.cloud})`)).toEqual(['aws (aws)', 'azure (azure)']);
  });

  test('the examples type-check: strict, skipLibCheck false, node16 resolution through the exports', () => {
    expect(
      outcomes.map((o) => ({ example: o.example.name, status: o.typecheck.status, output: o.typecheck.output })),
    ).toEqual(examples.map((e) => ({ example: e.name, status: 0, output: '' })));
  });

  test('the examples synthesize through their guardrails', () => {
    expect(
      outcomes.map((o) => ({ example: o.example.name, status: o.synth?.status, output: o.synth?.output })),
    ).toEqual(examples.map((e) => ({ example: e.name, status: 0, output: '' })));
  });

  test('the AWS example runs a public and an internal service over HTTPS and a scheduled job, data retained', () => {
    const outdir = examples.find((e) => e.cloud === 'aws')!.outdir;
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'payments-prod.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
      Metadata?: { PlatformConstructs?: { Tier?: string } };
    };
    const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    expect(template.Metadata?.PlatformConstructs?.Tier).toBe('production');
    expect(of('AWS::ECS::Service')).toHaveLength(2);
    expect(
      of('AWS::ElasticLoadBalancingV2::LoadBalancer')
        .map((r) => r.Properties?.Scheme)
        .sort(),
    ).toEqual(['internal', 'internet-facing']);
    expect(
      of('AWS::ElasticLoadBalancingV2::Listener')
        .map((r) => r.Properties?.Protocol)
        .sort(),
    ).toEqual(['HTTP', 'HTTP', 'HTTPS', 'HTTPS']);
    expect(of('AWS::Scheduler::Schedule').map((r) => r.Properties?.ScheduleExpression)).toEqual(['cron(30 2 * * ? *)']);
    expect(new Set(of('AWS::Logs::LogGroup').map((r) => r.DeletionPolicy))).toEqual(new Set(['Retain']));
    // Each service is checked by a canary every minute, the internal one from inside the VPC.
    const canaries = of('AWS::Synthetics::Canary').map((r) => r.Properties as { Schedule: { Expression: string } });
    expect(canaries.map((c) => [c.Schedule.Expression, 'VPCConfig' in c]).sort()).toEqual([
      ['rate(1 minute)', false],
      ['rate(1 minute)', true],
    ]);
  });

  test('the Azure example runs a public and an internal container app and a job, state in Azure Storage', () => {
    const outdir = examples.find((e) => e.cloud === 'azure')!.outdir;
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'payments-prod', 'cdk.tf.json'), 'utf8')) as {
      resource: Record<string, Record<string, { name?: string; ingress?: { external_enabled?: boolean } }>>;
      terraform: { backend?: Record<string, unknown> };
    };
    const apps = Object.values(tf.resource.azurerm_container_app ?? {});
    expect(apps.map((a) => [a.name, a.ingress?.external_enabled]).sort()).toEqual([
      ['ca-prod-payments-checkout', true],
      ['ca-prod-payments-ledger', false],
    ]);
    // The settlement job, and the probe that checks the internal ledger service from inside the network.
    expect(Object.keys(tf.resource.azurerm_container_app_job ?? {}).sort()).toEqual([
      'payments_checks_payments-ledger_Probe_F77F24B4',
      'payments_jobs_payments-settlement_204F3100',
    ]);
    expect(Object.keys(tf.resource.azurerm_application_insights_standard_web_test ?? {}).length).toBeGreaterThan(0);
    expect(Object.keys(tf.terraform.backend ?? {})).toEqual(['azurerm']);
  });

  test('no synthesized file names a path of this machine (the project, the temporary folder, home, checkout)', () => {
    expect(
      outcomes.flatMap((o) =>
        o.machinePaths === undefined
          ? [`${o.example.name}: not scanned, it did not synthesize`]
          : o.machinePaths.map((f) => `${o.example.name}/${f}`),
      ),
    ).toEqual([]);
  });

  test("npm run check's guardrails over the examples' output: every stack checked, no unacknowledged error", () => {
    const failing = outcomes.map((o) => ({
      example: o.example.name,
      failing:
        o.check === undefined
          ? 'not checked: it did not synthesize'
          : typeof o.check === 'string'
            ? o.check
            : o.check.rows.filter((r) => r.severity === 'error' && r.acknowledgedBy === undefined),
    }));
    expect(failing).toEqual(examples.map((e) => ({ example: e.name, failing: [] })));
  });
});
