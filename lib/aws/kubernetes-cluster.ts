import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  checkProps,
  IssueCollector,
  KUBERNETES_ALARM_BASICS,
  KUBERNETES_ALARM_PERIOD_MINUTES,
  KUBERNETES_PROMETHEUS_ALARMS,
  KUBERNETES_VERSIONS,
  kubernetesAlarmId,
  parseCidr,
  PLATFORM_PREFIX,
  SERVER_SIZES,
  type KubernetesSpec,
  type NodePoolSpec,
  type Tier,
} from '../core';
import { acknowledge } from './acknowledge';
import { EKS_ADDON_VERSIONS, type EksAddonName } from './eks-addons';
import type { AlarmDefinition, IMonitoring, INetwork } from './interfaces';
import { protectionOf, RetainStatefulResources, tierOf } from './protection';
import { logRetentionOf } from './retention';

/** The name of an environment's EKS cluster, `platform-<env>`. */
export function kubernetesClusterName(environment: string): string {
  return `${PLATFORM_PREFIX}-${environment}`;
}

/** The log group EKS writes an environment's control-plane logs to, `/aws/eks/platform-<env>/cluster`. */
export function kubernetesControlPlaneLogGroupName(environment: string): string {
  return `/aws/eks/${kubernetesClusterName(environment)}/cluster`;
}

/** The control-plane log types EKS offers; every one is on (AwsSolutions-EKS2). */
export const EKS_CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/** The label every node carries with its pool's name, and the one the system pool carries for critical add-ons. */
export const NODE_POOL_LABEL = 'platform.io/pool';

/** The taint of the system pool when the cluster has other pools: only critical add-ons run there. */
export const SYSTEM_POOL_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NO_SCHEDULE' } as const;

/** The AWS managed policies of the cluster's roles, by role. */
const MANAGED_POLICIES = {
  cluster: ['AmazonEKSClusterPolicy'],
  node: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'],
  cni: ['AmazonEKS_CNI_Policy'],
  ebsCsi: ['service-role/AmazonEBSCSIDriverPolicy'],
} as const;

/** Why each AWS managed policy is used as it is (AwsSolutions-IAM4). */
const MANAGED_POLICY_REASONS: Readonly<Record<string, string>> = {
  AmazonEKSClusterPolicy:
    'AWS documents AmazonEKSClusterPolicy as the cluster role policy: EKS needs it to manage the ENIs, load balancers and security groups of the control plane, and AWS updates it with the service',
  AmazonEKSWorkerNodePolicy:
    'AWS documents AmazonEKSWorkerNodePolicy for managed node groups: the kubelet describes its instance and joins the cluster with it; AWS updates it with the service',
  AmazonEC2ContainerRegistryPullOnly:
    'Nodes pull the add-on and workload images from ECR; AmazonEC2ContainerRegistryPullOnly is the read-only pull policy AWS documents for EKS nodes',
  AmazonEKS_CNI_Policy:
    'The VPC CNI assigns pod IP addresses on the nodes; AWS documents AmazonEKS_CNI_Policy for its pod identity role and updates it with the plugin. Only the pod identity association of the aws-node service account hands the role out',
  'service-role/AmazonEBSCSIDriverPolicy':
    'The EBS CSI driver creates, attaches and snapshots the volumes of persistent volume claims; AWS documents AmazonEBSCSIDriverPolicy for its role, whose write statements are limited to volumes and snapshots the driver tagged. Only the pod identity association of its controller service account hands the role out',
};

/** Props of {@link KubernetesCluster}. */
export interface KubernetesClusterProps {
  /** The environment's resolved `kubernetes` section. */
  readonly spec: KubernetesSpec;
  /** The environment name: the cluster is `platform-<env>`. */
  readonly environment: string;
  /** The environment's network: the control plane and the nodes go into its private subnets. */
  readonly network: INetwork;
  /**
   * The environment's monitoring: the API server alarm, and the key of the control-plane log group (its key
   * policy must admit `/aws/eks/platform-<env>/cluster`: `Monitoring.allowKubernetesControlPlaneLogs`).
   */
  readonly monitoring: IMonitoring;
  /**
   * The environment's tier: a production cluster may not open its API to the whole Internet.
   * @default - the tier of its PlatformStack, production outside one
   */
  readonly tier?: Tier;
  /**
   * The cluster refuses deletion (EKS `deletionProtection`).
   * @default - what the tier of its PlatformStack decides (`protection.deletionProtection`): true in production
   *   (and outside a PlatformStack), false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * How long the control-plane logs are kept, in days (a retention CloudWatch Logs offers).
   * @default - what the tier of its PlatformStack decides: 365 days in production, 30 in development
   */
  readonly logRetentionDays?: number;
}

/**
 * One EKS cluster, `platform-<env>`, built from L1 resources only (no kubectl function, nothing looked up):
 * - the API server reachable from inside the network only (`endpointPublicAccess: false`) unless the spec lists
 *   `publicApiCidrs`; Kubernetes secrets encrypted with the cluster's own key; all five control-plane log types
 *   in `/aws/eks/platform-<env>/cluster` (created first, with the environment's retention and key);
 * - access entries only (`authenticationMode: API`, no aws-auth ConfigMap, no implicit admin for the deploying
 *   role): the spec's admin roles get the cluster admin access policy;
 * - deletion protection and `Retain` in production; standard support only (an unsupported version is an upgrade
 *   to plan, not a surcharge); a version upgrade changes `Version` and the add-on versions only, in place;
 * - one managed node group per pool (AL2023, the size table's instance type) in the first `zones` private
 *   subnets, with a launch template requiring IMDSv2 and an encrypted gp3 root volume; the system pool is
 *   labelled, and tainted `CriticalAddonsOnly` when other pools exist to run the workloads;
 * - the add-ons pinned per minor (EKS_ADDON_VERSIONS), the CNI and EBS CSI driver with pod identity roles;
 * - nodes in a security group whose egress allows the cluster itself, the VPC, HTTPS anywhere (ECR, S3, STS
 *   and the EKS API through the NAT gateway: the network has no interface endpoints to narrow it to) and the
 *   spec's egress rules, nothing else;
 * - the `kubernetes/api-server-errors` alarm (critical) on the API server's 5XX responses; `node-readiness` and
 *   `pod-restarts` are Prometheus rules (ManagedPrometheus), declared to the registry here.
 *
 * @example
 * new KubernetesCluster(stack, 'Cluster', {
 *   spec: env.kubernetes,
 *   environment: env.name,
 *   network: foundation.network,
 *   monitoring: foundation.monitoring,
 * });
 */
export class KubernetesCluster extends Construct {
  /** The cluster name, `platform-<env>`. */
  public readonly clusterName: string;
  /** The cluster. */
  public readonly cluster: eks.CfnCluster;
  /** The key encrypting Kubernetes secrets and the nodes' volumes. */
  public readonly encryptionKey: kms.Key;
  /** The control-plane log group, `/aws/eks/platform-<env>/cluster`. */
  public readonly logGroup: logs.LogGroup;
  /** The security group of the nodes (and of the Prometheus scraper). */
  public readonly nodeSecurityGroup: ec2.SecurityGroup;
  /** The security group added to the control plane's network interfaces: HTTPS from the nodes. */
  public readonly controlPlaneSecurityGroup: ec2.SecurityGroup;
  /** The role of the nodes. */
  public readonly nodeRole: iam.Role;
  /** The node groups, by pool name. */
  public readonly nodeGroups: ReadonlyMap<string, eks.CfnNodegroup>;
  /** The add-ons, by name. */
  public readonly addons: ReadonlyMap<EksAddonName, eks.CfnAddon>;
  /** The private subnets the cluster and its scraper use. */
  public readonly subnetIds: readonly string[];
  /** The API server alarm, unless the spec switched it off. */
  public readonly apiServerAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, id);
    checkProps('KubernetesCluster', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved kubernetes section: defineEnvironment(...).kubernetes",
        fields: {
          version: { kind: 'string', allowed: `a Kubernetes minor version: ${KUBERNETES_VERSIONS.join(', ')}` },
          pools: { kind: 'array', allowed: 'the node pools, the system pool first' },
          publicApiCidrs: { kind: 'array', allowed: 'the CIDR blocks that may reach the API ([] for private)' },
          egress: { kind: 'array', allowed: 'the egress rules ([] for none)' },
          admins: { kind: 'object', allowed: 'the administrators, { aws: [role ARNs], azure: [group ids] }' },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      network: { kind: 'object', allowed: 'the network (Network, or Network.fromAttributes(...))' },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
      tier: { kind: 'string', optional: true, allowed: 'development or production' },
      deletionProtection: { kind: 'boolean', optional: true, allowed: 'true or false' },
      logRetentionDays: { kind: 'number', optional: true, allowed: 'a retention CloudWatch Logs offers, in days' },
    });
    const spec = props.spec;
    const tier = props.tier ?? tierOf(this);
    const deletionProtection = props.deletionProtection ?? protectionOf(this).deletionProtection;
    const subnets = props.network.privateSubnets;
    validateKubernetesProps(props, subnets.length, tier);
    const stack = Stack.of(this);
    const name = kubernetesClusterName(props.environment);
    const removalPolicy = RetainStatefulResources.removalPolicyOf(this);
    this.clusterName = name;
    this.subnetIds = subnets.map((s) => s.subnetId);

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts the Kubernetes secrets and node volumes of ${name}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy,
    });
    // EC2 Auto Scaling launches the nodes of a managed node group and creates their encrypted volumes with its
    // service-linked role. The role exists only once the account used Auto Scaling, and a key policy naming a
    // principal that does not exist is refused, so the statement names it in a condition instead.
    const autoScalingRole = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    });
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAutoScalingNodeVolumes',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:PrincipalAccount': stack.account },
          ArnEquals: { 'aws:PrincipalArn': autoScalingRole },
        },
      }),
    );
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAutoScalingNodeVolumeGrants',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:PrincipalAccount': stack.account },
          ArnEquals: { 'aws:PrincipalArn': autoScalingRole },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: kubernetesControlPlaneLogGroupName(props.environment),
      retention: logRetentionOf(this, props.logRetentionDays),
      encryptionKey: props.monitoring.encryptionKey,
      removalPolicy,
    });

    const clusterRole = new iam.Role(this, 'ClusterRole', {
      description: `The EKS control plane of ${name}`,
      assumedBy: new iam.ServicePrincipal('eks.amazonaws.com').withSessionTags(),
    });
    attachManagedPolicies(clusterRole, MANAGED_POLICIES.cluster);
    // EKS encrypts and decrypts the secrets with the cluster role: said in the key policy, so that the role has no
    // inline policy of its own (NIST 800-53 IAMNoInlinePolicy).
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowClusterRoleSecretsEncryption',
        principals: [new iam.ArnPrincipal(clusterRole.roleArn)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: ['*'],
      }),
    );

    this.controlPlaneSecurityGroup = new ec2.SecurityGroup(this, 'ControlPlaneSecurityGroup', {
      vpc: props.network.vpc,
      description: `${name} control plane: HTTPS from the nodes`,
      allowAllOutbound: false,
    });
    this.nodeSecurityGroup = new ec2.SecurityGroup(this, 'NodeSecurityGroup', {
      vpc: props.network.vpc,
      description: `${name} nodes: the cluster, the VPC, HTTPS out and the egress rules of the spec only`,
      allowAllOutbound: false,
    });
    configureSecurityGroups(this.controlPlaneSecurityGroup, this.nodeSecurityGroup, props);
    acknowledge(
      this.nodeSecurityGroup,
      'NIST.800.53.R5-EC2RestrictedCommonPorts',
      'The only rule open on every port admits the node security group itself: pods and nodes of the cluster reach each other (pod-to-pod traffic, CoreDNS, webhooks); nothing outside the cluster is admitted on those ports',
    );

    const publicApi = spec.publicApiCidrs.length > 0;
    this.cluster = new eks.CfnCluster(this, 'Resource', {
      name,
      version: spec.version,
      roleArn: clusterRole.roleArn,
      resourcesVpcConfig: {
        subnetIds: [...this.subnetIds],
        securityGroupIds: [this.controlPlaneSecurityGroup.securityGroupId],
        endpointPrivateAccess: true,
        // Explicit, even when false: AwsSolutions-EKS1 reads it, and EKS's own default is public.
        endpointPublicAccess: publicApi,
        ...(publicApi && { publicAccessCidrs: [...spec.publicApiCidrs] }),
      },
      // No Resources: secrets are the only kind, and naming it is deprecated (cfn-lint W9009).
      encryptionConfig: [{ provider: { keyArn: this.encryptionKey.keyArn } }],
      logging: { clusterLogging: { enabledTypes: EKS_CONTROL_PLANE_LOG_TYPES.map((type) => ({ type })) } },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // The add-ons come pinned below; EKS's own unmanaged copies would be left behind at their first version.
      bootstrapSelfManagedAddons: false,
      upgradePolicy: { supportType: 'STANDARD' },
      deletionProtection,
    });
    this.cluster.applyRemovalPolicy(removalPolicy);
    // EKS would otherwise create the log group itself, unencrypted and kept forever, and then ours would fail.
    this.cluster.node.addDependency(this.logGroup);
    this.cluster.node.addDependency(clusterRole);
    if (publicApi) {
      acknowledge(
        this.cluster,
        'AwsSolutions-EKS1',
        `The public API endpoint is limited to ${spec.publicApiCidrs.join(', ')} by the spec (kubernetes.publicApiCidrs), and every request still needs an IAM identity with an access entry`,
      );
    }

    for (const [i, principalArn] of spec.admins.aws.entries()) {
      new eks.CfnAccessEntry(this, `Admin${i + 1}`, {
        clusterName: this.cluster.ref,
        principalArn,
        type: 'STANDARD',
        accessPolicies: [
          {
            policyArn: `arn:${stack.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
            accessScope: { type: 'cluster' },
          },
        ],
      });
    }

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      description: `The nodes of ${name}`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    attachManagedPolicies(this.nodeRole, MANAGED_POLICIES.node);

    const podRole = (roleId: string, kind: 'cni' | 'ebsCsi', what: string): iam.Role => {
      const role = new iam.Role(this, roleId, {
        description: `${what} of ${name} (EKS Pod Identity)`,
        assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
      });
      attachManagedPolicies(role, MANAGED_POLICIES[kind]);
      return role;
    };
    const cniRole = podRole('CniRole', 'cni', 'The VPC CNI');
    const ebsCsiRole = podRole('EbsCsiRole', 'ebsCsi', 'The EBS CSI driver');

    const versions = EKS_ADDON_VERSIONS[spec.version];
    const addons = new Map<EksAddonName, eks.CfnAddon>();
    const addon = (addonName: EksAddonName, extra: Partial<eks.CfnAddonProps> = {}): eks.CfnAddon => {
      const resource = new eks.CfnAddon(this, `Addon-${addonName}`, {
        clusterName: this.cluster.ref,
        addonName,
        addonVersion: versions[addonName],
        // The add-on's settings are the platform's: an edit in the cluster is overwritten at the next update.
        resolveConflicts: 'OVERWRITE',
        ...extra,
      });
      addons.set(addonName, resource);
      return resource;
    };
    const podIdentityAgent = addon('eks-pod-identity-agent');
    const vpcCni = addon('vpc-cni', {
      podIdentityAssociations: [{ serviceAccount: 'aws-node', roleArn: cniRole.roleArn }],
    });
    vpcCni.addResourceDependency(podIdentityAgent, 'the CNI takes its credentials from the pod identity agent');
    const kubeProxy = addon('kube-proxy');

    const hasWorkerPools = spec.pools.some((p) => !p.system);
    const nodeGroups = new Map<string, eks.CfnNodegroup>();
    const pools = new Construct(this, 'Pools');
    for (const pool of spec.pools) {
      const group = this.addNodeGroup(pools, pool, subnets, hasWorkerPools);
      for (const dependency of [vpcCni, kubeProxy, podIdentityAgent]) {
        group.addResourceDependency(dependency, 'nodes become ready once the network add-ons are installed');
      }
      nodeGroups.set(pool.name, group);
    }
    this.nodeGroups = nodeGroups;

    // Deployments: they stay degraded until nodes run them, so they are created after the node groups.
    const later = [
      addon('coredns'),
      addon('aws-ebs-csi-driver', {
        podIdentityAssociations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: ebsCsiRole.roleArn }],
      }),
      addon('kube-state-metrics'),
    ];
    for (const resource of later) {
      for (const group of nodeGroups.values()) resource.addResourceDependency(group, 'it runs on the nodes');
    }
    later[1]!.addResourceDependency(podIdentityAgent, 'the driver takes its credentials from the pod identity agent');
    this.addons = addons;

    // Node readiness and pod restarts are Prometheus alert rules (ManagedPrometheus), tuned by the same overrides:
    // declared here, so that an override of them is not reported as naming no alarm.
    for (const kind of KUBERNETES_PROMETHEUS_ALARMS) props.monitoring.declareAlarmElsewhere(kubernetesAlarmId(kind));
    this.apiServerAlarm = props.monitoring.addAlarm(
      this,
      kubernetesAlarmId('api-server-errors'),
      apiServerErrorsAlarm(name),
    );
  }

  /** The ARN of the cluster. */
  public get clusterArn(): string {
    return this.cluster.attrArn;
  }

  /**
   * The security groups of the Prometheus scraper's network interfaces: the nodes' group, which reaches the API
   * server, the kubelets and the pods (kube-state-metrics).
   */
  public get scraperSecurityGroupIds(): string[] {
    return [this.nodeSecurityGroup.securityGroupId];
  }

  /** The security group EKS creates for the cluster (the control plane's own). */
  public get clusterSecurityGroupId(): string {
    return this.cluster.attrClusterSecurityGroupId;
  }

  private addNodeGroup(
    scope: Construct,
    pool: NodePoolSpec,
    subnets: readonly ec2.ISubnet[],
    taintSystemPool: boolean,
  ): eks.CfnNodegroup {
    const poolScope = new Construct(scope, pool.name);
    const launchTemplate = new ec2.CfnLaunchTemplate(poolScope, 'LaunchTemplate', {
      // No image and no instance type: EKS keeps choosing the AL2023 image of the cluster's version, and the
      // node group names the instance type.
      launchTemplateData: {
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: {
              encrypted: true,
              kmsKeyId: this.encryptionKey.keyArn,
              volumeType: 'gp3',
              volumeSize: pool.diskGiB,
              deleteOnTermination: true,
            },
          },
        ],
        securityGroupIds: [this.nodeSecurityGroup.securityGroupId],
        tagSpecifications: [
          {
            resourceType: 'instance',
            tags: [{ key: 'Name', value: `${this.clusterName}-${pool.name}` }],
          },
        ],
      },
    });
    return new eks.CfnNodegroup(poolScope, 'Resource', {
      clusterName: this.cluster.ref,
      nodeRole: this.nodeRole.roleArn,
      subnets: subnets.slice(0, pool.zones).map((s) => s.subnetId),
      // The cluster's version: an upgrade of the cluster rolls the nodes onto the image of the new minor, after
      // the control plane (the node group references the cluster).
      version: this.cluster.version,
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      instanceTypes: [SERVER_SIZES[pool.size].awsInstanceType],
      scalingConfig: { minSize: pool.minCount, maxSize: pool.maxCount, desiredSize: pool.minCount },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: launchTemplate.ref, version: launchTemplate.attrLatestVersionNumber },
      labels: { [NODE_POOL_LABEL]: pool.name, ...(pool.system && { 'platform.io/system': 'true' }) },
      ...(pool.system && taintSystemPool && { taints: [{ ...SYSTEM_POOL_TAINT }] }),
    });
  }
}

/**
 * The `kubernetes/api-server-errors` alarm (critical, KUBERNETES_ALARM_BASICS): the API server answered at least
 * `threshold` requests with a 5XX status (the EKS vended metric `apiserver_request_total_5XX`, summed) in each of
 * `evaluationPeriods` periods of KUBERNETES_ALARM_PERIOD_MINUTES minutes.
 */
export function apiServerErrorsAlarm(clusterName: string): AlarmDefinition {
  const basics = KUBERNETES_ALARM_BASICS['api-server-errors'];
  return {
    ...basics,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/EKS',
      metricName: 'apiserver_request_total_5XX',
      dimensionsMap: { ClusterName: clusterName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(KUBERNETES_ALARM_PERIOD_MINUTES),
    }),
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: basics.evaluationPeriods ?? 1,
  };
}

function attachManagedPolicies(role: iam.Role, names: readonly string[]): void {
  for (const policy of names) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(policy));
    acknowledge(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
      MANAGED_POLICY_REASONS[policy] ?? policy,
    );
  }
}

/**
 * The rules between the control plane, the nodes and the rest: the nodes reach the API server on 443, the control
 * plane reaches the kubelets and the webhooks of the nodes, the nodes and pods reach each other, the VPC, HTTPS
 * anywhere and the spec's egress rules.
 */
function configureSecurityGroups(
  controlPlane: ec2.SecurityGroup,
  nodes: ec2.SecurityGroup,
  props: KubernetesClusterProps,
): void {
  controlPlane.addIngressRule(nodes, ec2.Port.tcp(443), 'The API server, from the nodes');
  controlPlane.addEgressRule(nodes, ec2.Port.tcp(10250), 'The kubelets (logs, exec, metrics)');
  controlPlane.addEgressRule(nodes, ec2.Port.tcpRange(1025, 65535), 'Admission webhooks and API services on pods');
  nodes.addIngressRule(controlPlane, ec2.Port.tcp(10250), 'The kubelet, from the control plane');
  nodes.addIngressRule(
    controlPlane,
    ec2.Port.tcpRange(1025, 65535),
    'Webhooks and API services, from the control plane',
  );
  nodes.addIngressRule(nodes, ec2.Port.allTraffic(), 'Pods and nodes among themselves');
  nodes.addEgressRule(nodes, ec2.Port.allTraffic(), 'Pods and nodes among themselves');
  nodes.addEgressRule(controlPlane, ec2.Port.tcp(443), 'The API server');
  nodes.addEgressRule(
    ec2.Peer.ipv4(props.network.vpc.vpcCidrBlock),
    ec2.Port.allTraffic(),
    "The environment's network: its DNS resolver, databases and services",
  );
  nodes.addEgressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.tcp(443),
    'HTTPS: ECR, S3 image layers, STS and the EKS API through the NAT gateway (no interface endpoints to narrow it to)',
  );
  for (const rule of props.spec.egress) {
    for (const port of rule.ports) {
      nodes.addEgressRule(ec2.Peer.ipv4(rule.cidr), ec2.Port.tcp(port), rule.description);
    }
  }
}

function validateKubernetesProps(props: KubernetesClusterProps, zones: number, tier: Tier): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  const at = 'kubernetes';
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(spec.version)) {
    issues.add(`${at}.version`, spec.version, `one of ${KUBERNETES_VERSIONS.join(', ')}`);
  }
  if (zones === 0) issues.add(`${at}.network`, zones, 'a network with private subnets');
  if (spec.pools.length === 0) issues.add(`${at}.pools`, spec.pools, 'at least one node pool');
  const systemPools = spec.pools.filter((p) => p.system).length;
  if (spec.pools.length > 0 && systemPools !== 1) {
    issues.add(`${at}.pools`, `${systemPools} system pools`, 'exactly one pool with system: true');
  }
  const names = new Set<string>();
  spec.pools.forEach((pool, i) => {
    const p = `${at}.pools[${i}]`;
    if (!/^[a-z][a-z0-9]{0,11}$/.test(pool.name)) {
      issues.add(`${p}.name`, pool.name, '1-12 lowercase letters and digits, starting with a letter');
    }
    if (names.has(pool.name)) issues.add(`${p}.name`, pool.name, 'a name no other pool has');
    names.add(pool.name);
    if (!(pool.size in SERVER_SIZES)) {
      issues.add(`${p}.size`, pool.size, `a server size: ${Object.keys(SERVER_SIZES).join(', ')}`);
    }
    if (!Number.isInteger(pool.minCount) || pool.minCount < 1 || pool.minCount > 100) {
      issues.add(`${p}.minCount`, pool.minCount, 'a whole number from 1 to 100');
    }
    if (!Number.isInteger(pool.maxCount) || pool.maxCount < pool.minCount || pool.maxCount > 100) {
      issues.add(`${p}.maxCount`, pool.maxCount, `a whole number from minCount (${pool.minCount}) to 100`);
    }
    if (!Number.isInteger(pool.zones) || pool.zones < 1 || (zones > 0 && pool.zones > zones)) {
      issues.add(`${p}.zones`, pool.zones, `a whole number from 1 to the network's ${zones} private subnets`);
    }
    if (!Number.isInteger(pool.diskGiB) || pool.diskGiB < 20 || pool.diskGiB > 16384) {
      issues.add(`${p}.diskGiB`, pool.diskGiB, 'a whole number of GiB from 20 (the AL2023 image) to 16384');
    }
  });
  spec.publicApiCidrs.forEach((cidr, i) => {
    const p = `${at}.publicApiCidrs[${i}]`;
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') issues.add(p, cidr, parsed);
    else if (tier === 'production' && parsed.prefix === 0) {
      issues.add(p, cidr, 'in production, the addresses of the administrators, not the whole Internet');
    }
  });
  spec.egress.forEach((rule, i) => {
    const p = `${at}.egress[${i}]`;
    const parsed = parseCidr(rule.cidr);
    if (typeof parsed === 'string') issues.add(`${p}.cidr`, rule.cidr, parsed);
    if (rule.ports.length === 0) issues.add(`${p}.ports`, rule.ports, 'at least one TCP port');
    rule.ports.forEach((port, j) => {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        issues.add(`${p}.ports[${j}]`, port, 'a TCP port, 1 to 65535');
    });
  });
  spec.admins.aws.forEach((arn, i) => {
    if (Token.isUnresolved(arn)) return;
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) {
      issues.add(`${at}.admins.aws[${i}]`, arn, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
    }
  });
  issues.throwIfAny('Invalid Kubernetes cluster');
}
