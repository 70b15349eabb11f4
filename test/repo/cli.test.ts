import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXAMPLE_ENVIRONMENTS } from '../util/expected-stacks';
import { temporaryFolders } from '../util/temp';

const root = path.resolve(__dirname, '../..');
const tempDir = temporaryFolders('platform-cli-');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runSynth(args: string[], cwd: string, checkout = root, env: Record<string, string> = {}): Run {
  return spawnSync(
    process.execPath,
    ['-r', path.join(checkout, 'bin/register.js'), path.join(checkout, 'bin/platform.ts'), ...args],
    {
      cwd,
      encoding: 'utf8',
      // A cache of its own: an environment another test synthesized would otherwise be reused, with a line saying so.
      env: { ...process.env, CHECKPOINT_DISABLE: '1', PLATFORM_DEBUG: '', PLATFORM_SYNTH_CACHE: tempDir(), ...env },
    },
  );
}

/**
 * A checkout of its own whose environment files a test may break: bin/, stacks/ and the configuration copied,
 * lib/ and node_modules/ linked.
 */
function checkoutWith(edit: (environments: string) => void): string {
  const dir = tempDir();
  for (const entry of ['bin', 'stacks', 'package.json', 'cdk.json', 'cdktf.json', 'tsconfig.json']) {
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'lib'), path.join(dir, 'lib'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  edit(path.join(dir, 'stacks', 'environments'));
  return dir;
}

/** Appends lines to a file; returns the number of the first one. */
function append(file: string, lines: string): number {
  const text = fs.readFileSync(file, 'utf8').replace(/\n*$/, '\n');
  fs.writeFileSync(file, `${text}${lines}\n`);
  return text.split('\n').length;
}

describe('npm run synth (bin/platform.ts)', () => {
  test('an unknown environment exits 1 with a clear message, no stack trace and no output folder', () => {
    const cwd = tempDir();
    const run = runSynth(['--env', 'no-such-env'], cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `Unknown environment (1 problem):\n  - --env: "no-such-env" - not an environment; use one of ${EXAMPLE_ENVIRONMENTS.map((e) => e.name).join(', ')}\n`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('a bad option exits 1 with the usage', () => {
    const run = runSynth(['--clouds', 'aws'], os.tmpdir());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^Usage error: "--clouds" is not an option; "aws" is not an option\n {2}npm run synth -- /,
    );
  });

  test('one environment, one cloud: prints the summary and writes only that', () => {
    const cwd = tempDir();
    const run = runSynth(['--env', 'prod', '--cloud', 'azure'], cwd);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // 37 for the resource group, monitoring and network; 40 for the five servers (each a VM, network interface,
    // agent, maintenance assignment, rule association and diagnostic setting; per definition a data collection
    // rule and two of each alert kind); 1 for the maintenance configuration; 2 for the Container Apps
    // environment and its diagnostic setting; 17 for the two services (each a container app, identity,
    // diagnostic setting and five alerts; the api's Key Vault role assignment for its secret); 3 for the job (a
    // container app job, identity and failure alert); 9 for backup (the Recovery Services vault and its diagnostic
    // setting, the VM backup policy, a protected VM per server instance and the alert processing rule); 20 for the
    // audit trail (the Activity Log's diagnostic setting, 15 activity log alerts for its 8 controls' writes and
    // deletes, and 4 saved queries); 8 for the Kubernetes cluster (the cluster, its user node pool, identity and
    // subnet role, the admin group's role, diagnostic setting, Container insights rule and association); 6 for managed Prometheus (the
    // workspace, collection endpoint and rule, their two associations, the rule group).
    expect(run.stdout.split('\n')[2]).toMatch(
      /^prod\s+azure\s+platform-prod\s+162\s+cdktf\.out\/stacks\/platform-prod\/cdk\.tf\.json$/,
    );
    expect(fs.readdirSync(cwd)).toEqual(['cdktf.out']);
  });

  describe('an environment file that does not load is named with its line, without a stack trace', () => {
    // Run from the checkout, with the arguments npm run synth -- --env dev --cloud azure would pass.
    const run = (checkout: string, env: Record<string, string> = {}): Run =>
      runSynth(['--env', 'dev', '--cloud', 'azure'], checkout, checkout, env);

    test('a syntax error: file, line, column and message, without the stack of swc (in Rust) or Node', () => {
      let line = 0;
      const checkout = checkoutWith((dir) => {
        line = append(path.join(dir, 'dev.ts'), 'export const broken = { cidr: , };');
      });
      const { status, stderr } = run(checkout);
      expect(status).toBe(1);
      expect(stderr).toBe(
        `Cannot load the environments: stacks/environments/dev.ts:${line}:31: Expression expected\n` +
          `  ${line} | export const broken = { cidr: , };\n` +
          `${' '.repeat(String(line).length + 3)}| ${' '.repeat(30)}^\n`,
      );
      // PLATFORM_DEBUG=1 shows what was hidden.
      expect(run(checkout, { PLATFORM_DEBUG: '1' }).stderr).toMatch(/Syntax Error[\s\S]*\n\s+at /);
    });

    test('an import of a file that does not exist: the importing file, line and module', () => {
      let line = 0;
      const checkout = checkoutWith((dir) => {
        line = append(
          path.join(dir, 'staging.ts'),
          "import { other } from './other-workloads';\nexport const x = other;",
        );
      });
      const { status, stderr } = run(checkout);
      expect(status).toBe(1);
      expect(stderr).toMatch(
        new RegExp(
          `^Cannot load the environments: stacks/environments/staging\\.ts:${line}:23: Cannot find module '\\./other-workloads'\\n  ${line} \\| import \\{ other \\}.*\\n +\\| +\\^\\n$`,
        ),
      );
    });

    test('an import of a name the file does not export, called: the line, and the name as written', () => {
      let line = 0;
      const checkout = checkoutWith((dir) => {
        line =
          append(
            path.join(dir, 'prod.ts'),
            "import { notExported } from './workloads';\nexport const x = notExported();",
          ) + 1;
      });
      const { status, stderr } = run(checkout);
      expect(status).toBe(1);
      expect(stderr.split('\n')[0]).toBe(
        `Cannot load the environments: stacks/environments/prod.ts:${line}:29: TypeError: notExported is not a function`,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
    });

    test('an error thrown while the file runs', () => {
      let line = 0;
      const checkout = checkoutWith((dir) => {
        line = append(path.join(dir, 'prod.ts'), "throw new Error('prod is not ready');");
      });
      const { status, stderr } = run(checkout);
      expect(status).toBe(1);
      expect(stderr).toBe(
        `Cannot load the environments: stacks/environments/prod.ts:${line}:7: Error: prod is not ready\n` +
          `  ${line} | throw new Error('prod is not ready');\n` +
          `${' '.repeat(String(line).length + 3)}|       ^\n`,
      );
    });
  });
});
