import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import {
  commentMarker,
  formatChange,
  renderJson,
  renderMarkdown,
  renderText,
  type EnvironmentReview,
  type ResourceChange,
  type Review,
} from '../../lib/review';
import { resourceChange } from '../util/review-fixtures';

const schema = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../lib/review/review.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function change(overrides: Partial<ResourceChange> & Pick<ResourceChange, 'stack' | 'id'>): ResourceChange {
  return resourceChange(overrides);
}

function env(environment: string, cloud: 'aws' | 'azure', changes: ResourceChange[]): EnvironmentReview {
  return {
    environment,
    cloud,
    status: changes.length > 0 ? 'changed' : 'unchanged',
    stacks: [{ stack: `platform-${environment}`, status: changes.length > 0 ? 'changed' : 'unchanged' }],
    changes,
    templateChanges: [],
    blockers: [],
    unusedAcknowledgements: [],
    ignored: [],
  };
}

/** The same VM replacement (data loss) in dev and staging, and an acknowledged one in prod. */
function replacedVms(): Review {
  const replaced = (environment: string, acknowledged: boolean): ResourceChange =>
    change({
      stack: `platform-${environment}`,
      id: 'azurerm_linux_virtual_machine.servers_web_VirtualMachine-1_5D2D2B0F',
      type: 'azurerm_linux_virtual_machine',
      path: `platform-${environment}/servers/web/VirtualMachine-1`,
      action: 'replace',
      stateful: true,
      dataLoss: true,
      consequence: `Replaces the Linux VM vm-platform-${environment}-web-1 of ${environment} with a new, empty one.`,
      properties: [
        { path: 'source_image_reference.version', replacement: 'always', before: 'latest', after: '24.04.202501010' },
      ],
      acknowledged,
      acknowledgements: acknowledged
        ? [{ risk: 'data-loss', reason: 'The web servers keep no data at all', on: 'resource' }]
        : [],
    });
  return {
    base: { label: 'main', commit: 'a'.repeat(40) },
    head: { label: 'working tree' },
    mode: 'change',
    environments: [
      env('dev', 'azure', [replaced('dev', false)]),
      env('staging', 'azure', [replaced('staging', false)]),
      env('prod', 'azure', [replaced('prod', true)]),
      env('prod', 'aws', []),
    ],
  };
}

describe('renderMarkdown', () => {
  const [comment] = renderMarkdown(replacedVms(), { repository: 'example-org/platform' });

  test('starts with the hidden marker, then the destructive warning, then the summary table', () => {
    const lines = comment!.split('\n');
    expect(lines[0]).toBe('<!-- platform-constructs-review example-org/platform part 1 -->');
    expect(lines.slice(2, 4)).toEqual([
      '> [!CAUTION]',
      '> **Data loss**: 2 changes replace or destroy resources that hold data, not acknowledged: dev (azure), staging (azure).',
    ]);
    expect(comment).toContain(
      [
        '| environment | cloud | created | updated | replaced | destroyed | data loss | security |',
        '|---|---|---:|---:|---:|---:|---:|---:|',
        '| dev | azure | 0 | 0 | 1 | 0 | ⚠️ **1** | 0 |',
        '| staging | azure | 0 | 0 | 1 | 0 | ⚠️ **1** | 0 |',
        '| prod | azure | 0 | 0 | 1 | 0 | ⚠️ **1** | 0 |',
        '| prod | aws | 0 | 0 | 0 | 0 | 0 | 0 |',
      ].join('\n'),
    );
  });

  test('collapses environments whose changes differ only by their name, and keeps the acknowledged one apart', () => {
    const summaries = [...comment!.matchAll(/<summary>(.*?)<\/summary>/g)].map((m) => m[1]);
    expect(summaries).toEqual([
      '<b>dev, staging · azure</b>: 1 replaced, **1 data loss**',
      '<b>prod · azure</b>: 1 replaced, **1 data loss**',
    ]);
    expect(comment).toContain('**platform-{env}**');
    expect(comment).toContain('✅ Acknowledged (data-loss): “The web servers keep no data at all”');
  });

  test('a comment over the limit is split between blocks, the summary whole in the first part', () => {
    const many: Review = {
      ...replacedVms(),
      environments: Array.from({ length: 12 }, (_, i) =>
        env(`env${i}`, 'aws', [
          change({ stack: `platform-env${i}`, id: `Alarm${i}`, notes: [`${'x'.repeat(300)} ${i}`] }),
        ]),
      ),
    };
    const parts = renderMarkdown(many, { repository: 'example-org/platform', limit: 2000 });
    expect(parts.length).toBeGreaterThan(2);
    parts.forEach((part, i) => {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(part.startsWith(commentMarker('example-org/platform', i + 1))).toBe(true);
      // Every block that was opened is closed in the same part.
      expect((part.match(/<details/g) ?? []).length).toBe((part.match(/<\/details>/g) ?? []).length);
    });
    expect(parts[0]).toContain('| env11 | aws |');
    expect(parts.slice(1).every((p) => p.includes('_Review continued: part'))).toBe(true);
    expect(parts.join('').match(/<summary>/g)).toHaveLength(12);
  });

  test('one block too large for a comment is split between its changes, each piece marked continued', () => {
    const big: Review = {
      ...replacedVms(),
      environments: [
        env(
          'dev',
          'aws',
          Array.from({ length: 20 }, (_, i) =>
            change({ stack: 'platform-dev', id: `Alarm${i}`, notes: ['y'.repeat(200)] }),
          ),
        ),
      ],
    };
    const parts = renderMarkdown(big, { repository: 'example-org/platform', limit: 3000 });
    expect(parts.length).toBeGreaterThan(2);
    const all = parts.join('');
    // One block became as many pieces as it needed: the first keeps its summary, the others say they continue it.
    expect(all.match(/<summary>/g)).toHaveLength(parts.length - 1);
    expect(all.match(/ \(continued\)<\/summary>/g)).toHaveLength(parts.length - 2);
    expect(parts.every((p) => p.length <= 3000)).toBe(true);
    expect(all.match(/\*\*update\*\*/g)).toHaveLength(20);
  });
});

describe('renderText', () => {
  test('colour only when asked', () => {
    expect(renderText(replacedVms())).not.toContain('\u001b[');
    expect(renderText(replacedVms(), { colour: true })).toContain('\u001b[31mDATA LOSS\u001b[0m');
  });

  test('ends with the verdict and what to do', () => {
    const lines = renderText(replacedVms()).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([
      '2 changes replace or destroy resources that hold data, not acknowledged: dev (azure), staging (azure).',
      'Exit 2: fix each risk, or acknowledge it next to its resource with acknowledgeChange (docs/review.md); a deployment failure can only be fixed.',
    ]);
  });
});

describe('renderJson', () => {
  test('is valid against the documented schema, with the exit code and counts', () => {
    const doc = JSON.parse(renderJson(replacedVms())) as { exitCode: number; summary: unknown };
    expect(validate(doc)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(doc.exitCode).toBe(2);
    expect(doc.summary).toEqual({
      changes: 3,
      dataLoss: 3,
      security: 0,
      unacknowledged: 2,
      blockers: 0,
      acknowledged: 1,
    });
  });

  test('carries what breaks for application teams, valid against the schema', () => {
    const breaking = [
      {
        category: 'api' as const,
        kind: 'export-removed' as const,
        where: 'platform-constructs/aws',
        subject: 'Network',
        message: 'Network (class) is no longer exported by platform-constructs/aws',
      },
    ];
    const doc = JSON.parse(renderJson(replacedVms(), { breaking })) as { breaking?: unknown };
    expect(validate(doc)).toBe(true);
    expect(doc.breaking).toEqual(breaking);
    expect(validate({ ...doc, breaking: [{ ...breaking[0], category: 'other' }] })).toBe(false);
    expect('breaking' in (JSON.parse(renderJson(replacedVms())) as object)).toBe(false);
  });

  test('the schema refuses what it does not document', () => {
    const doc = JSON.parse(renderJson(replacedVms())) as Record<string, unknown>;
    expect(validate({ ...doc, extra: true })).toBe(false);
  });
});

describe('formatChange', () => {
  test('shows where two long strings differ, with context', () => {
    const text = (n: number): string => `${'a'.repeat(100)} above ${n}% for 15 minutes ${'b'.repeat(100)}`;
    expect(formatChange(text(90), text(80), '→')).toBe(
      `…${'a'.repeat(17)} above 90% for 15 minutes ${'b'.repeat(6)}… → …${'a'.repeat(17)} above 80% for 15 minutes ${'b'.repeat(6)}… (228 → 228 chars)`,
    );
  });

  test('short values in full', () => {
    expect(formatChange(90, 80, '->')).toBe('90 -> 80');
  });
});
