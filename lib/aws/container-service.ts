import { createHash } from 'node:crypto';
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  addLimitProblems,
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  serviceProblems,
  TIERS,
  type ServiceSpec,
  type Tier,
} from '../core';
import { acknowledge } from './acknowledge';
import {
  addExecutionPolicy,
  addWorkloadLogGroup,
  addWorkloadTask,
  containerDefinitionProblems,
  renderWorkloadContainerSource,
  WORKLOAD_PROP_RULES,
  WORKLOAD_SPEC_RULES,
} from './container-definition';
import { addServiceAlarms } from './container-service-alarms';
import type { IMonitoring } from './interfaces';
import { protectionOf, RetainStatefulResources, tierOf } from './protection';
import { logRetentionOf } from './retention';

/** Props of {@link ContainerService}. */
export interface ContainerServiceProps {
  /**
   * One resolved service definition (`services[i]` of the spec): image, size, port, counts, autoscaling, and the
   * share of tasks kept running during a deployment (`minHealthyPercent`, 100 in production tiers).
   */
  readonly spec: ServiceSpec;
  /** The environment name; it goes into every name (`platform-<env>-<name>`, the load balancer `<env>-<name>`). */
  readonly environment: string;
  /**
   * The ECS cluster the service runs in. The dashboard finds the service's ECS metrics under the cluster name
   * `platform-<env>`, the name ContainerCluster gives it.
   */
  readonly cluster: ecs.ICluster;
  /**
   * The VPC: tasks run in its private subnets (with a route out, for images and Secrets Manager); the load
   * balancer in its public subnets when the service is public, else in the private ones. An existing one:
   * `Network.fromAttributes(...).vpc`.
   */
  readonly vpc: ec2.IVpc;
  /**
   * The environment's monitoring: alarms, dashboard row, log patterns and the key of its log groups. An existing
   * one: `Monitoring.fromAttributes`.
   */
  readonly monitoring: IMonitoring;
  /**
   * The bucket the load balancer writes its access logs to, under the prefix `<name>/`. Its policy must let
   * Elastic Load Balancing deliver them: ContainerCluster's bucket does; for another, call
   * `allowLoadBalancerAccessLogs(bucket)`.
   */
  readonly accessLogBucket: s3.IBucket;
  /**
   * The environment's tier. Production: a public service gets a web ACL unless `webAclArn` is given, and a service
   * without a certificate (`spec.awsCertificateArn`) fails the guardrails until its team fixes or acknowledges it.
   * Development: HTTP and no web ACL are acknowledged, since a development tier holds no production data.
   * @default - the tier of the PlatformStack it is in, else 'production'
   */
  readonly tier?: Tier;
  /**
   * The load balancer refuses deletion.
   * @default - what the tier of its PlatformStack decides (`protection.deletionProtection`): true in production
   *   (and outside a PlatformStack), false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * How long the container logs are kept, in days (a retention CloudWatch Logs offers). The log groups are retained
   * when they leave the stack unless the tier of the stack (or `RetainStatefulResources`) says otherwise.
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly logRetentionDays?: number;
  /**
   * A WAF web ACL (regional) to associate with the load balancer, instead of the one a production-tier public
   * service gets.
   * @default - production-tier public services: a web ACL of their own, `platform-<env>-<name>`, with the AWS
   *   managed common and known-bad-inputs rule groups, logging to `aws-waf-logs-platform-<env>-<name>`; none
   *   otherwise
   */
  readonly webAclArn?: string;
  /**
   * The directory an image `{ directory }` of the spec is relative to.
   * @default - the current working directory (the project root when run by the CDK CLI or npm scripts)
   */
  readonly imageRoot?: string;
}

/** WAF logs only to CloudWatch Logs groups whose name begins with this. */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

/** The longest name an application load balancer may have. */
const LOAD_BALANCER_NAME_MAX = 32;

/**
 * The name of a service's load balancer, `<env>-<name>`: deterministic (a changed name replaces the load
 * balancer), and within the 32 characters ELB allows: a longer one is cut and ends with a hash of both words.
 */
export function loadBalancerName(environment: string, service: string): string {
  const full = `${environment}-${service}`;
  if (full.length <= LOAD_BALANCER_NAME_MAX) return full;
  const hash = createHash('sha256').update(`${environment}/${service}`, 'utf8').digest('hex').slice(0, 6);
  return `${full.slice(0, LOAD_BALANCER_NAME_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** The ingress rules that cannot read a CIDR given as a reference. */
const VPC_CIDR_RULES = [
  'AwsSolutions-EC23',
  'NIST.800.53.R5-EC2RestrictedCommonPorts',
  'NIST.800.53.R5-EC2RestrictedSSH',
] as const;

/**
 * A long-running container service on Fargate behind its own application load balancer:
 * - tasks in the private subnets, sized from the spec, one container with the spec's image (a registry
 *   reference, or a directory built at deployment as a CDK asset), port, plain settings and secrets (read from
 *   Secrets Manager by name at start, never plain environment variables), logging to
 *   `/platform/<env>/services/<name>` encrypted with the environment's key;
 * - the execution role holds one customer-managed policy with exactly what starting the task needs; the task
 *   role starts empty (grant to `taskRole`);
 * - rolling deployments with the circuit breaker and rollback, the spec's `minHealthyPercent` (100 in production
 *   tiers, 50 in development), maximum 200%, a 60 s health check grace period;
 * - the load balancer: internet-facing in the public subnets when `spec.public`, else internal; HTTPS with a
 *   TLS 1.2+ policy and HTTP redirected to it when the spec gives `awsCertificateArn`, else HTTP only (a
 *   production-tier service without a certificate fails the NIST guardrails until its team acknowledges it);
 *   access logs, invalid headers dropped, deletion protection as the tier (or the props) says; its security group
 *   admits the listener ports from anywhere (public) or the VPC (internal), the tasks' admits only the load balancer;
 * - a production-tier public service gets a regional web ACL (AWS managed common and known-bad-inputs rules,
 *   logged to `aws-waf-logs-platform-<env>-<name>`) unless `webAclArn` names one;
 * - target tracking on CPU, memory and requests per task, as the spec's autoscaling says;
 * - default alarms and a dashboard row (container-service-alarms.ts).
 */
export class ContainerService extends Construct {
  /** The ECS service, named after the spec. */
  public readonly service: ecs.FargateService;
  /** The task definition, family `platform-<env>-<name>`. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container. */
  public readonly container: ecs.ContainerDefinition;
  /** The role the application runs with; it has no permissions until you grant some. */
  public readonly taskRole: iam.Role;
  /**
   * The role ECS starts the task with: logs, the secrets and the image, in one managed policy. The task
   * definition holds it without policy updates (grants through the task definition are dropped, so none lands
   * in an inline policy); add a statement to this role itself if ECS needs more.
   */
  public readonly executionRole: iam.Role;
  /** The container log group, `/platform/<env>/services/<name>`. */
  public readonly logGroup: logs.LogGroup;
  /** The load balancer, `<env>-<name>`. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener forwarding to the tasks (HTTPS 443 with a certificate, else HTTP 80). */
  public readonly listener: elbv2.ApplicationListener;
  /** The target group the tasks are registered in. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The load balancer's security group. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The tasks' security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The scalable task count, when the spec has an autoscaling rule. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** The service's address, `https://<load balancer DNS name>` (or `http://` without a certificate). */
  public readonly url: string;
  /** The web ACL this service created (production-tier public services without `webAclArn`). */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    checkContainerServiceProps(this, props);
    const spec = props.spec;
    const tier = props.tier ?? tierOf(this);
    const production = tier === 'production';
    const base = `${PLATFORM_PREFIX}-${props.environment}-${spec.name}`;
    // The VPC's private subnets are those with a route out (PRIVATE_WITH_EGRESS); isolated ones are apart.
    const taskSubnets = props.vpc.privateSubnets;
    const lbSubnets = spec.public ? props.vpc.publicSubnets : taskSubnets;
    const lbName = loadBalancerName(props.environment, spec.name);
    validateContainerServiceProps(props, { taskSubnets, lbSubnets, lbName });
    const https = spec.awsCertificateArn !== undefined;

    this.logGroup = addWorkloadLogGroup(this, 'Logs', {
      logGroupName: `/${PLATFORM_PREFIX}/${props.environment}/services/${spec.name}`,
      monitoring: props.monitoring,
      ...(props.logRetentionDays !== undefined && { logRetentionDays: props.logRetentionDays }),
    });
    props.monitoring.watchLogGroup(this.logGroup);
    const source = renderWorkloadContainerSource(this, spec, props.imageRoot);

    // Roles: the execution role's permissions live in one managed policy rendered here; CDK's own grants to
    // it (logs, secrets, image) are dropped, so nothing lands in an inline policy.
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: `ECS starts the tasks of ${base} with it: logs, secrets, image`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    const executionPolicy = addExecutionPolicy(this, {
      role: this.executionRole,
      description: `What ECS needs to start the tasks of ${base}`,
      logGroup: this.logGroup,
      source,
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      description: `The application in the tasks of ${base} runs with it`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    ({ taskDefinition: this.taskDefinition, container: this.container } = addWorkloadTask(this, {
      spec,
      family: base,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      source,
      logGroup: this.logGroup,
      portMappings: [{ containerPort: spec.port, protocol: ecs.Protocol.TCP }],
    }));

    // Network: the load balancer admits the listener ports, the tasks admit only the load balancer.
    const ports = https ? [443, 80] : [80];
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `${base} load balancer: ${ports.join(' and ')} from ${spec.public ? 'anywhere' : 'the VPC'}; the container port to the tasks`,
      allowAllOutbound: false,
    });
    const peer = spec.public ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
    for (const port of ports) {
      this.loadBalancerSecurityGroup.addIngressRule(
        peer,
        ec2.Port.tcp(port),
        port === 443 ? 'HTTPS' : https ? 'HTTP, redirected to HTTPS' : 'HTTP',
      );
    }
    if (!spec.public && Token.isUnresolved(props.vpc.vpcCidrBlock)) {
      // cdk-nag reads a CIDR only when it is a literal: a reference (the VPC's CidrBlock, from this stack or
      // imported from the foundation) fails the rules that look for 0.0.0.0/0.
      for (const rule of VPC_CIDR_RULES) {
        acknowledge(
          this.loadBalancerSecurityGroup,
          rule,
          "The only source is the VPC's own CIDR block, a reference the rule cannot resolve at synthesis; nothing outside the VPC is admitted",
        );
      }
    }
    if (spec.public) {
      acknowledge(
        this.loadBalancerSecurityGroup,
        'AwsSolutions-EC23',
        https
          ? 'A public service: its load balancer accepts HTTPS, and HTTP only to redirect it, from the Internet; the tasks admit only the load balancer'
          : 'A public service: its load balancer exists to take requests from the Internet, on its listener port only; the tasks admit only the load balancer',
      );
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${base} tasks: port ${spec.port} from the load balancer only; all outbound (images, secrets, dependencies)`,
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Resource', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: spec.name,
      desiredCount: spec.desiredCount,
      minHealthyPercent: spec.minHealthyPercent,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnets: taskSubnets },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    // Tasks pull the image, write logs and read secrets with the execution role: its policy must be attached first.
    this.service.node.addDependency(executionPolicy);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      loadBalancerName: lbName,
      internetFacing: spec.public,
      vpcSubnets: { subnets: lbSubnets },
      securityGroup: this.loadBalancerSecurityGroup,
      deletionProtection: props.deletionProtection ?? protectionOf(this).deletionProtection,
      dropInvalidHeaderFields: true,
    });
    // The bucket's policy (ContainerCluster's, or allowLoadBalancerAccessLogs) already lets ELB deliver under
    // any prefix: setting the attributes here leaves the bucket's stack unchanged when services come and go.
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', props.accessLogBucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', spec.name);
    if (props.accessLogBucket.policy) this.loadBalancer.node.addDependency(props.accessLogBucket.policy);
    if (props.webAclArn !== undefined) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: props.webAclArn,
      });
    } else if (spec.public && production) {
      this.webAcl = addWebAcl(this, base, props);
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: this.webAcl.attrArn,
      });
    } else {
      acknowledge(
        this.loadBalancer,
        'NIST.800.53.R5-ALBWAFEnabled',
        spec.public
          ? DEVELOPMENT_TIER_REASON('takes no web ACL')
          : 'An internal load balancer, reachable only from inside the VPC, where no Internet traffic arrives for a web ACL to filter',
      );
    }

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: spec.port,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: spec.healthCheckPath,
        healthyHttpCodes: '200-399',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    if (https) {
      this.listener = this.loadBalancer.addListener('HttpsListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(spec.awsCertificateArn!)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultTargetGroups: [this.targetGroup],
      });
      const redirect = this.loadBalancer.addListener('HttpListener', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      acknowledge(
        redirect,
        'NIST.800.53.R5-ELBv2ACMCertificateRequired',
        'This HTTP listener only redirects to the HTTPS listener, which has the certificate; it forwards nothing',
      );
    } else {
      this.listener = this.loadBalancer.addListener('HttpListener', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultTargetGroups: [this.targetGroup],
      });
      // Production: no acknowledgement on the team's behalf. The guardrails fail until the team gives a
      // certificate, or acknowledges the rules itself with its own reason.
      if (!production) {
        for (const rule of ['NIST.800.53.R5-ELBv2ACMCertificateRequired', 'NIST.800.53.R5-ALBHttpToHttpsRedirection']) {
          acknowledge(this.listener, rule, DEVELOPMENT_TIER_REASON('is served over HTTP'));
        }
      }
    }
    this.service.attachToApplicationTargetGroup(this.targetGroup);
    this.url = `${https ? 'https' : 'http'}://${this.loadBalancer.loadBalancerDnsName}`;

    const rules = spec.autoscaling;
    if (rules.cpuPercent !== undefined || rules.memoryPercent !== undefined || rules.concurrentRequests !== undefined) {
      this.scaling = this.service.autoScaleTaskCount({ minCapacity: spec.minCount, maxCapacity: spec.maxCount });
      const cooldowns = { scaleOutCooldown: Duration.minutes(1), scaleInCooldown: Duration.minutes(5) };
      if (rules.cpuPercent !== undefined) {
        this.scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: rules.cpuPercent, ...cooldowns });
      }
      if (rules.memoryPercent !== undefined) {
        this.scaling.scaleOnMemoryUtilization('Memory', {
          targetUtilizationPercent: rules.memoryPercent,
          ...cooldowns,
        });
      }
      if (rules.concurrentRequests !== undefined) {
        // The spec counts requests per second per task; ALBRequestCountPerTarget counts them per minute.
        this.scaling.scaleOnRequestCount('Requests', {
          requestsPerTarget: rules.concurrentRequests * 60,
          targetGroup: this.targetGroup,
          ...cooldowns,
        });
      }
    }

    addServiceAlarms(
      this,
      {
        environment: props.environment,
        name: spec.name,
        cluster: props.cluster,
        loadBalancerName: lbName,
        targetGroup: this.targetGroup,
      },
      props.monitoring,
    );
  }
}

/**
 * Why a development-tier service may go without what production requires: the reason is the tier itself, which
 * holds no production data.
 */
const DEVELOPMENT_TIER_REASON = (what: string): string =>
  `A development-tier service ${what}: development tiers hold no production data and serve test traffic only, so nothing of value crosses it; a production-tier service gets it by default or fails the guardrails until its team acknowledges it`;

/** The AWS managed rule groups of the default web ACL, in priority order. */
export const DEFAULT_WEB_ACL_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * A regional web ACL for one service, `<name>` (`platform-<env>-<service>`): requests allowed unless an AWS managed
 * rule group blocks them (common rule set, known bad inputs), every request sampled and counted in CloudWatch,
 * and logged to `aws-waf-logs-<name>` (WAF accepts only log groups so named), encrypted with the environment's key
 * and kept as long as the service's logs.
 */
function addWebAcl(scope: Construct, name: string, props: ContainerServiceProps): wafv2.CfnWebACL {
  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    sampledRequestsEnabled: true,
    cloudWatchMetricsEnabled: true,
    metricName,
  });
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAclRules', {
    name,
    description: `Filters the requests to the load balancer of ${name}: AWS managed common and known-bad-inputs rules`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(name),
    rules: DEFAULT_WEB_ACL_RULE_GROUPS.map((group, priority) => ({
      name: `AWS-${group}`,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
      visibilityConfig: visibility(`${name}-${group}`),
    })),
  });
  const logGroupName = `${WAF_LOG_GROUP_PREFIX}${name}`;
  const logGroup = new logs.LogGroup(scope, 'WebAclLogs', {
    logGroupName,
    retention: logRetentionOf(scope, props.logRetentionDays),
    encryptionKey: props.monitoring.encryptionKey,
    removalPolicy: RetainStatefulResources.removalPolicyOf(scope),
  });
  const logging = new wafv2.CfnLoggingConfiguration(scope, 'WebAclLogging', {
    resourceArn: webAcl.attrArn,
    // WAF takes the log group's ARN without the `:*` CloudFormation's Arn attribute ends with.
    logDestinationConfigs: [
      Stack.of(scope).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
  });
  logging.node.addDependency(logGroup);
  return webAcl;
}

/** Checks the props' shape before anything is built: a missing or mistyped prop names itself. */
function checkContainerServiceProps(scope: Construct, props: ContainerServiceProps): void {
  checkProps('ContainerService', scope.node.path, props, {
    ...WORKLOAD_PROP_RULES,
    spec: {
      kind: 'object',
      allowed: 'the resolved service spec: defineEnvironment(...).services[i] or defineApplication(...).services[i]',
      fields: {
        ...WORKLOAD_SPEC_RULES,
        port: { kind: 'number', allowed: 'the port the container listens on' },
        public: { kind: 'boolean', allowed: 'true for an internet-facing load balancer, false for an internal one' },
        healthCheckPath: { kind: 'string', allowed: 'the path the health checks request' },
        desiredCount: { kind: 'number', allowed: 'the number of tasks' },
        minCount: { kind: 'number', allowed: 'the fewest tasks' },
        maxCount: { kind: 'number', allowed: 'the most tasks' },
        minHealthyPercent: { kind: 'number', allowed: '50 or 100' },
        autoscaling: { kind: 'object', allowed: 'the autoscaling targets ({} for none)' },
        awsCertificateArn: { kind: 'string', optional: true, allowed: 'an ACM certificate ARN' },
      },
    },
    accessLogBucket: { kind: 'object', allowed: 'the access-log bucket (ContainerCluster.accessLogBucket)' },
    tier: { kind: 'string', optional: true, allowed: "'development' or 'production'" },
    deletionProtection: { kind: 'boolean', optional: true, allowed: 'true or false' },
    webAclArn: { kind: 'string', optional: true, allowed: 'a WAFv2 web ACL ARN' },
  });
}

interface ResolvedInputs {
  readonly taskSubnets: readonly ec2.ISubnet[];
  readonly lbSubnets: readonly ec2.ISubnet[];
  readonly lbName: string;
}

function zonesOf(subnets: readonly ec2.ISubnet[]): number {
  return new Set(subnets.map((s) => s.availabilityZone)).size;
}

function validateContainerServiceProps(props: ContainerServiceProps, inputs: ResolvedInputs): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  const at = `services.${spec.name}`;
  // The limits the spec enforces too, in the same words, for a spec written without defineEnvironment.
  addLimitProblems(issues, at, [...serviceProblems(spec), ...containerDefinitionProblems(spec, props)]);
  if (inputs.taskSubnets.length === 0) {
    issues.add(`${at}.vpc`, 'private', 'a VPC with private subnets that have a route out (tasks pull images there)');
  }
  if (spec.public && inputs.lbSubnets.length === 0) {
    issues.add(`${at}.public`, true, 'a VPC with public subnets for the internet-facing load balancer');
  } else if (inputs.lbSubnets.length > 0 && zonesOf(inputs.lbSubnets) < 2) {
    issues.add(
      `${at}.public`,
      spec.public,
      `${spec.public ? 'public' : 'private'} subnets in at least 2 availability zones (an application load balancer needs 2)`,
    );
  }
  if (props.tier !== undefined && !(TIERS as readonly string[]).includes(props.tier)) {
    issues.add(`${at}.tier`, props.tier, `one of ${TIERS.join(', ')}`);
  }
  if (inputs.lbName.startsWith('internal-')) {
    issues.add(`${at}.name`, inputs.lbName, 'a load balancer name not beginning with internal- (ELB refuses it)');
  }
  if (
    props.webAclArn !== undefined &&
    !Token.isUnresolved(props.webAclArn) &&
    !/^arn:aws[\w-]*:wafv2:/.test(props.webAclArn)
  ) {
    issues.add(
      `${at}.webAclArn`,
      props.webAclArn,
      'a WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/...)',
    );
  }
  issues.throwIfAny('Invalid container service');
}
