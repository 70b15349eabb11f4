import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { staleWorkflows } from '../../bin/cli/workflows';
import { ACTIONS } from '../../stacks/delivery/actions';
import { AZURE_DELIVERY_WORKFLOW, renderWorkflows } from '../../stacks/delivery/workflows';
import { loadDelivery } from '../../stacks/environments';

const root = path.resolve(__dirname, '../..');
const workflowsDir = path.join(root, '.github', 'workflows');
const workflowFiles = fs
  .readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

/** GitHub's workflow schema (SchemaStore), copied from shared/data into test/data. */
const schema = JSON.parse(fs.readFileSync(path.join(root, 'test/data/github-workflow.schema.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Job {
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly 'timeout-minutes'?: number;
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function read(file: string): string {
  return fs.readFileSync(path.join(workflowsDir, file), 'utf8');
}

function load(file: string): Workflow {
  return parse(read(file)) as Workflow;
}

/** `owner/repo@<40 hex>` (an action in a subfolder adds `/path` after the repository), a local action `./...`. */
const PINNED = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;

/** Every `uses:` line of a workflow's raw text: the reference and what follows it on the line. */
function usesLines(text: string): { ref: string; rest: string }[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => ({ ref: m[1]!, rest: m[2]! }));
}

describe('GitHub workflows', () => {
  test('there are workflow files, review.yml among them', () => {
    expect(workflowFiles).toContain('review.yml');
  });

  test.each(workflowFiles)('%s is valid against the GitHub workflow schema', (file) => {
    const valid = validate(load(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check catches a broken workflow (a job without runs-on or steps)', () => {
    expect(validate({ on: 'push', jobs: { broken: { name: 'no runner' } } })).toBe(false);
  });

  test('the generated workflows are committed and current (drift)', () => {
    const stale = staleWorkflows(renderWorkflows(loadDelivery()), workflowsDir).map(
      (s) => `.github/workflows/${s.file} (${s.problem}): run npm run workflows`,
    );
    expect(stale).toEqual([]);
  });

  test.each(workflowFiles)('%s pins every action to a full commit SHA, with its version on the same line', (file) => {
    const text = read(file);
    const lines = usesLines(text).filter((u) => !u.ref.startsWith('./'));
    // The raw lines are every `uses` the parsed workflow has.
    const parsed = Object.values(load(file).jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(lines.map((l) => l.ref)).toEqual(parsed.filter((u) => !u.startsWith('./')));
    for (const { ref, rest } of lines) {
      expect([ref, PINNED.test(ref)]).toEqual([ref, true]);
      expect([ref, rest]).toEqual([ref, expect.stringMatching(/^ # v\d+(\.\d+){0,2}$/)]);
    }
  });

  test('the pins are the table in stacks/delivery/actions.ts, version comments included', () => {
    const table = new Map<string, string>(Object.values(ACTIONS).map((a) => [`${a.repository}@${a.sha}`, a.version]));
    const used = workflowFiles.flatMap((f) => usesLines(read(f)));
    expect(used.length).toBeGreaterThan(0);
    for (const { ref, rest } of used) expect([ref, rest]).toEqual([ref, ` # ${table.get(ref)}`]);
    // The commit widely copied as github-script v9.0.0 names no commit of the repository.
    expect(used.map((u) => u.ref).filter((r) => r.includes('373c709c'))).toEqual([]);
  });

  test('the pin check catches a tag, a short SHA and a missing version comment', () => {
    const bad = usesLines(
      [
        '      - uses: actions/checkout@v7',
        '      - uses: actions/checkout@3d3c42e',
        '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
      ].join('\n'),
    );
    expect(bad.map((u) => PINNED.test(u.ref))).toEqual([false, false, true]);
    expect(bad[2]!.rest).toBe('');
  });

  test.each(workflowFiles)(
    '%s grants nothing at workflow level; every job declares its permissions and a timeout',
    (file) => {
      const workflow = load(file);
      expect(workflow.permissions).toEqual({});
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect([id, typeof job.permissions]).toEqual([id, 'object']);
        expect([id, typeof job['timeout-minutes']]).toEqual([id, 'number']);
        // An OpenID Connect token only for the jobs that reach Azure, and every one of them asks for it.
        const reachesAzure = job.env?.ARM_USE_OIDC === 'true';
        expect([id, job.permissions?.['id-token']]).toEqual([id, reachesAzure ? 'write' : undefined]);
      }
    },
  );

  test.each(workflowFiles)('%s passes event data to scripts through env, never into run', (file) => {
    const runs = Object.values(load(file).jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.includes('${{'))).toEqual([]);
  });

  test('the Azure delivery holds no secret: identifiers come from environment variables', () => {
    const text = read(AZURE_DELIVERY_WORKFLOW);
    expect(text).not.toContain('secrets.');
    expect(text).toContain('ARM_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}');
  });

  describe('review.yml', () => {
    const workflow = load('review.yml');
    const steps = workflow.jobs.review!.steps;

    test('runs on every pull request with a read-only checkout and permission to comment, granted to the job', () => {
      expect(Object.keys(workflow.on)).toEqual(['pull_request']);
      expect(workflow.permissions).toEqual({});
      expect(workflow.jobs.review!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    });

    test('checks out the whole history, so the base commit can be synthesized in a worktree, without the token', () => {
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    });

    test('reviews against the base as markdown and keeps the exit code', () => {
      const review = steps.find((s) => s.run?.includes('npm run -s review'));
      expect(review?.run).toContain('npm run -s review -- --base HEAD^1 --format markdown --out review/comment.md');
      expect(review?.run).toContain('echo "exit-code=$code" >> "$GITHUB_OUTPUT"');
    });

    test('updates the comment in place by its marker, part by part', () => {
      const script = String(steps.find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script);
      expect(script).toContain('`<!-- platform-constructs-review ${repo} part ${part} -->`');
      expect(script).toContain('github.rest.issues.updateComment');
      expect(script).toContain('github.rest.issues.deleteComment');
    });

    test('fails the check whenever the review does not exit 0 (2: unacknowledged risk, 1: error)', () => {
      const last = steps[steps.length - 1]!;
      expect(last.if).toBe("steps.review.outputs.exit-code != '0'");
      expect(last.env).toEqual({ EXIT_CODE: '${{ steps.review.outputs.exit-code }}' });
      expect(last.run).toContain('exit 1');
    });
  });
});
