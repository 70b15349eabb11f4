import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Lints code as if it were the given file, with the repository's own eslint config (in a child process: the config is ESM). */
async function lintAs(file: string, code: string): Promise<string[]> {
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint)', () => {
  test('the provider root import is forbidden everywhere', async () => {
    expect(
      await lintAs(
        'stacks/azure/x.ts',
        "import { ResourceGroup } from '@cdktf/provider-azurerm';\nexport { ResourceGroup };\n",
      ),
    ).toEqual([expect.stringMatching(/Import provider resources by deep path/)]);
  });

  test('lib/aws cannot load cdktf or lib/azure', async () => {
    expect(
      await lintAs(
        'lib/aws/x.ts',
        "import { App } from 'cdktf';\nimport { Network } from '../azure';\nexport { App, Network };\n",
      ),
    ).toEqual([
      expect.stringMatching(/lib\/aws must not load cdktf/),
      expect.stringMatching(/lib\/aws imports lib\/core only/),
    ]);
  });

  test('lib/azure cannot load aws-cdk-lib', async () => {
    expect(await lintAs('lib/azure/x.ts', "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nexport { ec2 };\n")).toEqual([
      expect.stringMatching(/lib\/azure must not load aws-cdk-lib/),
    ]);
  });

  test('the arrows hold at any depth: lib/aws/policy/rules cannot reach lib/azure', async () => {
    expect(
      await lintAs(
        'lib/aws/policy/rules/x.ts',
        "import { AZURE_RULES } from '../../../azure/policy';\nexport { AZURE_RULES };\n",
      ),
    ).toEqual([expect.stringMatching(/lib\/aws imports lib\/core only/)]);
  });

  test('lib/review reads output only: no cloud library, no construct code', async () => {
    expect(
      await lintAs(
        'lib/review/x.ts',
        "import { Stack } from 'aws-cdk-lib';\nimport { Network } from '../aws';\nexport { Stack, Network };\n",
      ),
    ).toEqual([
      expect.stringMatching(/lib\/review reads synthesized output only/),
      expect.stringMatching(/lib\/review imports lib\/core only/),
    ]);
  });

  test('lib/core imports no cloud library', async () => {
    expect(await lintAs('lib/core/x.ts', "import { Stack } from 'aws-cdk-lib';\nexport { Stack };\n")).toEqual([
      expect.stringMatching(/lib\/core is cloud-neutral/),
    ]);
  });
});

describe('subpath entry points load only their own cloud', () => {
  const loaded = (entry: string): string[] => {
    const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const run = spawnSync(process.execPath, ['-r', path.join(root, 'bin/register.js'), '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    return (JSON.parse(run.stdout) as string[]).map((f) => path.relative(root, f));
  };

  test('platform-constructs/aws does not load cdktf', () => {
    const modules = loaded('./lib/aws');
    expect(modules.some((m) => m.startsWith('node_modules/aws-cdk-lib/'))).toBe(true);
    expect(modules.filter((m) => /node_modules\/(cdktf|@cdktf)\//.test(m))).toEqual([]);
  });

  test('platform-constructs/azure does not load aws-cdk-lib', () => {
    const modules = loaded('./lib/azure');
    expect(modules.some((m) => m.startsWith('node_modules/cdktf/'))).toBe(true);
    expect(modules.filter((m) => m.startsWith('node_modules/aws-cdk-lib/'))).toEqual([]);
  });

  test('platform-constructs (core) loads neither cloud', () => {
    expect(loaded('./lib/core').filter((m) => /node_modules\/(aws-cdk-lib|cdktf|@cdktf|constructs)\//.test(m))).toEqual(
      [],
    );
  });
});
