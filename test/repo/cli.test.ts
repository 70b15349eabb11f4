import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

function runSynth(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(
    process.execPath,
    ['-r', path.join(root, 'bin/register.js'), path.join(root, 'bin/platform.ts'), ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    },
  );
}

describe('npm run synth (bin/platform.ts)', () => {
  test('an unknown environment exits 1 with a clear message, no stack trace and no output folder', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cli-'));
    const run = runSynth(['--env', 'qa'], cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'Unknown environment (1 problem):\n  - --env: "qa" - not an environment; use one of dev, staging, prod\n',
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
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cli-'));
    const run = runSynth(['--env', 'prod', '--cloud', 'azure'], cwd);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // 37 for the resource group, monitoring and network; 40 for the five servers (each a VM, network interface,
    // agent, maintenance assignment, rule association and diagnostic setting; per definition a data collection
    // rule and two of each alert kind); 1 for the maintenance configuration; 2 for the Container Apps
    // environment and its diagnostic setting; 17 for the two services (each a container app, identity,
    // diagnostic setting and five alerts; the api's Key Vault role assignment for its secret); 3 for the job (a
    // container app job, identity and failure alert); 9 for backup (the Recovery Services vault and its diagnostic
    // setting, the VM backup policy, a protected VM per server instance and the alert processing rule).
    expect(run.stdout.split('\n')[2]).toMatch(
      /^prod\s+azure\s+platform-prod\s+109\s+cdktf\.out\/stacks\/platform-prod\/cdk\.tf\.json$/,
    );
    expect(fs.readdirSync(cwd)).toEqual(['cdktf.out']);
  });
});
