import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review';
import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import { diffAzureEnvironment } from '../../lib/review/azure-diff';
import { sharedSynthesis } from '../util/shared-synthesis';
import { EXAMPLE_ENVIRONMENTS } from '../util/expected-stacks';

// Upgrades never replace a cluster; the review says so when a change would (issue 19). Prod runs a cluster.
const withCluster = EXAMPLE_ENVIRONMENTS.find((e) => e.kubernetes !== undefined)!;

/** The stacks with one edit applied to the cluster's block of `cloud`. */
function edited(
  stacks: readonly SynthesizedStack[],
  edit: (cluster: Record<string, unknown>) => void,
  type: string,
): SynthesizedStack[] {
  return stacks.map((s) => {
    const json = structuredClone(s.json) as {
      Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      resource?: Record<string, Record<string, Record<string, unknown>>>;
    };
    let touched = false;
    for (const resource of Object.values(json.Resources ?? {})) {
      if (resource.Type !== type) continue;
      edit(resource.Properties);
      touched = true;
    }
    for (const block of Object.values(json.resource?.[type] ?? {})) {
      edit(block);
      touched = true;
    }
    return touched ? { ...s, json } : s;
  });
}

describe(`the review of ${withCluster.name}'s cluster`, () => {
  let aws: SynthesizedStack[];
  let azure: SynthesizedStack[];
  beforeAll(async () => {
    const shared = await sharedSynthesis('plain');
    aws = readCdkOut(shared.cdkOut).filter((s) => s.environment === withCluster.name);
    azure = readCdktfOut(shared.cdktfOut).filter((s) => s.environment === withCluster.name);
  });

  test('AWS: a version upgrade updates the cluster in place', () => {
    const head = edited(aws, (p) => (p.Version = '1.36'), 'AWS::EKS::Cluster');
    const diff = diffAwsEnvironment(withCluster.name, aws, head, { newEnvironment: false });
    const cluster = diff.changes.filter((c) => c.type === 'AWS::EKS::Cluster');
    expect(cluster.map((c) => [c.action, c.dataLoss])).toEqual([['update', false]]);
  });

  test('AWS: a change that replaces the cluster is a replacement that loses data', () => {
    const head = edited(
      aws,
      (p) => ((p.ResourcesVpcConfig as { SubnetIds: unknown[] }).SubnetIds = ['subnet-0123456789abcdef0']),
      'AWS::EKS::Cluster',
    );
    const diff = diffAwsEnvironment(withCluster.name, aws, head, { newEnvironment: false });
    const cluster = diff.changes.filter((c) => c.type === 'AWS::EKS::Cluster');
    expect(cluster.map((c) => [c.action, c.dataLoss])).toEqual([['replace', true]]);
    // The cluster is named: CloudFormation cannot replace it under the same name, so the change cannot deploy.
    expect(diff.blockers.map((b) => b.message).join('\n')).toContain(
      `is replaced, but its Name is set to platform-${withCluster.name}`,
    );
  });

  test('Azure: a version upgrade updates the cluster in place; a ForceNew change replaces it and loses data', () => {
    const upgrade = diffAzureEnvironment(
      withCluster.name,
      azure,
      edited(azure, (b) => (b.kubernetes_version = '1.36'), 'azurerm_kubernetes_cluster'),
      { newEnvironment: false },
    );
    expect(
      upgrade.changes.filter((c) => c.type === 'azurerm_kubernetes_cluster').map((c) => [c.action, c.dataLoss]),
    ).toEqual([['update', false]]);
    const replaced = diffAzureEnvironment(
      withCluster.name,
      azure,
      edited(azure, (b) => (b.private_cluster_enabled = false), 'azurerm_kubernetes_cluster'),
      { newEnvironment: false },
    );
    expect(
      replaced.changes.filter((c) => c.type === 'azurerm_kubernetes_cluster').map((c) => [c.action, c.dataLoss]),
    ).toEqual([['replace', true]]);
  });
});
