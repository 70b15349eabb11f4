import { readCdkOut, readCdktfOut, renderText, reviewBetween, type Review } from '../../lib/review';
import { loadEnvironments, selectEnvironments } from '../../stacks/environments';
import { sharedSynthesis } from '../util/shared-synthesis';

const environments = selectEnvironments(loadEnvironments(), ['staging', 'prod']);
const tokens = (name: string) => {
  const env = environments.find((e) => e.name === name)!;
  return {
    name,
    account: env.aws.account,
    region: env.aws.region,
    location: env.azure.location,
    cidr: env.network.cidr,
  };
};

let review: Review;
beforeAll(async () => {
  // staging and prod as synthesized for every environment at once: each stage's output is the same either way.
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  const names = environments.map((e) => e.name);
  const stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)].filter((s) => names.includes(s.environment));
  review = reviewBetween(stacks, tokens('staging'), tokens('prod'));
});

describe('reviewBetween staging and prod', () => {
  test('names the environments as its sides, with no verdict', () => {
    expect([review.mode, review.base.label, review.head.label]).toEqual(['between', 'staging', 'prod']);
    expect(review.environments.map((e) => [e.environment, e.cloud])).toEqual([
      ['prod', 'aws'],
      ['prod', 'azure'],
    ]);
    expect(renderText(review).trimEnd().split('\n').pop()).toBe('Environment comparison only: no verdict, exit 0.');
  });

  test('what prod has that staging does not: a NAT gateway per zone, a third web server, a second ops server', () => {
    const only = (cloud: 'aws' | 'azure', type: string): string[] =>
      review.environments
        .find((e) => e.cloud === cloud)!
        .changes.filter((c) => c.action === 'create' && c.type === type)
        .map((c) => c.path ?? c.id);
    expect(only('aws', 'AWS::EC2::NatGateway')).toEqual([
      'platform-prod/foundation/Network/Resource/PublicSubnet2/NATGateway',
      'platform-prod/foundation/Network/Resource/PublicSubnet3/NATGateway',
    ]);
    expect(only('aws', 'AWS::EC2::Instance')).toEqual([
      'platform-prod/compute/Servers/ops/Instance2/Resource',
      'platform-prod/compute/Servers/web/Instance3/Resource',
    ]);
    expect(only('azure', 'azurerm_linux_virtual_machine')).toEqual([
      'platform-prod/servers/ops/VirtualMachine-2',
      'platform-prod/servers/web/VirtualMachine-3',
    ]);
  });

  test('sizes that differ by design are shown with prod’s values', () => {
    const web1 = review.environments
      .find((e) => e.cloud === 'aws')!
      .changes.find((c) => c.path === 'platform-prod/compute/Servers/web/Instance1/Resource')!;
    expect(web1.properties.find((p) => p.path === 'InstanceType')).toEqual(
      expect.objectContaining({ before: 'm6i.large', after: 'm6i.xlarge' }),
    );
  });

  test('names, accounts and addresses that differ only by environment are not differences', () => {
    const mentions = JSON.stringify(review.environments.flatMap((e) => e.changes.flatMap((c) => c.properties)));
    // Every network address and name is normalized: staging's own values never show up as a difference.
    expect(mentions).not.toMatch(/staging|222222222222|10\.20\./);
    // Shown under prod's names: each of staging's stacks is compared with prod's of the same role.
    const stacks = review.environments.flatMap((e) => e.stacks.map((s) => s.stack));
    expect([...new Set(stacks)].sort()).toEqual([
      'platform-prod',
      'platform-prod-backup-copy',
      'platform-prod-compute',
      'platform-prod-foundation',
      // prod has a cluster and staging none: its stack is all created.
      ...(environments[1]!.kubernetes ? ['platform-prod-kubernetes'] : []),
      'platform-prod-workloads-2',
      'platform-prod-workloads-7',
    ]);
  });
});
