import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Review } from '../../../lib/review';
import { UsageError } from '../../../bin/cli/command';
import { parseReviewArgs, partFile, runReview, writeReviewOutput, type ReviewResult } from '../../../bin/cli/review';
import { errorOf } from '../../util/fixtures';

const root = path.resolve(__dirname, '../../..');

describe('parseReviewArgs', () => {
  test('defaults: the merge base, both clouds, every environment, text', () => {
    expect(parseReviewArgs([])).toEqual({ environments: [], clouds: ['aws', 'azure'], format: 'text' });
  });

  test('every option, in both forms', () => {
    expect(
      parseReviewArgs([
        '--base',
        'origin/main',
        '--env=dev,prod',
        '--cloud',
        'azure',
        '--format',
        'markdown',
        '--out',
        'review/comment.md',
        '--repository',
        'example-org/platform',
        '--head-dir',
        'head',
      ]),
    ).toEqual({
      base: 'origin/main',
      environments: ['dev', 'prod'],
      clouds: ['azure'],
      format: 'markdown',
      out: 'review/comment.md',
      repository: 'example-org/platform',
      headDir: 'head',
    });
    expect(parseReviewArgs(['--between', 'staging', 'prod']).between).toEqual(['staging', 'prod']);
    expect(parseReviewArgs(['--base-dir', 'artifact']).baseDir).toBe('artifact');
  });

  test('every wrong argument is reported at once, with the usage', () => {
    const error = errorOf(() =>
      parseReviewArgs([
        '--base',
        'main',
        '--base-dir',
        'x',
        '--format',
        'html',
        '--cloud',
        'gcp',
        '--between',
        'dev',
        '--verbose',
      ]),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message.split('\n')[0]).toBe(
      '--format: "html" - use text, markdown or json; --cloud: "gcp" - use aws or azure; --between needs two environment names; "--verbose" is not an option; --base and --base-dir each name the base: use one',
    );
    expect(error.message).toContain('npm run review -- [--base REF | --base-dir DIR | --between ENV ENV]');
  });

  test('a repository must be OWNER/NAME, and --between two different environments', () => {
    expect(() => parseReviewArgs(['--repository', 'platform'])).toThrow(/--repository: "platform" - use OWNER\/NAME/);
    expect(() => parseReviewArgs(['--between', 'prod', 'prod'])).toThrow(
      /--between: prod twice - name two environments/,
    );
  });
});

describe('writeReviewOutput', () => {
  const review: Review = { base: { label: 'a' }, head: { label: 'b' }, mode: 'change', environments: [] };
  const result = (output: string[]): ReviewResult => ({ review, exitCode: 0, output });

  test('parts beyond the first go to numbered files, and parts left from a longer review are removed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-out-'));
    try {
      const out = path.join(dir, 'review', 'comment.md');
      writeReviewOutput(result(['one', 'two', 'three']), out, () => undefined);
      expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['comment-2.md', 'comment-3.md', 'comment.md']);
      writeReviewOutput(result(['only']), out, () => undefined);
      expect(fs.readdirSync(path.dirname(out))).toEqual(['comment.md']);
      expect(fs.readFileSync(out, 'utf8')).toBe('only');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without a file the output goes to the writer', () => {
    const written: string[] = [];
    writeReviewOutput(result(['text']), undefined, (t) => written.push(t));
    expect(written).toEqual(['text']);
    expect(partFile('review/comment.md', 2)).toBe('review/comment-2.md');
  });
});

/**
 * A clone of this repository (its committed history, sharing the object store) whose last commit tightens an
 * alarm threshold in dev: a real base and head for the git path of the review.
 */
describe('runReview against git refs', () => {
  let clone: string;
  let temp: string;
  let broken: string;
  let beforeReview: string;
  let otherEntry: string;
  const git = (...args: string[]): string => {
    const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
      cwd: clone,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
    return run.stdout.trim();
  };
  const devFile = (): string => path.join(clone, 'stacks', 'environments', 'dev.ts');
  const edit = (from: string, to: string): void => {
    const text = fs.readFileSync(devFile(), 'utf8');
    if (!text.includes(from)) throw new Error(`dev.ts has no ${from}`);
    fs.writeFileSync(devFile(), text.replace(from, to));
  };
  const emails = "monitoring: { emails: ['platform-alerts@example.com'] },";

  beforeAll(() => {
    clone = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-clone-'));
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-temp-'));
    const run = spawnSync('git', ['clone', '--quiet', '--shared', root, clone], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    // A commit from before `npm run review` existed: its synthesis is all the review needs from a base. The command's
    // code is where this checkout keeps it, or where a checkout from before the tooling moved to bin/cli/ kept it.
    git('rm', '-q', '--ignore-unmatch', 'bin/review.ts', 'bin/cli/review.ts', 'stacks/review.ts');
    expect(git('ls-files', 'bin/review.ts', 'bin/cli/review.ts', 'stacks/review.ts')).toBe('');
    git('commit', '-qm', 'before the review command existed');
    beforeReview = git('rev-parse', 'HEAD');
    git('revert', '--no-edit', 'HEAD');
    // A commit without bin/platform.ts, whose `npm run synth` runs another entry point: as a checkout from before
    // the entry point had its name, which the review synthesizes through its own npm script.
    git('mv', 'bin/platform.ts', 'bin/synth-entry.ts');
    const packageJson = path.join(clone, 'package.json');
    const scripts = fs.readFileSync(packageJson, 'utf8');
    expect(scripts).toContain('"synth": "exec node -r ./bin/register.js bin/platform.ts"');
    fs.writeFileSync(packageJson, scripts.replace('bin/platform.ts', 'bin/synth-entry.ts'));
    git('commit', '-qam', 'synthesis through another entry point');
    otherEntry = git('rev-parse', 'HEAD');
    git('revert', '--no-edit', 'HEAD');
    edit("cidr: '10.10.0.0/16'", "cidr: '10.10.0.0/33'");
    git('commit', '-qam', 'a network the spec refuses');
    broken = git('rev-parse', 'HEAD');
    edit("cidr: '10.10.0.0/33'", "cidr: '10.10.0.0/16'");
    git('commit', '-qam', 'the network as it was');
    edit(
      emails,
      "monitoring: { emails: ['platform-alerts@example.com'], alarms: { 'server/web/cpu': { threshold: 80 } } },",
    );
    git('commit', '-qam', 'tighten the CPU alarm of the dev web servers');
  });

  afterAll(() => {
    fs.rmSync(clone, { recursive: true, force: true });
    fs.rmSync(temp, { recursive: true, force: true });
  });

  function leftovers(): { worktrees: string[]; temp: string[] } {
    return {
      worktrees: git('worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree ')),
      temp: fs.readdirSync(temp),
    };
  }

  test('a commit against its parent: one alarm update on each cloud, exit 0, nothing left behind', async () => {
    const result = await runReview(
      { base: 'HEAD~1', environments: ['dev'], clouds: ['aws', 'azure'], format: 'json' },
      { root: clone, tempDir: temp },
    );
    expect(result.exitCode).toBe(0);
    expect(result.review.base).toEqual({ label: 'HEAD~1', commit: git('rev-parse', 'HEAD~1') });
    expect(result.review.head.commit).toBe(git('rev-parse', 'HEAD'));
    expect(
      result.review.environments.map((e) => [e.environment, e.cloud, e.changes.map((c) => `${c.action} ${c.type}`)]),
    ).toEqual([
      ['dev', 'aws', ['update AWS::CloudWatch::Alarm']],
      ['dev', 'azure', ['update azurerm_monitor_metric_alert']],
    ]);
    // An environment's alarm threshold is not the library's API: nothing breaks for teams, and the JSON says so.
    expect(result.breaking).toEqual([]);
    expect((JSON.parse(result.output[0]!) as { breaking?: unknown }).breaking).toEqual([]);
    expect(leftovers()).toEqual({ worktrees: [`worktree ${fs.realpathSync(clone)}`], temp: [] });
  });

  test('uncommitted changes are part of the head, and the review says so', async () => {
    edit('threshold: 80', 'threshold: 70');
    try {
      const result = await runReview(
        { base: 'HEAD', environments: ['dev'], clouds: ['azure'], format: 'text' },
        { root: clone, tempDir: temp },
      );
      expect(result.review.head).toEqual({ label: 'working tree (uncommitted changes)' });
      const [alert] = result.review.environments[0]!.changes;
      expect(alert?.properties.map((p) => [p.path, p.before, p.after]).slice(0, 1)).toEqual([
        ['criteria.threshold', 80, 70],
      ]);
      expect(alert?.properties.map((p) => p.path)).toEqual(['criteria.threshold', 'description']);
      expect(result.output[0]).toContain('Review: HEAD (');
      expect(result.output[0]).toContain('Breaking for application teams\n\nNothing breaks for application teams.');
    } finally {
      git('checkout', '--', 'stacks/environments/dev.ts');
    }
  });

  test('a base that does not synthesize says which side failed and why, and leaves nothing behind', async () => {
    const error = await runReview(
      { base: broken, environments: [], clouds: ['azure'], format: 'text' },
      { root: clone, tempDir: temp },
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('ReviewError');
    expect(error?.message).toMatch(new RegExp(`^base ${broken} \\(${broken.slice(0, 7)}\\) does not synthesize:\\n`));
    expect(error?.message).toContain('dev.network.cidr: "10.10.0.0/33"');
    expect(leftovers()).toEqual({ worktrees: [`worktree ${fs.realpathSync(clone)}`], temp: [] });
  });

  test('a base from before the review command existed is reviewed like any other', async () => {
    const result = await runReview(
      { base: beforeReview, environments: ['dev'], clouds: ['azure'], format: 'json' },
      { root: clone, tempDir: temp },
    );
    expect([result.exitCode, result.review.base.commit]).toEqual([0, beforeReview]);
    expect(result.review.environments[0]!.changes.map((c) => `${c.action} ${c.type}`)).toEqual([
      'update azurerm_monitor_metric_alert',
    ]);
    expect(leftovers()).toEqual({ worktrees: [`worktree ${fs.realpathSync(clone)}`], temp: [] });
  });

  test('a base without bin/platform.ts is synthesized by its own npm run synth', async () => {
    const result = await runReview(
      { base: otherEntry, environments: ['dev'], clouds: ['azure'], format: 'json' },
      { root: clone, tempDir: temp },
    );
    expect([result.exitCode, result.review.base.commit]).toEqual([0, otherEntry]);
    expect(result.review.environments[0]!.changes.map((c) => `${c.action} ${c.type}`)).toEqual([
      'update azurerm_monitor_metric_alert',
    ]);
    expect(leftovers()).toEqual({ worktrees: [`worktree ${fs.realpathSync(clone)}`], temp: [] });
  });

  test('an unknown ref is named, with what to do', async () => {
    await expect(
      runReview(
        { base: 'no-such-branch', environments: [], clouds: ['azure'], format: 'text' },
        { root: clone, tempDir: temp },
      ),
    ).rejects.toThrow(
      '--base: "no-such-branch" is not a commit, branch or tag here; fetch it first (git fetch origin no-such-branch) or name another',
    );
    expect(leftovers().temp).toEqual([]);
  });

  test('a base folder without output says what is missing', async () => {
    await expect(
      runReview(
        {
          baseDir: path.join(temp, 'nothing'),
          headDir: path.join(temp, 'nothing'),
          environments: [],
          clouds: ['azure'],
          format: 'text',
        },
        { root: clone, tempDir: temp },
      ),
    ).rejects.toThrow(
      /The base \(.*nothing\) cannot be read:\n {2}.*cdktf\.out: .*holds no cdktf output \(no manifest\.json\)/,
    );
  });
});
