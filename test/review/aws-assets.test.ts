import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import type { EnvironmentDiff } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-assets-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Files of one asset folder, by relative path. */
type Files = Record<string, string>;

/**
 * Writes a cloud assembly the way CDK lays out a Stage: the template and its asset manifest in a nested
 * assembly folder, the asset folders in the folder above it. Returns the stack as readCdkOut would.
 */
function assembly(
  side: string,
  code: { hash: string; files: Files },
  image: { hash: string; files: Files },
): SynthesizedStack {
  const dir = path.join(root, side, 'cdk.out', 'assembly-platform-dev');
  fs.mkdirSync(dir, { recursive: true });
  for (const [asset, files] of [
    [code.hash, code.files],
    [image.hash, image.files],
  ] as const) {
    for (const [file, body] of Object.entries(files)) {
      const full = path.join(dir, '..', `asset.${asset}`, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, body);
    }
  }
  const json = {
    Resources: {
      Handler: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Bucket: 'cdk-assets', S3Key: `${code.hash}.zip` },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: 'arn:aws:iam::111111111111:role/handler',
        },
        Metadata: { 'aws:asset:path': `../asset.${code.hash}`, 'aws:asset:property': 'Code' },
      },
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: [
            { Name: 'app', Image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-assets:${image.hash}` },
          ],
        },
      },
    },
  };
  const file = path.join(dir, 'platformdevapp.template.json');
  fs.writeFileSync(file, JSON.stringify(json));
  fs.writeFileSync(
    path.join(dir, 'platformdevapp.assets.json'),
    JSON.stringify({
      version: '55.0.0',
      files: {
        [code.hash]: {
          displayName: 'Handler/Code',
          source: { path: `../asset.${code.hash}`, packaging: 'zip' },
          destinations: {},
        },
      },
      dockerImages: {
        [image.hash]: { displayName: 'Task/Image', source: { directory: `../asset.${image.hash}` }, destinations: {} },
      },
    }),
  );
  return { cloud: 'aws', environment: 'dev', stack: 'platform-dev-app', file, bytes: 0, json };
}

const CODE = { 'index.js': 'exports.handler = async () => 1;', 'lib/util.js': 'module.exports = {};' };
const IMAGE = { Dockerfile: 'FROM public.ecr.aws/docker/library/node:22\nCOPY . .\n' };
const hash = (c: string): string => c.repeat(64);

function review(base: SynthesizedStack, head: SynthesizedStack): EnvironmentDiff {
  return diffAwsEnvironment('dev', [base], [head], { newEnvironment: false });
}

test('a renamed asset whose content is equal is not a change', () => {
  const base = assembly('base', { hash: hash('a'), files: CODE }, { hash: hash('c'), files: IMAGE });
  const head = assembly('head', { hash: hash('b'), files: CODE }, { hash: hash('d'), files: IMAGE });
  const diff = review(base, head);
  expect([diff.stacks, diff.changes]).toEqual([[{ stack: 'platform-dev-app', status: 'unchanged' }], []]);
});

test('a renamed asset whose content differs is a real change', () => {
  const base = assembly('base', { hash: hash('a'), files: CODE }, { hash: hash('c'), files: IMAGE });
  const head = assembly(
    'head',
    { hash: hash('b'), files: { ...CODE, 'index.js': 'exports.handler = async () => 2;' } },
    { hash: hash('d'), files: IMAGE },
  );
  expect(review(base, head).changes.map((c) => [c.id, c.action, c.properties])).toEqual([
    [
      'Handler',
      'update',
      [
        {
          path: 'Code',
          replacement: 'never',
          before: { S3Bucket: 'cdk-assets', S3Key: `${hash('a')}.zip` },
          after: { S3Bucket: 'cdk-assets', S3Key: `${hash('b')}.zip` },
        },
      ],
    ],
  ]);
});

test('a file moved within an asset folder is a change of content', () => {
  const base = assembly('base', { hash: hash('a'), files: CODE }, { hash: hash('c'), files: IMAGE });
  const head = assembly(
    'head',
    { hash: hash('b'), files: CODE },
    { hash: hash('d'), files: { 'docker/Dockerfile': IMAGE.Dockerfile } },
  );
  expect(review(base, head).changes.map((c) => [c.id, c.action])).toEqual([['Task', 'replace']]);
});

test('an asset whose folder is gone is never taken for equal', () => {
  const base = assembly('base', { hash: hash('a'), files: CODE }, { hash: hash('c'), files: IMAGE });
  const head = assembly('head', { hash: hash('b'), files: CODE }, { hash: hash('d'), files: IMAGE });
  fs.rmSync(path.join(root, 'base', 'cdk.out', `asset.${hash('a')}`), { recursive: true });
  expect(review(base, head).changes.map((c) => [c.id, c.action])).toEqual([['Handler', 'update']]);
});
