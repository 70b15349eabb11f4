// `npm run bench [-- --runs N] [--only TEXT]`: times whole processes, `npm run synth` (bin/platform.ts) and the
// other entry points of ours, each against its floor in the same run, and writes bench/results.json.
//
// The floor of a synthesis is bench/floor/replay.ts: it reads what ours wrote in the scenario's warm-up run and
// writes the very same templates and Terraform JSON through the cheapest constructs of aws-cdk-lib and cdktf, in
// one process, with the same validation setting. It is derived from our own output, so it follows every feature
// without being rewritten, and what ours costs beyond it is the price of the library: the spec, our constructs,
// the guardrails. Every replay is checked against what it read, stack by stack and section by section.
//
// Whole processes, because what users wait for is `npm run synth` from start to exit: module loading, spec
// resolution and writing the output all count, and so do the worker processes a synthesis starts. Every process
// (children included, through NODE_OPTIONS) reports its own peak memory and CPU time (bench/peak-rss.js); a
// second pass counts the modules each process loads and what loading them costs (bench/module-load.js).
//
// Targets are reported, not asserted: the bench exits 0 when one is missed, and 1 only when a timed process fails
// or a replay differs from what it read (a failed synthesis, or a floor that does other work, times nothing
// meaningful).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPOSITORY_ROOT, sourceDigests } from '../bin/cli/sources';
import { SYNTH_USAGE } from '../bin/cli/synth';
import { compareOutputs, readOutput, type StackCheck } from './floor/read';

const BENCH_DIR = __dirname;
const REPO_DIR = path.resolve(BENCH_DIR, '..');
const PEAK_RSS_PRELOAD = path.join(BENCH_DIR, 'peak-rss.js');
const MODULE_LOAD_PRELOAD = path.join(BENCH_DIR, 'module-load.js');
/** The project's TypeScript require hook, the one cdk.json, cdktf.json and npm run synth use. */
const REGISTER = path.join(REPO_DIR, 'bin', 'register.js');
const RESULTS_FILE = path.join(BENCH_DIR, 'results.json');

/** What the results are held against (issue 14). */
const TARGETS = {
  /** Both clouds, three environments, validation on: ours at most as slow as the single-process floor. */
  maxRatioValidationOn: 1.0,
  /** The same with validation off. */
  maxRatioValidationOff: 1.5,
  /** One environment of 100 container services, both clouds, validation off (issue 6). */
  maxHundredServicesMs: 3000,
  /** Peak resident memory of any one process of a synthesis with CloudFormation validation on. */
  maxPeakMiBValidationOn: 600,
  /** The same with validation off, which spares aws-cdk-lib's WebAssembly validator (about 330 MiB on its own). */
  maxPeakMiBValidationOff: 256,
  /** `npm run synth` again, nothing changed. */
  maxUnchangedSecondSynthMs: 1000,
  /** `npm run review`: base and head, both clouds, three environments, on this 2-core machine (issue 12). */
  maxReviewMs: 10000,
  /** `npm run report`: three environments on both clouds from existing output, guardrails included (issue 20). */
  maxReportMs: 5000,
} as const;

/** Stand-ins in a program's arguments, replaced when it runs. */
const OUT = '<out>';
const FROM = '<from>';
const CHANGED_CLONE = '<changed-clone>';

/** One program to time: a TypeScript entry point and its arguments, run as `node -r bin/register.js`. */
interface Program {
  readonly script: string;
  readonly args: readonly string[];
  /**
   * How many copies run at the same time (the review's floor: one replay per side); the run lasts until the last
   * one exits.
   * @default 1
   */
  readonly copies?: number;
  /**
   * Each run starts with an empty synthesis cache (the review, which runs `npm run synth` without `--force`, would
   * otherwise reuse what its previous run synthesized).
   * @default - the bench's one cache, which `--force` refreshes
   */
  readonly coldCache?: boolean;
}

/** Clouds a scenario synthesizes, which decides what its outputs are checked for. */
type Cloud = 'aws' | 'azure';

/** One row of the table: ours and its floor. */
interface Scenario {
  readonly id: string;
  readonly clouds: readonly Cloud[];
  readonly validation: boolean;
  readonly ours: Program;
  /** The floor; `<from>` in its arguments is the folder that {@link floorInput} (by default ours) wrote. */
  readonly floor: Program;
  /** Other ways to write the same output, timed for information. */
  readonly variants?: readonly { readonly label: string; readonly program: Program }[];
  /**
   * What writes the floor's input in the warm-up run.
   * @default - ours
   */
  readonly floorInput?: Program;
  /**
   * Ours runs into the same folder every time, its warm-up run included, so that every timed run finds its own
   * previous, unchanged output there; its output is checked to stay the same.
   */
  readonly sameFolder?: boolean;
  /** What the floor stands for, when it is not a replay of ours' output. */
  readonly floorNote?: string;
}

/**
 * `npm run synth` with the scenario's flags, writing into the run's folder. `--force` (when synth has it) makes a
 * fresh folder cost a full synthesis even if a cache elsewhere knows the sources.
 */
function synth(...flags: string[]): Program {
  return { script: 'bin/platform.ts', args: [...flags, ...(synthHas('--force') ? ['--force'] : []), '--out', OUT] };
}
/** `npm run synth` as a developer runs it again: no `--force`. */
function synthAgain(...flags: string[]): Program {
  return { script: 'bin/platform.ts', args: [...flags, '--out', OUT] };
}
function synthHas(option: string): boolean {
  return SYNTH_USAGE.includes(option);
}
function replay(...flags: string[]): Program {
  return { script: 'bench/floor/replay.ts', args: [...flags, FROM, OUT] };
}

const SCENARIOS: readonly Scenario[] = [
  {
    id: 'aws, validation off',
    clouds: ['aws'],
    validation: false,
    ours: synth('--cloud', 'aws', '--no-validation'),
    floor: replay('--cloud', 'aws', '--no-validation'),
  },
  {
    id: 'aws, validation on',
    clouds: ['aws'],
    validation: true,
    ours: synth('--cloud', 'aws'),
    floor: replay('--cloud', 'aws'),
  },
  {
    id: 'azure',
    clouds: ['azure'],
    validation: false,
    ours: synth('--cloud', 'azure'),
    floor: replay('--cloud', 'azure'),
    variants: [
      {
        label: 'floor with a TerraformResource per resource',
        program: replay('--cloud', 'azure', '--terraform', 'resources'),
      },
      { label: 'floor as the JSON write alone (no cdktf)', program: replay('--cloud', 'azure', '--terraform', 'json') },
    ],
  },
  {
    id: 'both, validation off',
    clouds: ['aws', 'azure'],
    validation: false,
    ours: synth('--no-validation'),
    floor: replay('--no-validation'),
  },
  { id: 'both, validation on', clouds: ['aws', 'azure'], validation: true, ours: synth(), floor: replay() },
  {
    id: '100 services, both, validation off',
    clouds: ['aws', 'azure'],
    validation: false,
    ours: { script: 'bench/services.ts', args: ['--no-validation', OUT] },
    floor: replay('--no-validation'),
  },
  {
    id: 'unchanged second synth, both, validation on',
    clouds: ['aws', 'azure'],
    validation: true,
    ours: synthAgain(),
    sameFolder: true,
    floor: { script: 'bench/empty.ts', args: [] },
    floorNote: 'node and the TypeScript loader, nothing else',
  },
  {
    id: 'review: base (HEAD worktree) and head, both clouds, no change',
    clouds: ['aws', 'azure'],
    validation: false,
    ours: { script: 'bench/review.ts', args: [OUT], coldCache: true },
    floorInput: synth('--no-validation'),
    floor: { ...replay('--no-validation'), copies: 2 },
    floorNote: 'two replays of both clouds at once, one per side',
  },
  {
    id: 'review: every network CIDR changed (cross-stack), both clouds',
    clouds: ['aws', 'azure'],
    validation: false,
    ours: { script: 'bench/review.ts', args: [CHANGED_CLONE, 'HEAD~1', OUT], coldCache: true },
    floorInput: synth('--no-validation'),
    floor: { ...replay('--no-validation'), copies: 2 },
    floorNote: 'two replays of both clouds at once, one per side (of this tree: the same size)',
  },
  {
    id: 'report: three environments and the pipeline, both clouds, guardrails on',
    clouds: ['aws', 'azure'],
    validation: false,
    ours: { script: 'bench/report.ts', args: [FROM, OUT] },
    floorInput: synth('--no-validation'),
    floor: { script: 'bench/empty.ts', args: [] },
    floorNote: 'node and the TypeScript loader, nothing else',
  },
];

/** What one process reported through bench/peak-rss.js. */
interface ProcessUsage {
  readonly pid: number;
  readonly script: string;
  readonly maxRssKiB: number;
  readonly cpuMs: number;
}

/** One timed run: every process it started. */
interface Sample {
  readonly wallMs: number;
  /** The largest peak resident set of any one of its processes. */
  readonly peakMiB: number;
  /** User plus system CPU time, all threads of all its processes. */
  readonly cpuMs: number;
  /** How many node processes reported. */
  readonly processes: number;
  /** The floor's time reading its input (it prints it), when it is a floor. */
  readonly readMs?: number;
  /**
   * Ours' sources (lib/, stacks/, bin/, ...) changed since the previous run of ours or during this one, as they do
   * when others edit the working tree while the bench runs: the run may have re-synthesized (or re-transpiled) what
   * an unchanged tree would not.
   */
  readonly sourcesChanged?: boolean;
}

/** The timed runs of one program, warm-up excluded. */
interface Stats {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly maxPeakMiB: number;
  readonly medianCpuMs: number;
  readonly maxProcesses: number;
  readonly medianReadMs?: number;
  readonly samples: readonly Sample[];
}

/** A child failed, or a replay differs from what it read: the bench stops and exits non-zero. */
class BenchFailure extends Error {}

/**
 * The environment of every timed process: no CLI redirections, no test settings, and `preload` in NODE_OPTIONS, so
 * that the processes a program starts load it too.
 */
function childEnv(preload: string, vars: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    // A cache of the bench's own: it neither reuses nor disturbs the one `npm run synth` keeps in node_modules.
    PLATFORM_SYNTH_CACHE: synthCache(),
    ...vars,
  };
  // Set by the CDK and cdktf CLIs (they would redirect the output and make aws-cdk-lib synthesize on exit) and by
  // the tests (CDK_VALIDATION=false turns validation off everywhere).
  for (const name of ['CDK_OUTDIR', 'CDKTF_OUTDIR', 'CDK_CONTEXT_JSON', 'CDK_VALIDATION', 'CDK_APP_MODE']) {
    delete env[name];
  }
  env.NODE_OPTIONS = [env.NODE_OPTIONS, `--require "${preload}"`].filter(Boolean).join(' ');
  return env;
}

let cacheDir: string | undefined;
function synthCache(): string {
  if (cacheDir) return cacheDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-cache-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return (cacheDir = dir);
}

/** Replaces the stand-ins of a program's arguments. */
function argsOf(program: Program, out: string, from?: string): string[] {
  return program.args.map((a) => {
    if (a === OUT) return out;
    if (a === CHANGED_CLONE) return changedClone();
    if (a === FROM) {
      if (from === undefined) throw new BenchFailure(`${program.script}: no input folder for ${FROM}`);
      return from;
    }
    return a;
  });
}

/**
 * Runs a program (each of its copies in its own output folder, all at once) and measures it: wall time from this
 * process's clock (start to the exit of the last copy, so start-up and teardown count) and what every node process
 * it started reported.
 *
 * @param out - the output folder (copies get `out-2`, ...); it must exist (cdktf's App creates its outdir without
 *   `recursive`, so the parent must).
 * @throws BenchFailure with the child's stderr when one exits non-zero or is killed.
 */
async function runOnce(program: Program, out: string, from?: string): Promise<Sample> {
  const usageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-usage-'));
  // An empty synthesis cache of its own, so that nothing the run synthesizes comes from an earlier run.
  const cache = program.coldCache ? fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-cache-')) : undefined;
  try {
    const env = childEnv(PEAK_RSS_PRELOAD, {
      BENCH_PEAK_RSS_DIR: usageDir,
      ...(cache !== undefined && { PLATFORM_SYNTH_CACHE: cache }),
    });
    const copies = Array.from({ length: program.copies ?? 1 }, (_, i) => (i === 0 ? out : `${out}-${i + 1}`));
    for (const dir of copies) fs.mkdirSync(dir, { recursive: true });
    const start = process.hrtime.bigint();
    const outputs = await Promise.all(copies.map((dir) => runChild(program, argsOf(program, dir, from), env)));
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const usages = readReports<ProcessUsage>(usageDir);
    if (usages.length === 0)
      throw new BenchFailure(`${program.script} reported no usage (is ${PEAK_RSS_PRELOAD} preloaded?)`);
    const readMs = Math.max(...outputs.map(floorReadMs).filter((ms): ms is number => ms !== undefined));
    return {
      wallMs,
      peakMiB: Math.max(...usages.map((u) => u.maxRssKiB)) / 1024,
      cpuMs: usages.reduce((sum, u) => sum + u.cpuMs, 0),
      processes: usages.length,
      ...(Number.isFinite(readMs) && { readMs }),
    };
  } finally {
    fs.rmSync(usageDir, { recursive: true, force: true });
    if (cache !== undefined) fs.rmSync(cache, { recursive: true, force: true });
  }
}

/** Runs one node process to its end; resolves with its stdout. */
function runChild(program: Program, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const argv = ['-r', REGISTER, program.script, ...args];
  const command = `node ${argv.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new BenchFailure(`${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else {
        const how = signal ? `was killed by ${signal}` : `exited with ${String(code)}`;
        reject(new BenchFailure(`${command} ${how}:\n${stderr.trim()}`));
      }
    });
  });
}

/** The floor's `{"floor":{"readMs":...}}` line, when the output has one. */
function floorReadMs(stdout: string): number | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(line) as { floor?: { readMs?: number } }).floor?.readMs;
  } catch {
    return undefined;
  }
}

function readReports<T>(dir: string): T[] {
  return fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as T);
}

let clone: string | undefined;

/**
 * A clone of this repository (its committed history, sharing the object store, reusing node_modules) whose last
 * commit moves every environment's network to another CIDR: the largest review there is, with replacements in
 * every stack and every cross-stack reference followed. Made once, removed when the bench ends.
 */
function changedClone(): string {
  if (clone) return clone;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-clone-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]): void => {
    const run = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new BenchFailure(`git ${args.join(' ')}: ${run.stderr}`);
  };
  git('clone', '--quiet', '--shared', REPO_DIR, '.');
  fs.symlinkSync(path.join(REPO_DIR, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const env of ['dev', 'staging', 'prod']) {
    const file = path.join(dir, 'stacks', 'environments', `${env}.ts`);
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(/cidr: '10\.(\d+)\.0\.0\/16'/, "cidr: '10.$1.0.0/17'"),
    );
  }
  git('commit', '--quiet', '-am', 'every network moves to a /17');
  clone = dir;
  return dir;
}

/** A temporary folder for one run, removed by {@link cleanUp}. */
function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `platform-bench-${label}-`));
  temps.push(dir);
  return dir;
}
const temps: string[] = [];
function cleanUp(): void {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanUp);

/** Runs a program in a fresh folder and removes the folder again. */
async function runFresh(program: Program, from?: string): Promise<Sample> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-run-'));
  try {
    return await runOnce(program, path.join(dir, 'out'), from);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function statsOf(samples: readonly Sample[]): Stats {
  const reads = samples.map((s) => s.readMs).filter((ms): ms is number => ms !== undefined);
  return {
    medianMs: median(samples.map((s) => s.wallMs)),
    minMs: Math.min(...samples.map((s) => s.wallMs)),
    maxMs: Math.max(...samples.map((s) => s.wallMs)),
    maxPeakMiB: Math.max(...samples.map((s) => s.peakMiB)),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
    maxProcesses: Math.max(...samples.map((s) => s.processes)),
    ...(reads.length > 0 && { medianReadMs: median(reads) }),
    samples,
  };
}

/** The measurements of one scenario. */
interface ScenarioResult {
  readonly scenario: Scenario;
  readonly ours: Stats;
  readonly floor: Stats;
  readonly variants: readonly { readonly label: string; readonly stats: Stats }[];
  /** Per run, ours over the floor of the same round: the spread of the ratio. */
  readonly ratios: readonly number[];
  readonly checks: readonly StackCheck[];
  /** Runs of ours during which, or before which, its sources changed. */
  readonly changed: number;
  /** Of those, the runs left out of the figures (an unchanged second synth that was not one). */
  readonly discarded: number;
  /** One-minute load average when the scenario started and ended. */
  readonly load: readonly [number, number];
}

/** Checks that a replay wrote what it read: every stack, every section. */
function checkReplay(clouds: readonly Cloud[], input: string, replayed: string, what: string): StackCheck[] {
  const read = readOutput(input);
  const written = readOutput(replayed);
  const missing = clouds.filter((cloud) => read[cloud].size === 0);
  if (missing.length > 0) throw new BenchFailure(`${what}: ours wrote no ${missing.join(' or ')} stacks in ${input}`);
  const checks = clouds.flatMap((cloud) => compareOutputs(cloud, read[cloud], written[cloud]));
  const bad = checks.filter((c) => c.differences.length > 0);
  if (bad.length > 0) {
    throw new BenchFailure(
      `${what} differs from what it read:\n  ${bad.map((c) => `${c.stack} (${c.cloud}): ${c.differences.join(', ')}`).join('\n  ')}`,
    );
  }
  return checks;
}

/**
 * Measures one scenario: a warm-up run of ours, whose output is the floor's input; a warm-up run of the floor and
 * of each variant, each checked against that input; then `runs` rounds of timed runs, alternating which program
 * goes first so that none always runs on a warmer disk cache.
 */
async function measure(scenario: Scenario, runs: number): Promise<ScenarioResult> {
  const loadBefore = os.loadavg()[0]!;
  const input = path.join(tempDir('input'), 'out');
  await runOnce(scenario.floorInput ?? scenario.ours, input);
  let checks: StackCheck[] = [];
  const floors = [{ label: 'floor', program: scenario.floor }, ...(scenario.variants ?? [])];
  for (const { label, program } of floors) {
    const out = path.join(tempDir('warm-up'), 'out');
    await runOnce(program, out, input);
    if (program.args.includes(FROM)) {
      const found = checkReplay(scenario.clouds, input, out, `${scenario.id}: ${label}`);
      if (label === 'floor') checks = found;
    }
  }
  // Ours gets the floor's input too: the report draws what the synthesis wrote there.
  if (scenario.floorInput) await runFresh(scenario.ours, input);
  const before = scenario.sameFolder ? readOutput(input) : undefined;

  const samples = floors.map(() => [] as Sample[]);
  const oursSamples: Sample[] = [];
  let sources = sourcesDigest();
  const runOurs = async (): Promise<void> => {
    const before = sourcesDigest();
    const sample = scenario.sameFolder ? await runOnce(scenario.ours, input) : await runFresh(scenario.ours, input);
    const after = sourcesDigest();
    oursSamples.push(before === sources && after === before ? sample : { ...sample, sourcesChanged: true });
    sources = after;
  };
  for (let i = 0; i < runs; i++) {
    const order: Array<() => Promise<void>> = [
      runOurs,
      ...floors.map((f, j) => async () => void samples[j]!.push(await runFresh(f.program, input))),
    ];
    if (i % 2 === 1) order.reverse();
    for (const run of order) await run();
    process.stderr.write('.');
  }
  if (before) {
    const after = readOutput(input);
    checks = scenario.clouds.flatMap((cloud) => compareOutputs(cloud, before[cloud], after[cloud]));
    const bad = checks.filter((c) => c.differences.length > 0);
    if (bad.length > 0) {
      throw new BenchFailure(`${scenario.id}: the output changed: ${bad.map((c) => c.stack).join(', ')}`);
    }
  }
  cleanUp();
  // A second synth after a change is a first synth: those runs measured something else.
  const changed = oursSamples.filter((s) => s.sourcesChanged).length;
  const kept =
    scenario.sameFolder && changed < oursSamples.length ? oursSamples.filter((s) => !s.sourcesChanged) : oursSamples;
  return {
    scenario,
    ours: statsOf(kept),
    changed,
    discarded: oursSamples.length - kept.length,
    floor: statsOf(samples[0]!),
    variants: floors.slice(1).map((f, j) => ({ label: f.label, stats: statsOf(samples[j + 1]!) })),
    ratios: oursSamples.flatMap((s, i) => (kept.includes(s) ? [s.wallMs / samples[0]![i]!.wallMs] : [])),
    checks,
    load: [round(loadBefore, 2), round(os.loadavg()[0]!, 2)],
  };
}

/** One digest of ours' sources, as `npm run synth` and its cache see them. */
function sourcesDigest(): string {
  return JSON.stringify(sourceDigests(REPOSITORY_ROOT, { fresh: true }));
}

/** One target and whether it was met. */
interface TargetResult {
  readonly target: string;
  readonly limit: number;
  readonly actual: number;
  readonly pass: boolean;
}

function evaluateTargets(results: readonly ScenarioResult[]): TargetResult[] {
  const targets: TargetResult[] = [];
  const add = (target: string, limit: number, actual: number, digits = 0): void => {
    targets.push({ target, limit, actual: round(actual, digits), pass: actual <= limit });
  };
  const byId = (id: string): ScenarioResult | undefined => results.find((r) => r.scenario.id === id);
  const on = byId('both, validation on');
  if (on) add('ours/floor, median wall, both clouds, validation on', TARGETS.maxRatioValidationOn, ratioOf(on), 3);
  const off = byId('both, validation off');
  if (off) add('ours/floor, median wall, both clouds, validation off', TARGETS.maxRatioValidationOff, ratioOf(off), 3);
  const scale = byId('100 services, both, validation off');
  if (scale)
    add(
      'ours median wall ms, 100 services, both clouds, validation off',
      TARGETS.maxHundredServicesMs,
      scale.ours.medianMs,
    );
  const again = results.find((r) => r.scenario.sameFolder);
  if (again) add(`ours median wall ms, ${again.scenario.id}`, TARGETS.maxUnchangedSecondSynthMs, again.ours.medianMs);
  for (const review of results.filter((r) => r.scenario.id.startsWith('review:'))) {
    add(`ours median wall ms, ${review.scenario.id}, 3 environments`, TARGETS.maxReviewMs, review.ours.medianMs);
  }
  for (const report of results.filter((r) => r.scenario.id.startsWith('report:'))) {
    add(`ours median wall ms, ${report.scenario.id}`, TARGETS.maxReportMs, report.ours.medianMs);
  }
  for (const r of results) {
    if (r.scenario.id.startsWith('review:') || r.scenario.id.startsWith('report:')) continue;
    const limit = r.scenario.validation ? TARGETS.maxPeakMiBValidationOn : TARGETS.maxPeakMiBValidationOff;
    add(`ours peak MiB of any one process, ${r.scenario.id}`, limit, r.ours.maxPeakMiB, 1);
  }
  return targets;
}

function ratioOf(r: ScenarioResult): number {
  return r.ours.medianMs / r.floor.medianMs;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Renders rows as an aligned table, the first column left-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Wall time: median, min and max of ours and the floor, and ours over the floor (median of medians, and per round). */
function formatTimes(results: readonly ScenarioResult[]): string {
  const ms = (s: Stats): string => `${s.medianMs.toFixed(0)} (${s.minMs.toFixed(0)}-${s.maxMs.toFixed(0)})`;
  const rows: string[][] = [];
  for (const r of results) {
    const spread = `${Math.min(...r.ratios).toFixed(2)}-${Math.max(...r.ratios).toFixed(2)}`;
    const mark = r.changed > 0 ? ` (*${r.changed}${r.discarded > 0 ? `, ${r.discarded} left out` : ''})` : '';
    rows.push([
      `${r.scenario.id}${mark}`,
      ms(r.ours),
      ms(r.floor),
      `${ratioOf(r).toFixed(2)} (${spread})`,
      r.load.join(' / '),
    ]);
    for (const v of r.variants)
      rows.push([`  ${v.label}`, '', ms(v.stats), (r.ours.medianMs / v.stats.medianMs).toFixed(2), '']);
  }
  return table(['scenario', 'ours ms, median (min-max)', 'floor ms', 'ours/floor (per round)', 'load 1 min'], rows);
}

/** Memory and CPU: the largest process of any run, and the CPU time of all processes of a run. */
function formatUsage(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.scenario.id,
    String(r.ours.maxProcesses),
    r.ours.maxPeakMiB.toFixed(1),
    r.ours.medianCpuMs.toFixed(0),
    String(r.floor.maxProcesses),
    r.floor.maxPeakMiB.toFixed(1),
    r.floor.medianCpuMs.toFixed(0),
    r.floor.medianReadMs === undefined ? '-' : r.floor.medianReadMs.toFixed(0),
  ]);
  return table(
    ['scenario', 'ours processes', 'peak MiB', 'CPU ms', 'floor processes', 'peak MiB', 'CPU ms', 'floor reading ms'],
    rows,
  );
}

/** The resource count of every stack, and what each floor stands for when it replays nothing. */
function formatChecks(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const what = r.scenario.sameFolder ? 'unchanged from its first run' : 'replayed identically by the floor';
    const total = r.checks.reduce((sum, c) => sum + (c.resources ?? 0), 0);
    const note = r.scenario.floorNote === undefined ? '' : `; floor: ${r.scenario.floorNote}`;
    if (r.checks.length === 0) {
      // The report writes a site, not stacks: there is nothing for a floor to replay.
      lines.push(`${r.scenario.id}: no synthesized output of its own to compare${note}`);
      continue;
    }
    lines.push(`${r.scenario.id}: ${r.checks.length} stacks, ${total} resources, every section ${what}${note}`);
  }
  return lines.join('\n');
}

/** `--runs N` (timed runs per program) and `--only TEXT` (the scenarios whose id contains it; results.json is then left alone). */
function parseArgs(argv: readonly string[]): { runs: number; only?: string } {
  let runs = 5;
  let only: string | undefined;
  const usage = 'usage: npm run bench -- [--runs N] [--only TEXT]';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = inline ?? argv[++i];
    if (flag === '--runs' && value !== undefined) {
      runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: ${value} - a whole number of at least 1`);
    } else if (flag === '--only' && value !== undefined) {
      only = value;
    } else {
      throw new Error(`${arg} is not an option; ${usage}`);
    }
  }
  return { runs, ...(only !== undefined && { only }) };
}

/** What one process reported through bench/module-load.js. */
interface ModuleReport {
  readonly pid: number;
  readonly script: string;
  readonly lifeMs: number;
  readonly loadMs: number;
  readonly modules: number;
  readonly packages: Readonly<Record<string, { readonly ms: number; readonly modules: number }>>;
}

/** Module loading of one program: the mean per process of each script it ran. */
interface ModuleLoading {
  readonly run: string;
  readonly processes: readonly (ModuleReport & { readonly count: number })[];
}

/** The module-loading pass: per cloud, ours (validation on) and its floor, each after a warm-up run. */
const MODULE_RUNS: readonly { readonly cloud: Cloud; readonly ours: Program; readonly floor: Program }[] = [
  { cloud: 'aws', ours: synth('--cloud', 'aws'), floor: replay('--cloud', 'aws') },
  { cloud: 'azure', ours: synth('--cloud', 'azure'), floor: replay('--cloud', 'azure') },
];
const MODULE_LOADING_ID = 'module loading per process';

async function measureModuleLoading(): Promise<ModuleLoading[]> {
  const loading: ModuleLoading[] = [];
  for (const { cloud, ours, floor } of MODULE_RUNS) {
    const input = path.join(tempDir('input'), 'out');
    await runOnce(ours, input);
    await runFresh(floor, input);
    loading.push({ run: `ours ${cloud}`, processes: await loadModules(ours) });
    loading.push({ run: `floor ${cloud}`, processes: await loadModules(floor, input) });
    cleanUp();
    process.stderr.write('.');
  }
  return loading;
}

/** Runs a program once with bench/module-load.js preloaded; one report per script, averaged over its processes. */
async function loadModules(program: Program, from?: string): Promise<(ModuleReport & { count: number })[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-modules-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-run-'));
  try {
    const env = childEnv(MODULE_LOAD_PRELOAD, { BENCH_MODULES_DIR: dir });
    fs.mkdirSync(path.join(work, 'out'));
    await runChild(program, argsOf(program, path.join(work, 'out'), from), env);
    const byScript = new Map<string, ModuleReport[]>();
    for (const report of readReports<ModuleReport>(dir)) {
      byScript.set(report.script, [...(byScript.get(report.script) ?? []), report]);
    }
    return [...byScript.values()].map((reports) => meanReport(reports));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function meanReport(reports: readonly ModuleReport[]): ModuleReport & { count: number } {
  const n = reports.length;
  const mean = (f: (r: ModuleReport) => number): number => reports.reduce((sum, r) => sum + f(r), 0) / n;
  const names = new Set(reports.flatMap((r) => Object.keys(r.packages)));
  const packages = Object.fromEntries(
    [...names]
      .map(
        (name) =>
          [
            name,
            {
              ms: round(
                mean((r) => r.packages[name]?.ms ?? 0),
                1,
              ),
              modules: round(
                mean((r) => r.packages[name]?.modules ?? 0),
                1,
              ),
            },
          ] as const,
      )
      .sort((a, b) => b[1].ms - a[1].ms),
  );
  return {
    pid: reports[0]!.pid,
    script: reports[0]!.script,
    count: n,
    lifeMs: round(
      mean((r) => r.lifeMs),
      0,
    ),
    loadMs: round(
      mean((r) => r.loadMs),
      0,
    ),
    modules: round(
      mean((r) => r.modules),
      0,
    ),
    packages,
  };
}

/** Per package, ms and modules of each run's processes; the packages that cost most, the rest summed up. */
function formatModuleLoading(loading: readonly ModuleLoading[]): string {
  const columns = loading.flatMap((l) =>
    l.processes.map((p) => ({ label: `${l.run}: ${p.script}${p.count > 1 ? ` (x${p.count}, mean)` : ''}`, p })),
  );
  const cost = new Map<string, number>();
  for (const { p } of columns) {
    for (const [name, { ms }] of Object.entries(p.packages)) cost.set(name, Math.max(cost.get(name) ?? 0, ms));
  }
  const top = [...cost]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 14)
    .map(([name]) => name);
  const cell = (ms: number, modules: number): string =>
    modules === 0 ? '-' : `${ms.toFixed(0)} (${modules.toFixed(0)})`;
  const rows = [
    ['process life', ...columns.map(({ p }) => p.lifeMs.toFixed(0))],
    ['all modules', ...columns.map(({ p }) => cell(p.loadMs, p.modules))],
    ...top.map((name) => [
      `  ${name}`,
      ...columns.map(({ p }) => cell(p.packages[name]?.ms ?? 0, p.packages[name]?.modules ?? 0)),
    ]),
    [
      '  the rest',
      ...columns.map(({ p }) => {
        const rest = Object.entries(p.packages).filter(([name]) => !top.includes(name));
        return cell(
          rest.reduce((sum, [, v]) => sum + v.ms, 0),
          rest.reduce((sum, [, v]) => sum + v.modules, 0),
        );
      }),
    ],
  ];
  return table(['ms (modules)', ...columns.map((c) => c.label)], rows);
}

/**
 * Writes results.json formatted by the project's prettier, so that `prettier --check` stays clean after
 * every bench run (JSON.stringify spreads short arrays over lines, which prettier would join).
 */
async function writeResults(data: unknown): Promise<void> {
  let text = `${JSON.stringify(data, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const options = await prettier.resolveConfig(RESULTS_FILE);
    text = await prettier.format(text, { ...options, filepath: RESULTS_FILE });
  } catch {
    // Without prettier the file is still valid JSON; only the lint check would complain.
  }
  fs.writeFileSync(RESULTS_FILE, text);
}

async function main(): Promise<void> {
  const { runs, only } = parseArgs(process.argv.slice(2));
  const loadBefore = os.loadavg();
  const results: ScenarioResult[] = [];
  const scenarios = only === undefined ? SCENARIOS : SCENARIOS.filter((s) => s.id.includes(only));
  const withModules = only === undefined || MODULE_LOADING_ID.includes(only);
  if (scenarios.length === 0 && !withModules)
    throw new Error(`--only: no scenario id contains ${JSON.stringify(only)}`);
  for (const scenario of scenarios) {
    process.stderr.write(`${scenario.id} `);
    results.push(await measure(scenario, runs));
    process.stderr.write('\n');
  }
  let loading: ModuleLoading[] = [];
  if (withModules) {
    process.stderr.write(`${MODULE_LOADING_ID} `);
    loading = await measureModuleLoading();
    process.stderr.write('\n');
  }
  const targets = evaluateTargets(results);

  const out = (text: string): boolean => process.stdout.write(text);
  if (results.length > 0) {
    out(`\nWall time, ${runs} runs each after a warm-up run:\n${formatTimes(results)}\n`);
    if (results.some((r) => r.changed > 0)) {
      out(
        '(*N: in N runs of ours its sources had changed (others editing the tree); an unchanged second synth leaves those out)\n',
      );
    }
    out(
      `\nMemory and CPU (peak: the largest process of any run; CPU: all processes, median):\n${formatUsage(results)}\n`,
    );
    out(`\nOutput:\n${formatChecks(results)}\n`);
  }
  if (loading.length > 0) {
    out(
      `\nModule loading, one run each (own ms of each package's modules, and how many):\n${formatModuleLoading(loading)}\n`,
    );
  }
  if (targets.length > 0) out('\nTargets:\n');
  for (const t of targets) out(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.actual} (limit ${t.limit})\n`);

  if (only !== undefined) {
    out('\n(--only: bench/results.json left as it was)\n');
    return;
  }
  const cpus = os.cpus();
  await writeResults({
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
      // Others may be using the machine: load before and after tells whether the figures are trustworthy.
      loadAverage: { before: loadBefore.map((l) => round(l, 2)), after: os.loadavg().map((l) => round(l, 2)) },
    },
    runs,
    warmUpRuns: 1,
    scenarios: results.map((r) => ({
      scenario: r.scenario.id,
      clouds: r.scenario.clouds,
      validation: r.scenario.validation,
      loadAverage1Min: { start: r.load[0], end: r.load[1] },
      ...(r.changed > 0 && { runsWithChangedSources: r.changed, runsLeftOut: r.discarded }),
      ours: { command: commandOf(r.scenario.ours), ...rounded(r.ours) },
      floor: {
        command: commandOf(r.scenario.floor),
        ...(r.scenario.floorNote !== undefined && { note: r.scenario.floorNote }),
        ...rounded(r.floor),
      },
      ratio: {
        ofMedians: round(ratioOf(r), 3),
        perRound: { min: round(Math.min(...r.ratios), 3), max: round(Math.max(...r.ratios), 3) },
      },
      ...(r.variants.length > 0 && {
        floorVariants: r.variants.map((v) => ({ label: v.label, ...rounded(v.stats) })),
      }),
      stacks: r.checks,
    })),
    moduleLoading: loading.map((l) => ({
      run: l.run,
      processes: l.processes.map((p) => ({
        ...p,
        // The packages that cost a millisecond or more; results.json is read by people.
        packages: Object.fromEntries(Object.entries(p.packages).filter(([, v]) => v.ms >= 1)),
      })),
    })),
    targets: { limits: TARGETS, results: targets, allPass: targets.every((t) => t.pass) },
  });
  out(`\nWrote ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
}

function commandOf(program: Program): string {
  const command = ['node -r bin/register.js', program.script, ...program.args].join(' ');
  return program.copies && program.copies > 1 ? `${program.copies} at once: ${command}` : command;
}

function rounded(stats: Stats): Record<string, unknown> {
  return {
    medianMs: round(stats.medianMs, 1),
    minMs: round(stats.minMs, 1),
    maxMs: round(stats.maxMs, 1),
    maxPeakMiB: round(stats.maxPeakMiB, 1),
    maxProcesses: stats.maxProcesses,
    medianCpuMs: round(stats.medianCpuMs, 1),
    ...(stats.medianReadMs !== undefined && { medianReadMs: round(stats.medianReadMs, 1) }),
    samples: stats.samples.map((s) => ({
      wallMs: round(s.wallMs, 1),
      peakMiB: round(s.peakMiB, 1),
      cpuMs: round(s.cpuMs, 1),
      processes: s.processes,
      ...(s.sourcesChanged && { sourcesChanged: true }),
    })),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
