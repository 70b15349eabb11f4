import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { importGraph, type ImportGraph } from '../util/imports';

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

  const stacksLoadsTooling = lintAs(
    'stacks/aws/x.ts',
    "import { synthesize } from '../../bin/cli/synth';\nexport { synthesize };\n",
  );
  const environmentsLoadTooling = lintAs(
    'stacks/environments/x.ts',
    "import { importEnvironments } from '../../bin/cli/load-environments';\nexport { importEnvironments };\n",
  );
  test('stacks cannot import the command-line tooling in bin/cli', () => {
    expect([...stacksLoadsTooling(), ...environmentsLoadTooling()]).toEqual([
      expect.stringMatching(/stacks never import bin/),
      expect.stringMatching(/stacks never import bin/),
    ]);
  });

  const coreLoadsTooling = lintAs(
    'lib/core/x.ts',
    "import { runCli } from '../../bin/cli/command';\nexport { runCli };\n",
  );
  test('lib/core cannot import the command-line tooling', () => {
    expect(coreLoadsTooling()).toEqual([expect.stringMatching(/lib\/core imports nothing above it/)]);
  });
});

/**
 * The layers of lib/, stacks/ and bin/, each with the layers it may import (its own included), top down: entry
 * points, the command-line tooling, composition, constructs and review, the neutral core. A file in no layer is an
 * error too: stacks/ holds composition only, the tooling lives in bin/cli/.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  bin: ['bin/cli', 'stacks/aws', 'stacks/azure', 'stacks/environments'],
  'bin/cli': [
    'bin/cli',
    'stacks/aws',
    'stacks/azure',
    'stacks/delivery',
    'stacks/environments',
    'lib/aws',
    'lib/azure',
    'lib/report',
    'lib/review',
    'lib/core',
  ],
  'stacks/aws': ['stacks/aws', 'lib/aws', 'lib/core'],
  'stacks/azure': ['stacks/azure', 'lib/azure', 'lib/core'],
  'stacks/environments': ['stacks/environments', 'lib/core'],
  'stacks/delivery': ['stacks/delivery', 'lib/core'],
  'lib/aws': ['lib/aws', 'lib/core'],
  'lib/azure': ['lib/azure', 'lib/core'],
  'lib/review': ['lib/review', 'lib/core'],
  'lib/report': ['lib/report', 'lib/review', 'lib/core'],
  'lib/core': ['lib/core'],
};

/** The layer of a file: its folder in {@link MAY_IMPORT} (the longest that holds it), or undefined. */
function layerOf(file: string): string | undefined {
  const folder = path.posix.dirname(file);
  return Object.keys(MAY_IMPORT)
    .filter((layer) => folder === layer || folder.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/** Every file outside the layers and every import that does not point down them, one line each. */
function layerViolations(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const layer = layerOf(file);
    if (layer === undefined) {
      problems.push(`${file}: in no layer (${Object.keys(MAY_IMPORT).join(', ')})`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to === undefined || !MAY_IMPORT[layer]!.includes(to)) {
        problems.push(`${file} -> ${target}: ${layer} imports ${MAY_IMPORT[layer]!.join(', ')} only`);
      }
    }
  }
  return problems.sort();
}

describe('import boundaries (every relative import)', () => {
  test('every import of lib/, stacks/ and bin/ points down the layers', () => {
    const graph = importGraph(root, ['lib', 'stacks', 'bin']);
    expect([...graph.keys()].filter((f) => f.startsWith('bin/cli/')).length).toBeGreaterThan(0);
    expect(layerViolations(graph)).toEqual([]);
  });

  test('an upward import is an error at any depth, and so is a file outside the layers', () => {
    const graph: ImportGraph = new Map([
      ['stacks/aws/deep/x.ts', ['bin/cli/synth.ts', 'lib/core/index.ts']],
      ['stacks/aws/y.ts', ['stacks/environments/index.ts', 'stacks/azure/index.ts']],
      ['bin/cli/x.ts', ['bin/platform.ts']],
      ['lib/core/spec/x.ts', ['lib/aws/index.ts', 'lib/core/errors.ts']],
      ['lib/review/x.ts', ['stacks/aws/index.ts']],
      ['stacks/synth.ts', ['lib/core/index.ts']],
    ]);
    expect(layerViolations(graph)).toEqual([
      'bin/cli/x.ts -> bin/platform.ts: bin/cli imports bin/cli, stacks/aws, stacks/azure, stacks/delivery, stacks/environments, lib/aws, lib/azure, lib/report, lib/review, lib/core only',
      'lib/core/spec/x.ts -> lib/aws/index.ts: lib/core imports lib/core only',
      'lib/review/x.ts -> stacks/aws/index.ts: lib/review imports lib/review, lib/core only',
      'stacks/aws/deep/x.ts -> bin/cli/synth.ts: stacks/aws imports stacks/aws, lib/aws, lib/core only',
      'stacks/aws/y.ts -> stacks/azure/index.ts: stacks/aws imports stacks/aws, lib/aws, lib/core only',
      'stacks/aws/y.ts -> stacks/environments/index.ts: stacks/aws imports stacks/aws, lib/aws, lib/core only',
      'stacks/synth.ts: in no layer (bin, bin/cli, stacks/aws, stacks/azure, stacks/environments, stacks/delivery, lib/aws, lib/azure, lib/review, lib/report, lib/core)',
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
