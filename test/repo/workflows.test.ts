import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

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
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { readonly steps: readonly Step[] }>;
}

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(workflowsDir, file), 'utf8')) as Workflow;
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

  describe('review.yml', () => {
    const workflow = load('review.yml');
    const steps = workflow.jobs.review!.steps;

    test('runs on every pull request with a read-only checkout and permission to comment', () => {
      expect(Object.keys(workflow.on)).toEqual(['pull_request']);
      expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    });

    test('checks out the whole history, so the base commit can be synthesized in a worktree', () => {
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with).toEqual({ 'fetch-depth': 0 });
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
      expect(last.run).toContain('exit 1');
    });
  });
});
