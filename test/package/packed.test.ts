import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporaryFolders } from '../util/temp';
import { brokenLinks, machinePathsIn, markdownLinks, packageOf, parsePackOutput } from './packed';

const folder = temporaryFolders('packed-');

describe('the pack harness helpers', () => {
  test('markdownLinks reads inline links, images, reference definitions and hrefs, not code', () => {
    const markdown = [
      'See [docs](docs/a.md#part) and ![logo](img/logo.png "Logo").',
      '[ref]: ../CHANGELOG.md',
      '<a href="docs/b.md">b</a>',
      'Inline `[x](not-a-link.md)` code.',
      '```ts',
      '[y](inside-a-fence.md)',
      '```',
    ].join('\n');
    expect(markdownLinks(markdown)).toEqual(['docs/a.md#part', 'img/logo.png', '../CHANGELOG.md', 'docs/b.md']);
  });

  test('brokenLinks: relative links must name a packed file or folder; schemes and anchors are not checked', () => {
    const packed = ['README.md', 'CHANGELOG.md', 'docs/a.md', 'docs/b.md', 'dist/lib/core/index.js'];
    const documents = {
      'README.md': '[a](docs/a.md#x) [dist](dist/lib) [web](https://example.com) [top](#top) [gone](docs/c.md)',
      'docs/a.md': '[b](b.md) [log](../CHANGELOG.md) [src](../lib/core/index.ts) [out](../../outside.md)',
    };
    expect(brokenLinks(documents, packed)).toEqual([
      'README.md: docs/c.md',
      'docs/a.md: ../../outside.md',
      'docs/a.md: ../lib/core/index.ts',
    ]);
  });

  test('machinePathsIn finds a machine path where it ends, not a longer name that starts with it', () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, 'stacks'));
    fs.writeFileSync(path.join(dir, 'clean.json'), '{"arn":"arn:aws:iam::1:root","dir":"/rootless/x"}');
    fs.writeFileSync(path.join(dir, 'stacks', 'leaky.json'), '{"state":"/home/team/app/terraform.tfstate"}');
    expect(machinePathsIn(dir, ['/root', '/home/team/app'])).toEqual([
      `${path.join('stacks', 'leaky.json')}: ...{"state":"/home/team/app/terraform.tfstate"}...`,
    ]);
  });

  test('parsePackOutput takes the JSON after the prepack output', () => {
    const stdout =
      '\n> build\n> tsc\n\n[\n{"filename":"p-1.0.0.tgz","size":1,"unpackedSize":2,"files":[{"path":"a","size":2}]}\n]\n';
    expect(parsePackOutput(stdout).files.map((f) => f.path)).toEqual(['a']);
  });

  test('packageOf names scoped and plain packages', () => {
    expect(['@cdktf/provider-azurerm/lib/x.js', 'aws-cdk-lib/index.js'].map(packageOf)).toEqual([
      '@cdktf/provider-azurerm',
      'aws-cdk-lib',
    ]);
  });
});
