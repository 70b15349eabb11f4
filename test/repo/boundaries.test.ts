import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** A snippet of code and the file it is linted as. */
interface Snippet {
  readonly file: string;
  readonly code: string;
}

/**
 * Lints every snippet as if it were its file, with the repository's own eslint config, all in one child process
 * (the config is ESM, which jest's module system does not load; one process per snippet cost about 0.8 s each).
 * Returns the messages of no-restricted-imports, per snippet.
 */
function lintAll(snippets: readonly Snippet[]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const path = require('node:path');
    (async () => {
      const snippets = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const eslint = new ESLint({ cwd: process.cwd() });
      const results = [];
      for (const { file, code } of snippets) {
        results.push(await eslint.lintText(code, { filePath: path.resolve(file) }));
      }
      process.stdout.write(JSON.stringify(results));
    })();
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    input: JSON.stringify(snippets),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed (exit ${run.status}):\n${run.stderr}`);
  const results = JSON.parse(run.stdout) as Array<
    Array<{ messages: Array<{ ruleId: string | null; message: string }> }>
  >;
  return results.map(([result]) =>
    (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
  );
}

const snippets: Snippet[] = [];
let linted: string[][] | undefined;

/** Registers code to lint as if it were the given file; the function returned gives its messages. */
function lintAs(file: string, code: string): () => string[] {
  const index = snippets.push({ file, code }) - 1;
  return () => {
    linted ??= lintAll(snippets);
    return linted[index]!;
  };
}

describe('import boundaries (eslint)', () => {
  const providerRoot = lintAs(
    'stacks/azure/x.ts',
    "import { ResourceGroup } from '@cdktf/provider-azurerm';\nexport { ResourceGroup };\n",
  );
  test('the provider root import is forbidden everywhere', () => {
    expect(providerRoot()).toEqual([expect.stringMatching(/Import provider resources by deep path/)]);
  });

  const awsLoadsAzure = lintAs(
    'lib/aws/x.ts',
    "import { App } from 'cdktf';\nimport { Network } from '../azure';\nexport { App, Network };\n",
  );
  test('lib/aws cannot load cdktf or lib/azure', () => {
    expect(awsLoadsAzure()).toEqual([
      expect.stringMatching(/lib\/aws must not load cdktf/),
      expect.stringMatching(/lib\/aws imports lib\/core only/),
    ]);
  });

  const azureLoadsAws = lintAs('lib/azure/x.ts', "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nexport { ec2 };\n");
  test('lib/azure cannot load aws-cdk-lib', () => {
    expect(azureLoadsAws()).toEqual([expect.stringMatching(/lib\/azure must not load aws-cdk-lib/)]);
  });

  const deepRule = lintAs(
    'lib/aws/policy/rules/x.ts',
    "import { AZURE_RULES } from '../../../azure/policy';\nexport { AZURE_RULES };\n",
  );
  test('the arrows hold at any depth: lib/aws/policy/rules cannot reach lib/azure', () => {
    expect(deepRule()).toEqual([expect.stringMatching(/lib\/aws imports lib\/core only/)]);
  });

  const reviewLoadsCloud = lintAs(
    'lib/review/x.ts',
    "import { Stack } from 'aws-cdk-lib';\nimport { Network } from '../aws';\nexport { Stack, Network };\n",
  );
  test('lib/review reads output only: no cloud library, no construct code', () => {
    expect(reviewLoadsCloud()).toEqual([
      expect.stringMatching(/lib\/review reads synthesized output only/),
      expect.stringMatching(/lib\/review imports lib\/core only/),
    ]);
  });

  const coreLoadsCloud = lintAs('lib/core/x.ts', "import { Stack } from 'aws-cdk-lib';\nexport { Stack };\n");
  test('lib/core imports no cloud library', () => {
    expect(coreLoadsCloud()).toEqual([expect.stringMatching(/lib\/core is cloud-neutral/)]);
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
