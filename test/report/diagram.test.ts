import { buildDiagram, nodeCount } from '../../lib/report/diagram';
import { toDot } from '../../lib/report/dot';
import type { EnvironmentReview, ResourceChange } from '../../lib/review/model';
import type { GraphEdge, GraphResource, ResourceGraph } from '../../lib/review/resource-graph';
import { environmentReview, resourceChange } from '../util/review-fixtures';

const STACK = 'platform-dev-workloads';

function resource(id: string, type: string, group: string, member?: string): GraphResource {
  return { key: `${STACK}/${id}`, stack: STACK, id, type, group, ...(member ? { member } : {}) };
}

function edge(from: string, to: string, kind: GraphEdge['kind'] = 'ref'): GraphEdge {
  return { from: `${STACK}/${from}`, to: `${STACK}/${to}`, kind };
}

/** A network, monitoring, and `count` services alike: each a service, a task definition, an alarm and a policy. */
function servicesGraph(count: number): ResourceGraph {
  const resources: GraphResource[] = [
    resource('Vpc', 'AWS::EC2::VPC', 'network'),
    resource('Route', 'AWS::EC2::Route', 'network'),
    resource('Topic', 'AWS::SNS::Topic', 'monitoring', 'CriticalTopic'),
    resource('Logs', 'AWS::Logs::LogGroup', 'monitoring', 'Logs'),
  ];
  const edges: GraphEdge[] = [edge('Route', 'Vpc')];
  for (let i = 1; i <= count; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    resources.push(
      resource(`${name}Service`, 'AWS::ECS::Service', 'services', name),
      resource(`${name}Task`, 'AWS::ECS::TaskDefinition', 'services', name),
      resource(`${name}Alarm`, 'AWS::CloudWatch::Alarm', 'services', name),
      resource(`${name}Policy`, 'AWS::IAM::Policy', 'services', name),
    );
    edges.push(
      edge(`${name}Service`, 'Vpc'),
      edge(`${name}Service`, `${name}Task`),
      edge(`${name}Task`, 'Logs'),
      edge(`${name}Alarm`, 'Topic'),
      edge(`${name}Policy`, 'Logs'),
    );
  }
  return { environment: 'dev', cloud: 'aws', resources, edges };
}

function change(id: string, action: ResourceChange['action'], extra: Partial<ResourceChange> = {}): ResourceChange {
  return resourceChange({ stack: STACK, id, type: 'AWS::ECS::Service', action, ...extra });
}

function review(changes: ResourceChange[]): EnvironmentReview {
  return environmentReview(changes, { stacks: [{ stack: STACK, status: 'changed' }] });
}

const labels = (diagram: ReturnType<typeof buildDiagram>): string[] =>
  diagram.groups.flatMap((g) => g.nodes.map((n) => `${g.name}:${n.label}`));

describe('buildDiagram', () => {
  test('one node per group, one per member of a collection group; supporting resources are counted in their node', () => {
    const diagram = buildDiagram(servicesGraph(2));
    expect(labels(diagram)).toEqual([
      'network:network',
      'monitoring:monitoring',
      'services:svc-001',
      'services:svc-002',
    ]);
    const service = diagram.groups.find((g) => g.name === 'services')!.nodes[0]!;
    expect(service.folded).toEqual({ Alarm: 1, Policy: 1 });
    expect(service.resources).toHaveLength(4);
    expect(diagram.groups.find((g) => g.name === 'network')!.nodes[0]!.folded).toEqual({ Route: 1 });
  });

  test('references become one edge per pair of nodes; an alarm routed to a topic draws none', () => {
    const diagram = buildDiagram(servicesGraph(2));
    expect(diagram.edges.map((e) => `${e.from} -> ${e.to} ×${e.count}`)).toEqual([
      'n-services-svc-001 -> n-monitoring ×2',
      'n-services-svc-001 -> n-network ×1',
      'n-services-svc-002 -> n-monitoring ×2',
      'n-services-svc-002 -> n-network ×1',
    ]);
  });

  test('100 services alike are one node ×100: the diagram stays as small as with one service', () => {
    const diagram = buildDiagram(servicesGraph(100));
    expect(nodeCount(diagram)).toBe(3);
    const services = diagram.groups.find((g) => g.name === 'services')!.nodes;
    expect(services.map((n) => [n.label, n.repeated, n.members.length, n.resources.length])).toEqual([
      ['services ×100', 100, 100, 400],
    ]);
    expect(toDot(diagram)).toContain('services ×100');
  });

  test('a check per service, each pointing at its own service, is alike too: both collapse', () => {
    const base = servicesGraph(100);
    const checks = base.resources
      .filter((r) => r.type === 'AWS::ECS::Service')
      .map((r) => resource(`${r.member}Canary`, 'AWS::Synthetics::Canary', 'checks', r.member));
    const graph = {
      ...base,
      resources: [...base.resources, ...checks],
      edges: [...base.edges, ...checks.map((c) => edge(c.id, `${c.member}Service`))],
    };
    const diagram = buildDiagram(graph);
    expect(labels(diagram)).toEqual([
      'network:network',
      'monitoring:monitoring',
      'services:services ×100',
      'checks:checks ×100',
    ]);
    expect(diagram.edges.map((e) => `${e.from} -> ${e.to} ×${e.count}`)).toContainEqual(
      'n-checks-svc-001-x100 -> n-services-svc-001-x100 ×100',
    );
  });

  test('below the threshold members stay apart', () => {
    expect(nodeCount(buildDiagram(servicesGraph(2), { collapseAt: 3 }))).toBe(4);
    expect(nodeCount(buildDiagram(servicesGraph(3), { collapseAt: 3 }))).toBe(3);
  });

  test('a member that changes is drawn on its own, with its change, beside the collapsed rest', () => {
    const diagram = buildDiagram(servicesGraph(100), {
      review: review([change('svc-042Service', 'replace'), change('svc-042Alarm', 'update')]),
    });
    const services = diagram.groups.find((g) => g.name === 'services')!.nodes;
    expect(services.map((n) => [n.label, n.change ?? 'none'])).toEqual([
      ['services ×99', 'none'],
      ['svc-042', 'replace'],
    ]);
  });

  test('data loss and widened access mark their node', () => {
    const diagram = buildDiagram(servicesGraph(1), {
      review: review([
        change('Logs', 'replace', { dataLoss: true, type: 'AWS::Logs::LogGroup' }),
        change('svc-001Policy', 'update', { security: [{ kind: 'iam-statement', broadened: true, description: 'x' }] }),
      ]),
    });
    const nodes = diagram.groups.flatMap((g) => g.nodes);
    expect(nodes.filter((n) => n.dataLoss).map((n) => n.label)).toEqual(['monitoring']);
    expect(nodes.filter((n) => n.broadened).map((n) => n.label)).toEqual(['svc-001']);
  });

  test('what only the base has is drawn from the base as a ghost, with its references', () => {
    const base = servicesGraph(2);
    const head = {
      ...base,
      resources: base.resources.filter((r) => r.member !== 'svc-002'),
      edges: base.edges.filter((e) => !e.from.includes('svc-002')),
    };
    const destroyed = ['svc-002Service', 'svc-002Task', 'svc-002Alarm', 'svc-002Policy'].map((id) =>
      change(id, 'destroy'),
    );
    const diagram = buildDiagram(head, { review: review(destroyed), base });
    const ghost = diagram.groups.flatMap((g) => g.nodes).find((n) => n.label === 'svc-002')!;
    expect([ghost.change, ghost.resources.length]).toEqual(['ghost', 4]);
    expect(diagram.edges.filter((e) => e.from === ghost.id).map((e) => e.to)).toEqual(['n-monitoring', 'n-network']);
  });

  test('no edge into the Azure resource group, which holds everything', () => {
    const graph: ResourceGraph = {
      environment: 'dev',
      cloud: 'azure',
      resources: [
        resource('azurerm_resource_group.rg', 'azurerm_resource_group', 'resource-group'),
        resource('azurerm_virtual_network.vnet', 'azurerm_virtual_network', 'network'),
      ],
      edges: [edge('azurerm_virtual_network.vnet', 'azurerm_resource_group.rg', 'interpolation')],
    };
    const diagram = buildDiagram(graph);
    expect([nodeCount(diagram), diagram.edges]).toEqual([2, []]);
  });

  test('the same graph gives the same diagram and the same Graphviz source', () => {
    expect(toDot(buildDiagram(servicesGraph(5)))).toBe(toDot(buildDiagram(servicesGraph(5))));
  });
});
