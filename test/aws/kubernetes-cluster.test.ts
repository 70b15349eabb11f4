import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import {
  acknowledgementsOn,
  EKS_ADDON_VERSIONS,
  EKS_ADDONS,
  KubernetesCluster,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  type KubernetesClusterProps,
} from '../../lib/aws';
import { apsWorkspaceKms } from '../../lib/aws/policy/rules/aps-workspace-kms';
import { eksAccessEntriesOnly } from '../../lib/aws/policy/rules/eks-access-entries-only';
import { eksDeletionProtection } from '../../lib/aws/policy/rules/eks-deletion-protection';
import { eksNodeGroupEncryptedDisks } from '../../lib/aws/policy/rules/eks-node-group-encrypted-disks';
import { eksNodeGroupImdsV2 } from '../../lib/aws/policy/rules/eks-node-group-imdsv2';
import { eksSecretsEncryption } from '../../lib/aws/policy/rules/eks-secrets-encryption';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as eks from 'aws-cdk-lib/aws-eks';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import type { Tier } from '../../lib/core';
import { KUBERNETES_VERSIONS, type KubernetesSpec, type NodePoolSpec } from '../../lib/core';
import { errorOf, prodEnvironment } from '../util/fixtures';

const ADMIN = 'arn:aws:iam::333333333333:role/platform-admin';

/** A resolved `kubernetes` section, as the core resolves it: one system pool over two zones. */
function kubernetesSpec(overrides: Partial<KubernetesSpec> = {}): KubernetesSpec {
  return {
    version: '1.35',
    pools: [{ name: 'system', size: 'medium', minCount: 2, maxCount: 4, zones: 2, system: true, diskGiB: 50 }],
    publicApiCidrs: [],
    egress: [],
    admins: { aws: [ADMIN], azure: [] },
    ...overrides,
  };
}

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly cluster: KubernetesCluster;
  readonly monitoring: Monitoring;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;

function build(
  spec: KubernetesSpec = kubernetesSpec(),
  tier: Tier = 'production',
  extra: Partial<KubernetesClusterProps> = {},
): Built {
  const stack = new PlatformStack(new App(), 'Kubernetes', {
    env: { account: '333333333333', region: 'eu-west-1' },
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    tier,
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: prodEnvironment().monitoring, name: 'prod' });
  const cluster = new KubernetesCluster(stack, 'Cluster', {
    spec,
    environment: 'prod',
    network: Network.fromVpc(stack, 'Network', vpc),
    monitoring,
    ...extra,
  });
  monitoring.allowKubernetesControlPlaneLogs(cluster.clusterName);
  return { stack, template: Template.fromStack(stack), cluster, monitoring };
}

function clusterResource(built: Built): { Properties: Record<string, unknown>; DeletionPolicy?: string } {
  const clusters = built.template.findResources('AWS::EKS::Cluster');
  expect(Object.keys(clusters)).toHaveLength(1);
  return Object.values(clusters)[0] as { Properties: Record<string, unknown>; DeletionPolicy?: string };
}

describe('KubernetesCluster (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  test('an EKS cluster platform-<env> in the private subnets, API reachable from inside the network only', () => {
    built.template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'platform-prod',
      Version: '1.35',
      ResourcesVpcConfig: {
        EndpointPrivateAccess: true,
        EndpointPublicAccess: false,
        PublicAccessCidrs: Match.absent(),
        SubnetIds: built.stack.resolve(built.cluster.subnetIds),
        SecurityGroupIds: [built.stack.resolve(built.cluster.controlPlaneSecurityGroup.securityGroupId)],
      },
      BootstrapSelfManagedAddons: false,
      UpgradePolicy: { SupportType: 'STANDARD' },
    });
    const vpc = built.stack.node.findChild('Vpc') as ec2.Vpc;
    expect(built.stack.resolve(built.cluster.subnetIds)).toEqual(
      built.stack.resolve(vpc.privateSubnets.map((s) => s.subnetId)),
    );
  });

  test('secrets are encrypted with the cluster key, without the deprecated Resources list', () => {
    const props = clusterResource(built).Properties;
    expect(props.EncryptionConfig).toEqual([
      { Provider: { KeyArn: built.stack.resolve(built.cluster.encryptionKey.keyArn) } },
    ]);
    built.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowAutoScalingNodeVolumeGrants',
            Action: 'kms:CreateGrant',
            Condition: Match.objectLike({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
          }),
        ]),
      },
    });
  });

  test('all five control-plane log types go to a pre-created, encrypted log group', () => {
    built.template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((Type) => ({ Type })),
        },
      },
    });
    built.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/eks/platform-prod/cluster',
      RetentionInDays: 365,
      KmsKeyId: built.stack.resolve(built.monitoring.encryptionKey.keyArn),
    });
    const cluster = Object.values(built.template.findResources('AWS::EKS::Cluster'))[0] as { DependsOn: string[] };
    expect(cluster.DependsOn).toContain(built.stack.getLogicalId(built.cluster.logGroup.node.defaultChild as never));
  });

  test("the monitoring key lets CloudWatch Logs encrypt the cluster's log group", () => {
    built.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForEksControlPlane1',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([':logs:eu-west-1:333333333333:log-group:/aws/eks/platform-prod/cluster']),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('access entries only: API mode, no implicit admin for the creator, the admin roles get cluster admin', () => {
    built.template.hasResourceProperties('AWS::EKS::Cluster', {
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
    built.template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    built.template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: built.stack.resolve(built.cluster.cluster.ref),
      PrincipalArn: ADMIN,
      Type: 'STANDARD',
      AccessPolicies: [
        {
          PolicyArn: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'],
            ],
          },
          AccessScope: { Type: 'cluster' },
        },
      ],
    });
  });

  test('production: deletion protection on and the cluster retained', () => {
    const cluster = clusterResource(built);
    expect(cluster.Properties.DeletionProtection).toBe(true);
    expect(cluster.DeletionPolicy).toBe('Retain');
    built.template.hasResource('AWS::EKS::Cluster', { UpdateReplacePolicy: 'Retain' });
  });

  test('development: no deletion protection, deleted with the stack', () => {
    const dev = build(kubernetesSpec(), 'development');
    const cluster = clusterResource(dev);
    expect(cluster.Properties.DeletionProtection).toBe(false);
    expect(cluster.DeletionPolicy).toBe('Delete');
  });

  test('node groups launch from a template requiring IMDSv2 with an encrypted gp3 root volume and no image', () => {
    built.template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    built.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: {
              Encrypted: true,
              KmsKeyId: built.stack.resolve(built.cluster.encryptionKey.keyArn),
              VolumeType: 'gp3',
              VolumeSize: 50,
              DeleteOnTermination: true,
            },
          },
        ],
        SecurityGroupIds: [built.stack.resolve(built.cluster.nodeSecurityGroup.securityGroupId)],
        ImageId: Match.absent(),
        InstanceType: Match.absent(),
      },
    });
  });

  test('a managed node group per pool: AL2023, the size table instance type, scaling from the spec, its zones', () => {
    const group = built.cluster.nodeGroups.get('system')!;
    const lt = Object.keys(built.template.findResources('AWS::EC2::LaunchTemplate'))[0]!;
    built.template.hasResourceProperties('AWS::EKS::Nodegroup', {
      ClusterName: built.stack.resolve(built.cluster.cluster.ref),
      AmiType: 'AL2023_x86_64_STANDARD',
      Version: '1.35',
      InstanceTypes: ['m6i.xlarge'],
      ScalingConfig: { MinSize: 2, MaxSize: 4, DesiredSize: 2 },
      Subnets: built.stack.resolve(built.cluster.subnetIds),
      LaunchTemplate: { Id: { Ref: lt }, Version: { 'Fn::GetAtt': [lt, 'LatestVersionNumber'] } },
      NodegroupName: Match.absent(),
      DiskSize: Match.absent(),
      Labels: { 'platform.io/pool': 'system', 'platform.io/system': 'true' },
      Taints: Match.absent(),
    });
    expect(group.cfnResourceType).toBe('AWS::EKS::Nodegroup');
  });

  test('with a second pool the system pool is tainted for critical add-ons, the other spans its own zones', () => {
    const two = build(
      kubernetesSpec({
        pools: [
          { name: 'system', size: 'medium', minCount: 2, maxCount: 3, zones: 2, system: true, diskGiB: 50 },
          { name: 'apps', size: 'large', minCount: 1, maxCount: 10, zones: 1, system: false, diskGiB: 100 },
        ],
      }),
    );
    two.template.resourceCountIs('AWS::EKS::Nodegroup', 2);
    two.template.hasResourceProperties('AWS::EKS::Nodegroup', {
      Labels: Match.objectLike({ 'platform.io/pool': 'system' }),
      Taints: [{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }],
    });
    two.template.hasResourceProperties('AWS::EKS::Nodegroup', {
      Labels: { 'platform.io/pool': 'apps' },
      Taints: Match.absent(),
      InstanceTypes: ['m6i.2xlarge'],
      ScalingConfig: { MinSize: 1, MaxSize: 10, DesiredSize: 1 },
      Subnets: [two.stack.resolve(two.cluster.subnetIds[0])],
    });
  });

  test('the add-ons are pinned to the versions of the minor, with pod identity for the CNI and the EBS CSI driver', () => {
    built.template.resourceCountIs('AWS::EKS::Addon', EKS_ADDONS.length);
    const addons = built.template.findResources('AWS::EKS::Addon') as Resources;
    const byName = Object.fromEntries(Object.values(addons).map((a) => [a.Properties.AddonName, a.Properties]));
    expect(Object.keys(byName).sort()).toEqual([...EKS_ADDONS].sort());
    for (const name of EKS_ADDONS) {
      expect(byName[name]!.AddonVersion).toBe(EKS_ADDON_VERSIONS['1.35'][name]);
      expect(byName[name]!.ResolveConflicts).toBe('OVERWRITE');
    }
    expect(byName['vpc-cni']!.PodIdentityAssociations).toEqual([
      { ServiceAccount: 'aws-node', RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ClusterCniRole/), 'Arn'] } },
    ]);
    expect(byName['aws-ebs-csi-driver']!.PodIdentityAssociations).toEqual([
      {
        ServiceAccount: 'ebs-csi-controller-sa',
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ClusterEbsCsiRole/), 'Arn'] },
      },
    ]);
    built.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { Service: 'pods.eks.amazonaws.com' },
          }),
        ],
      },
    });
  });

  test('every supported minor pins every add-on to an EKS build', () => {
    for (const version of KUBERNETES_VERSIONS) {
      for (const addon of EKS_ADDONS) {
        expect(`${version} ${addon} ${EKS_ADDON_VERSIONS[version][addon]}`).toMatch(/ v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      }
    }
  });

  test('add-ons are created in order: network add-ons, then the node groups, then the deployments', () => {
    const resources = built.template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: { AddonName?: string }; DependsOn?: string[] }
    >;
    const idOf = (name: string): string =>
      Object.entries(resources).find(([, r]) => r.Properties.AddonName === name)![0];
    const groupId = built.stack.getLogicalId(built.cluster.nodeGroups.get('system')!);
    expect(resources[groupId]!.DependsOn).toEqual(
      expect.arrayContaining([idOf('vpc-cni'), idOf('kube-proxy'), idOf('eks-pod-identity-agent')]),
    );
    for (const later of ['coredns', 'aws-ebs-csi-driver', 'kube-state-metrics']) {
      expect(resources[idOf(later)]!.DependsOn).toContain(groupId);
    }
    expect(resources[idOf('vpc-cni')]!.DependsOn).toContain(idOf('eks-pod-identity-agent'));
  });

  test('nodes may reach the cluster, the VPC, HTTPS and nothing else by default', () => {
    const sg = built.stack.resolve(built.cluster.nodeSecurityGroup.securityGroupId) as {
      'Fn::GetAtt': [string, string];
    };
    const groups = built.template.findResources('AWS::EC2::SecurityGroup') as Resources;
    const egress = groups[sg['Fn::GetAtt'][0]]!.Properties.SecurityGroupEgress as Record<string, unknown>[];
    expect(egress.map((r) => [r.CidrIp, r.IpProtocol, r.FromPort ?? null])).toEqual([
      [{ 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, '-1', null],
      ['0.0.0.0/0', 'tcp', 443],
    ]);
    built.template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: sg,
      DestinationSecurityGroupId: built.stack.resolve(built.cluster.controlPlaneSecurityGroup.securityGroupId),
      FromPort: 443,
    });
    built.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: built.stack.resolve(built.cluster.controlPlaneSecurityGroup.securityGroupId),
      SourceSecurityGroupId: sg,
      FromPort: 443,
      ToPort: 443,
    });
  });

  test("the spec's egress rules open exactly their CIDR and ports", () => {
    const withEgress = build(
      kubernetesSpec({ egress: [{ cidr: '203.0.113.0/24', ports: [5432, 6379], description: 'Partner database' }] }),
    );
    const sg = withEgress.stack.resolve(withEgress.cluster.nodeSecurityGroup.securityGroupId) as {
      'Fn::GetAtt': [string, string];
    };
    const groups = withEgress.template.findResources('AWS::EC2::SecurityGroup') as Resources;
    const egress = groups[sg['Fn::GetAtt'][0]]!.Properties.SecurityGroupEgress as Record<string, unknown>[];
    expect(egress.filter((r) => r.CidrIp === '203.0.113.0/24')).toEqual([
      { CidrIp: '203.0.113.0/24', Description: 'Partner database', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' },
      { CidrIp: '203.0.113.0/24', Description: 'Partner database', FromPort: 6379, ToPort: 6379, IpProtocol: 'tcp' },
    ]);
  });

  test('public API CIDRs open the public endpoint to them only, with AwsSolutions-EKS1 acknowledged by the CIDRs', () => {
    const open = build(kubernetesSpec({ publicApiCidrs: ['198.51.100.0/24'] }));
    open.template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({
        EndpointPrivateAccess: true,
        EndpointPublicAccess: true,
        PublicAccessCidrs: ['198.51.100.0/24'],
      }),
    });
    const findings = new AwsSolutionsChecks().validateScope(open.cluster).violations.map((v) => v.ruleName);
    expect(findings).not.toContain('AwsSolutions-EKS1');
    expect(acknowledgementsOn(open.cluster.cluster)['AwsSolutions-EKS1']).toMatch(
      /^The public API endpoint is limited to 198\.51\.100\.0\/24 by the spec/,
    );
    // The private cluster has nothing to acknowledge.
    expect(acknowledgementsOn(built.cluster.cluster)['AwsSolutions-EKS1']).toBeUndefined();
  });

  test('the kubernetes/api-server-errors alarm watches the API server 5XX responses and pages the critical topic', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-kubernetes.api-server-errors',
      Namespace: 'AWS/EKS',
      MetricName: 'apiserver_request_total_5XX',
      Dimensions: [{ Name: 'ClusterName', Value: 'platform-prod' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 10,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [built.stack.resolve(built.monitoring.topics.critical.topicArn)],
    });
    expect(built.monitoring.alarms.get('kubernetes/api-server-errors')).toBe(built.cluster.apiServerAlarm);
  });

  test('zero unacknowledged AwsSolutions, NIST 800-53 R5 and Platform findings on the cluster', () => {
    const packs = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PlatformChecks(undefined, { tier: 'production' }),
    ];
    const findings = packs.flatMap((p) =>
      p
        .validateScope(built.cluster)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test('a version upgrade 1.35 -> 1.36 changes Version and the add-on versions in place, nothing that replaces', () => {
    const old = build(kubernetesSpec({ version: '1.35' }));
    const upgraded = build(kubernetesSpec({ version: '1.36' }));
    const before = old.template.toJSON().Resources as Resources;
    const after = upgraded.template.toJSON().Resources as Resources;
    // The same logical IDs: nothing is removed and added again.
    expect(old.stack.getLogicalId(old.cluster.cluster)).toBe(upgraded.stack.getLogicalId(upgraded.cluster.cluster));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed: string[] = [];
    for (const [id, resource] of Object.entries(before)) {
      const next = after[id]!;
      expect(next.Type).toBe(resource.Type);
      const keys = new Set([...Object.keys(resource.Properties ?? {}), ...Object.keys(next.Properties ?? {})]);
      for (const key of keys) {
        if (JSON.stringify(resource.Properties?.[key]) !== JSON.stringify(next.Properties?.[key])) {
          changed.push(`${resource.Type}.${key}`);
        }
      }
    }
    // Version and AddonVersion update in place (the CloudFormation resource spec): the control plane, then the
    // add-ons and the nodes; nothing that replaces (Name, RoleArn, EncryptionConfig, SubnetIds, ...) changes.
    expect([...new Set(changed)].sort()).toEqual([
      'AWS::EKS::Addon.AddonVersion',
      'AWS::EKS::Cluster.Version',
      'AWS::EKS::Nodegroup.Version',
    ]);
    expect(Object.values(after).find((r) => r.Type === 'AWS::EKS::Nodegroup')!.Properties.Version).toBe('1.36');
  });

  test('bad props: every problem at once, each named by its path', () => {
    const message = errorOf(() =>
      build(
        kubernetesSpec({
          version: '1.31' as KubernetesSpec['version'],
          pools: [
            { name: 'System', size: 'medium', minCount: 3, maxCount: 2, zones: 5, system: false, diskGiB: 10 },
          ] as NodePoolSpec[],
          publicApiCidrs: ['0.0.0.0/0', '10.0.0.1/8'],
          egress: [{ cidr: 'x', ports: [70000], description: 'bad' }],
          admins: { aws: ['not-an-arn'], azure: [] },
        }),
      ),
    ).message;
    for (const expected of [
      'kubernetes.version: "1.31"',
      'kubernetes.pools: "0 system pools" - exactly one pool with system: true',
      'kubernetes.pools[0].name: "System"',
      'kubernetes.pools[0].maxCount: 2',
      'kubernetes.pools[0].zones: 5',
      'kubernetes.pools[0].diskGiB: 10',
      'kubernetes.publicApiCidrs[0]: "0.0.0.0/0" - in production',
      'kubernetes.publicApiCidrs[1]: "10.0.0.1/8"',
      'kubernetes.egress[0].cidr: "x"',
      'kubernetes.egress[0].ports[0]: 70000',
      'kubernetes.admins.aws[0]: "not-an-arn"',
    ]) {
      expect(message).toContain(expected);
    }
  });

  test('props passed by hand without a spec are refused with the prop path', () => {
    const stack = new Stack(new App(), 'Bare', { env: { account: '333333333333', region: 'eu-west-1' } });
    expect(
      errorOf(
        () => new KubernetesCluster(stack, 'Cluster', { environment: 'prod' } as unknown as KubernetesClusterProps),
      ).message,
    ).toMatch(/Invalid KubernetesCluster props \(Bare\/Cluster\)[\s\S]*props\.spec: \(missing\) - required/);
  });
});

describe('Platform rules for EKS and Prometheus', () => {
  function stackWith(fn: (stack: Stack) => void): Stack {
    const stack = new Stack(new App(), 'Rules');
    fn(stack);
    return stack;
  }
  const nodeGroup = (
    stack: Stack,
    data: ec2.CfnLaunchTemplate.LaunchTemplateDataProperty | undefined,
  ): eks.CfnNodegroup => {
    const lt = data && new ec2.CfnLaunchTemplate(stack, 'Lt', { launchTemplateData: data });
    return new eks.CfnNodegroup(stack, 'Group', {
      clusterName: 'c',
      nodeRole: 'arn:aws:iam::1:role/r',
      subnets: ['s'],
      ...(lt && { launchTemplate: { id: lt.ref, version: lt.attrLatestVersionNumber } }),
    });
  };
  const cluster = (stack: Stack, props: Partial<eks.CfnClusterProps>): eks.CfnCluster =>
    new eks.CfnCluster(stack, 'Cluster', {
      roleArn: 'arn:aws:iam::1:role/r',
      resourcesVpcConfig: { subnetIds: ['s'] },
      ...props,
    });
  const ebs = (encrypted: boolean): ec2.CfnLaunchTemplate.BlockDeviceMappingProperty[] => [
    { deviceName: '/dev/xvda', ebs: { encrypted } },
  ];

  test('EksNodeGroupImdsV2: compliant with HttpTokens required, not with optional or without a launch template', () => {
    let group!: eks.CfnNodegroup;
    stackWith((s) => (group = nodeGroup(s, { metadataOptions: { httpTokens: 'required' } })));
    expect(eksNodeGroupImdsV2(group)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith((s) => (group = nodeGroup(s, { metadataOptions: { httpTokens: 'optional' } })));
    expect(eksNodeGroupImdsV2(group)).toBe(NagRuleCompliance.NON_COMPLIANT);
    stackWith((s) => (group = nodeGroup(s, undefined)));
    expect(eksNodeGroupImdsV2(group)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('EksNodeGroupEncryptedDisks: compliant with every volume encrypted, not with one in clear or none declared', () => {
    let group!: eks.CfnNodegroup;
    stackWith((s) => (group = nodeGroup(s, { blockDeviceMappings: ebs(true) })));
    expect(eksNodeGroupEncryptedDisks(group)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith(
      (s) => (group = nodeGroup(s, { blockDeviceMappings: [...ebs(true), { deviceName: '/dev/xvdb', ebs: {} }] })),
    );
    expect(eksNodeGroupEncryptedDisks(group)).toBe(NagRuleCompliance.NON_COMPLIANT);
    stackWith((s) => (group = nodeGroup(s, { metadataOptions: { httpTokens: 'required' } })));
    expect(eksNodeGroupEncryptedDisks(group)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('EksSecretsEncryption: compliant with a key, not without', () => {
    let c!: eks.CfnCluster;
    stackWith(
      (s) => (c = cluster(s, { encryptionConfig: [{ provider: { keyArn: 'arn:aws:kms:eu-west-1:1:key/k' } }] })),
    );
    expect(eksSecretsEncryption(c)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith((s) => (c = cluster(s, {})));
    expect(eksSecretsEncryption(c)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('EksAccessEntriesOnly: compliant with API, not with API_AND_CONFIG_MAP or unset', () => {
    let c!: eks.CfnCluster;
    stackWith((s) => (c = cluster(s, { accessConfig: { authenticationMode: 'API' } })));
    expect(eksAccessEntriesOnly(c)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith((s) => (c = cluster(s, { accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } })));
    expect(eksAccessEntriesOnly(c)).toBe(NagRuleCompliance.NON_COMPLIANT);
    stackWith((s) => (c = cluster(s, {})));
    expect(eksAccessEntriesOnly(c)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('EksDeletionProtection: compliant with deletion protection, not without', () => {
    let c!: eks.CfnCluster;
    stackWith((s) => (c = cluster(s, { deletionProtection: true })));
    expect(eksDeletionProtection(c)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith((s) => (c = cluster(s, { deletionProtection: false })));
    expect(eksDeletionProtection(c)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('ApsWorkspaceKms: compliant with a key, not without', () => {
    let w!: aps.CfnWorkspace;
    stackWith((s) => (w = new aps.CfnWorkspace(s, 'W', { kmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' })));
    expect(apsWorkspaceKms(w)).toBe(NagRuleCompliance.COMPLIANT);
    stackWith((s) => (w = new aps.CfnWorkspace(s, 'W', {})));
    expect(apsWorkspaceKms(w)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('the rules run in PlatformChecks: a bare production node group and cluster are findings', () => {
    const stack = stackWith((s) => {
      nodeGroup(s, undefined);
      cluster(s, {});
      new aps.CfnWorkspace(s, 'W', {});
    });
    const rules = new PlatformChecks(undefined, { tier: 'production' })
      .validateScope(stack)
      .violations.map((v) => v.ruleName)
      .filter((rule) => /^Platform-(Eks|Aps)/.test(rule))
      .sort();
    expect(rules).toEqual([
      'Platform-ApsWorkspaceKms',
      'Platform-EksAccessEntriesOnly',
      'Platform-EksDeletionProtection',
      'Platform-EksNodeGroupEncryptedDisks',
      'Platform-EksNodeGroupImdsV2',
      'Platform-EksSecretsEncryption',
    ]);
  });
});
