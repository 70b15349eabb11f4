import type { EnvironmentReview, ResourceChange } from '../../lib/review/model';
import { MERMAID_LIMITS, mermaidText, renderMermaid } from '../../lib/review/render-mermaid';
import type { ResourceGraph } from '../../lib/review/resource-graph';
import { environmentReview, resourceChange } from '../util/review-fixtures';

const STACK = 'platform-dev-compute';

function change(id: string, action: ResourceChange['action'], extra: Partial<ResourceChange> = {}): ResourceChange {
  return resourceChange({
    stack: STACK,
    id,
    path: `platform-dev/compute/Servers/web/${id}/Resource`,
    action,
    ...extra,
  });
}

function env(changes: ResourceChange[]): EnvironmentReview {
  return environmentReview(changes);
}

function graph(ids: string[], edges: [string, string][]): ResourceGraph {
  return {
    environment: 'dev',
    cloud: 'aws',
    resources: ids.map((id) => ({
      key: `${STACK}/${id}`,
      stack: STACK,
      id,
      type: 'AWS::EC2::Instance',
      group: 'servers',
      member: 'web',
    })),
    edges: edges.map(([from, to]) => ({ from: `${STACK}/${from}`, to: `${STACK}/${to}`, kind: 'ref' as const })),
  };
}

describe('renderMermaid', () => {
  test('nothing changed: no diagram', () => {
    expect(renderMermaid(env([]))).toBeUndefined();
  });

  test('one node per changed resource in its group, references between them, one class per change', () => {
    const changes = [
      change('Instance1', 'replace', { dataLoss: true }),
      change('Role', 'update', { type: 'AWS::IAM::Role' }),
      change('Old', 'destroy'),
    ];
    const chart = renderMermaid(env(changes), {
      head: graph(['Instance1', 'Role'], [['Instance1', 'Role']]),
      base: graph(
        ['Instance1', 'Role', 'Old'],
        [
          ['Old', 'Role'],
          ['Instance1', 'Old'],
        ],
      ),
    })!;
    expect(chart.split('\n')).toEqual([
      'flowchart LR',
      '  subgraph g1["servers"]',
      '    n1["± EC2::Instance Servers/web/Instance1 · ⚠ loses data"]:::replace',
      '    n2["~ IAM::Role Servers/web/Role"]:::update',
      '    n3["− EC2::Instance Servers/web/Old"]:::destroy',
      '  end',
      '  n1 --> n2',
      '  n3 --> n2',
      '  classDef destroy fill:#ffffff,stroke:#cf222e,color:#59636e,stroke-dasharray:5 3',
      '  classDef replace fill:#fff1e5,stroke:#bc4c00,color:#1f2328',
      '  classDef update fill:#ddf4ff,stroke:#0969da,color:#1f2328',
    ]);
  });

  test('quotes, angle brackets and hashes in a label cannot break the diagram', () => {
    expect(mermaidText('a "b" <c> #d')).toBe('a #quot;b#quot; #lt;c#gt; #35;d');
    const chart = renderMermaid(
      env([change('X', 'create', { path: 'platform-dev/compute/Servers/web/<"x">/Resource' })]),
    )!;
    expect(chart).toContain('["+ EC2::Instance Servers/web/#lt;#quot;x#quot;#gt;"]:::create');
  });

  test('a large change is one node per group with its counts, far inside what GitHub renders', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      change(`Instance${i}`, i % 2 === 0 ? 'replace' : 'create', { dataLoss: i % 2 === 0 }),
    );
    const chart = renderMermaid(env(many))!;
    expect(chart.split('\n')).toEqual([
      'flowchart LR',
      '  g1["platform-dev-compute: 1000 replaced, 1000 created · ⚠ 1000 lose data"]:::replace',
      '  classDef replace fill:#fff1e5,stroke:#bc4c00,color:#1f2328',
    ]);
    expect(chart.length).toBeLessThan(MERMAID_LIMITS.chars);
  });

  test('more nodes than the cap also fold into groups', () => {
    const changes = Array.from({ length: 5 }, (_, i) => change(`I${i}`, 'update'));
    expect(renderMermaid(env(changes), {}, { maxNodes: 4 })).toBe(
      [
        'flowchart LR',
        '  g1["platform-dev-compute: 5 updated"]:::update',
        '  classDef update fill:#ddf4ff,stroke:#0969da,color:#1f2328',
      ].join('\n'),
    );
  });
});
