// The containers of the AWS raw program (aws.ts), written against aws-cdk-lib directly with literal values and the
// same construct IDs as ours (lib/aws/container-cluster.ts, container-service.ts, container-service-alarms.ts,
// scheduled-job.ts), so that the templates are the same:
// - in the foundation, the ECS cluster `platform-<env>` with Container Insights and the load balancers'
//   access-log bucket (SSE-S3, TLS only, versioned, expiring, ELB delivery allowed for the account);
// - per service, in its workload stack: the log group (counted for the log patterns), execution and task roles
//   (the execution role's grants in one managed policy), the Fargate task definition and service with the
//   circuit breaker, the load balancer with access logs, its security groups, target group and listeners
//   (HTTPS and a redirect where a certificate is given), target tracking, the six default alarms;
// - per job: the output and execution log groups, the task's security group, roles and managed policies, the
//   Fargate task definition, the Step Functions state machine running it with timeout and retries, the
//   EventBridge Scheduler schedule, the failure alarm.
// The dashboard rows of both (literal names only: the dashboard lives in the foundation) are added with the
// other rows, once every alarm exists.
import { Duration, RemovalPolicy, TimeZone, Validations, type Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, type IConstruct } from 'constructs';
import type { RawAwsEnvironment, RawMonitoring } from './aws';
import {
  retriesText,
  SERVICE_USAGE_ALARMS,
  type RawJobDefinition,
  type RawServiceCounts,
  type RawServiceDefinition,
} from './workloads';

/** The region of every example environment. */
const REGION = 'eu-west-1';
/** The account Elastic Load Balancing delivers access logs from in eu-west-1. */
const ELB_ACCOUNT_EU_WEST_1 = '156460612806';

/** A service of one environment: the shared definition, its replica counts and, in production, its certificate. */
export interface RawAwsService extends RawServiceDefinition, RawServiceCounts {
  readonly certificateArn?: string;
}

/** A job of one environment: the shared definition and its retries. */
export interface RawAwsJob extends RawJobDefinition {
  readonly retries: number;
}

/** One workload stack `platform-<env>-workloads-<index>` and what it holds (the spec's hash of each name). */
export interface RawWorkloadStack {
  readonly index: number;
  readonly services: readonly RawAwsService[];
  readonly jobs: readonly RawAwsJob[];
}

/** The foundation's container platform, as the workload stacks use it. */
export interface RawContainers {
  readonly cluster: ecs.Cluster;
  readonly accessLogBucket: s3.Bucket;
}

/** What a service or job builder needs of its environment and foundation. */
export interface RawWorkloadContext {
  readonly env: RawAwsEnvironment;
  readonly vpc: ec2.Vpc;
  readonly monitoring: RawMonitoring;
  readonly containers: RawContainers;
}

/** Every log group of a service or job, in the order ours watches them (stack by stack, services first). */
export function workloadLogGroupNames(env: RawAwsEnvironment): string[] {
  return env.workloads.flatMap((w) => [
    ...w.services.map((s) => `/platform/${env.name}/services/${s.name}`),
    ...w.jobs.map((j) => `/platform/${env.name}/jobs/${j.name}`),
  ]);
}

/** Acknowledges a rule on a construct and its children (the same call ours makes, without its reason check). */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The ECS cluster and the access-log bucket, in the foundation (`Containers`). */
export function buildContainerCluster(
  stack: Stack,
  env: RawAwsEnvironment,
  vpc: ec2.Vpc,
  removalPolicy: RemovalPolicy,
): RawContainers {
  const containers = new Construct(stack, 'Containers');
  const cluster = new ecs.Cluster(containers, 'Resource', {
    clusterName: `platform-${env.name}`,
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
  });
  const accessLogBucket = new s3.Bucket(containers, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    lifecycleRules: [
      {
        id: 'ExpireAccessLogs',
        expiration: Duration.days(env.retention),
        noncurrentVersionExpiration: Duration.days(env.retention),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  accessLogBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowLoadBalancerAccessLogs',
      principals: [new iam.AccountPrincipal(ELB_ACCOUNT_EU_WEST_1)],
      actions: ['s3:PutObject'],
      resources: [accessLogBucket.arnForObjects(`*/AWSLogs/${env.account}/*`)],
    }),
  );
  const ownLogs =
    'This bucket holds access logs itself; logging its own accesses would need another log bucket, which would need one in turn';
  acknowledge(accessLogBucket, 'AwsSolutions-S1', ownLogs);
  acknowledge(accessLogBucket, 'NIST.800.53.R5-S3BucketLoggingEnabled', ownLogs);
  acknowledge(
    accessLogBucket,
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'Elastic Load Balancing delivers access logs only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS',
  );
  acknowledge(
    accessLogBucket,
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'Access logs are kept for audit in one region with versioning and retention; they are not needed to restore any service',
  );
  return { cluster, accessLogBucket };
}

/** Why an internal load balancer's ingress from the VPC's CIDR (a reference) is acknowledged. */
const VPC_CIDR_REASON =
  "The only source is the VPC's own CIDR block, a reference the rule cannot resolve at synthesis; nothing outside the VPC is admitted";

/** One container service on Fargate behind its own load balancer, with its alarms. */
export function buildService(services: Construct, context: RawWorkloadContext, service: RawAwsService): void {
  const { env, vpc, monitoring, containers } = context;
  const scope = new Construct(services, service.name);
  const base = `platform-${env.name}-${service.name}`;
  const lbName = `${env.name}-${service.name}`;
  const https = service.certificateArn !== undefined;
  const taskSubnets = vpc.privateSubnets;

  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: `/platform/${env.name}/services/${service.name}`,
    retention: env.retention,
    encryptionKey: monitoring.key,
    removalPolicy: env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  monitoring.watchLogGroup(logGroup);

  const image = ecs.ContainerImage.fromRegistry(service.image);
  const secretArns: string[] = [];
  const secrets: Record<string, ecs.Secret> = {};
  for (const [variable, name] of Object.entries(service.secrets)) {
    const secret = secretsmanager.Secret.fromSecretNameV2(scope, `Secret-${variable}`, name);
    secrets[variable] = ecs.Secret.fromSecretsManager(secret);
    secretArns.push(secret.secretArn);
  }

  const executionRole = new iam.Role(scope, 'ExecutionRole', {
    description: `ECS starts the tasks of ${base} with it: logs, secrets, image`,
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  const executionPolicy = new iam.ManagedPolicy(scope, 'ExecutionPolicy', {
    description: `What ECS needs to start the tasks of ${base}`,
    roles: [executionRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      ...(secretArns.length > 0
        ? [
            new iam.PolicyStatement({
              sid: 'ReadSecrets',
              actions: ['secretsmanager:GetSecretValue'],
              resources: secretArns.map((arn) => `${arn}-??????`),
            }),
          ]
        : []),
    ],
  });
  const taskRole = new iam.Role(scope, 'TaskRole', {
    description: `The application in the tasks of ${base} runs with it`,
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  });

  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    family: base,
    cpu: service.cpu * 1024,
    memoryLimitMiB: service.memoryGiB * 1024,
    executionRole: executionRole.withoutPolicyUpdates(),
    taskRole,
    runtimePlatform: {
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
    },
  });
  const hasEnvironment = Object.keys(service.environment).length > 0;
  taskDefinition.addContainer('Container', {
    containerName: service.name,
    image,
    essential: true,
    portMappings: [{ containerPort: service.port, protocol: ecs.Protocol.TCP }],
    ...(hasEnvironment && { environment: { ...service.environment } }),
    ...(secretArns.length > 0 && { secrets }),
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: service.name }),
  });
  if (hasEnvironment) {
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      "These are the spec's plain settings (environment); secrets reach the container from Secrets Manager (secrets), and the spec refuses a name in both",
    );
  }

  const ports = https ? [443, 80] : [80];
  const loadBalancerSecurityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc,
    description: `${base} load balancer: ${ports.join(' and ')} from ${service.public ? 'anywhere' : 'the VPC'}; the container port to the tasks`,
    allowAllOutbound: false,
  });
  const peer = service.public ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(vpc.vpcCidrBlock);
  for (const port of ports) {
    loadBalancerSecurityGroup.addIngressRule(
      peer,
      ec2.Port.tcp(port),
      port === 443 ? 'HTTPS' : https ? 'HTTP, redirected to HTTPS' : 'HTTP',
    );
  }
  if (service.public) {
    acknowledge(
      loadBalancerSecurityGroup,
      'AwsSolutions-EC23',
      https
        ? 'A public service: its load balancer accepts HTTPS, and HTTP only to redirect it, from the Internet; the tasks admit only the load balancer'
        : 'A public service without a certificate in the spec: its load balancer accepts HTTP from the Internet; the tasks admit only the load balancer',
    );
  } else {
    for (const rule of [
      'AwsSolutions-EC23',
      'NIST.800.53.R5-EC2RestrictedCommonPorts',
      'NIST.800.53.R5-EC2RestrictedSSH',
    ]) {
      acknowledge(loadBalancerSecurityGroup, rule, VPC_CIDR_REASON);
    }
  }
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `${base} tasks: port ${service.port} from the load balancer only; all outbound (images, secrets, dependencies)`,
    allowAllOutbound: true,
  });

  const fargateService = new ecs.FargateService(scope, 'Resource', {
    cluster: containers.cluster,
    taskDefinition,
    serviceName: service.name,
    desiredCount: service.desiredCount,
    minHealthyPercent: env.tier === 'production' ? 100 : 50,
    maxHealthyPercent: 200,
    healthCheckGracePeriod: Duration.seconds(60),
    circuitBreaker: { enable: true, rollback: true },
    vpcSubnets: { subnets: taskSubnets },
    securityGroups: [securityGroup],
    assignPublicIp: false,
    platformVersion: ecs.FargatePlatformVersion.LATEST,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
  });
  fargateService.node.addDependency(executionPolicy);

  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc,
    loadBalancerName: lbName,
    internetFacing: service.public,
    vpcSubnets: { subnets: service.public ? vpc.publicSubnets : taskSubnets },
    securityGroup: loadBalancerSecurityGroup,
    deletionProtection: env.deletionProtection,
    dropInvalidHeaderFields: true,
  });
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', containers.accessLogBucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', service.name);
  loadBalancer.node.addDependency(containers.accessLogBucket.policy!);
  acknowledge(
    loadBalancer,
    'NIST.800.53.R5-ALBWAFEnabled',
    service.public
      ? 'No web ACL is given (webAclArn): the load balancer forwards only to this service, drops invalid headers and logs every request'
      : 'An internal load balancer, reachable only from inside the VPC, where no Internet traffic arrives for a web ACL to filter',
  );

  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'TargetGroup', {
    vpc,
    targetType: elbv2.TargetType.IP,
    protocol: elbv2.ApplicationProtocol.HTTP,
    port: service.port,
    deregistrationDelay: Duration.seconds(30),
    healthCheck: {
      path: service.healthCheckPath,
      healthyHttpCodes: '200-399',
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    },
  });
  if (service.certificateArn !== undefined) {
    loadBalancer.addListener('HttpsListener', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(service.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultTargetGroups: [targetGroup],
    });
    const redirect = loadBalancer.addListener('HttpListener', {
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
    const listener = loadBalancer.addListener('HttpListener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultTargetGroups: [targetGroup],
    });
    for (const rule of ['NIST.800.53.R5-ELBv2ACMCertificateRequired', 'NIST.800.53.R5-ALBHttpToHttpsRedirection']) {
      acknowledge(
        listener,
        rule,
        'The spec gives no certificate (awsCertificateArn), so the service is served over HTTP; give one to serve HTTPS and redirect HTTP',
      );
    }
  }
  fargateService.attachToApplicationTargetGroup(targetGroup);

  // Target tracking on CPU and, where the service sets it, requests per task (per minute: the spec's per second x 60).
  const scaling = fargateService.autoScaleTaskCount({ minCapacity: service.minCount, maxCapacity: service.maxCount });
  const cooldowns = { scaleOutCooldown: Duration.minutes(1), scaleInCooldown: Duration.minutes(5) };
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: service.autoscaling.cpuPercent, ...cooldowns });
  if (service.autoscaling.concurrentRequests !== undefined) {
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: service.autoscaling.concurrentRequests * 60,
      targetGroup,
      ...cooldowns,
    });
  }

  // The default alarms: 5xx rate, unhealthy targets, p99 latency, CPU, memory, tasks below desired.
  const id = (kind: string): string => `service/${service.name}/${kind}`;
  const tg = targetGroup.metrics;
  const ecsMetric = (namespace: string, metricName: string, period: Duration): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { ClusterName: containers.cluster.clusterName, ServiceName: service.name },
      statistic: cloudwatch.Stats.AVERAGE,
      period,
    });
  const minute = Duration.minutes(1);
  const fiveMinutes = Duration.minutes(5);
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const atLeast = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
  monitoring.addAlarm(scope, id('5xx-rate'), {
    metric: new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: {
        errors: tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          statistic: cloudwatch.Stats.SUM,
          period: fiveMinutes,
        }),
        requests: tg.requestCount({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
      },
      label: '5xx responses, % of requests',
      period: fiveMinutes,
    }),
    threshold: 5,
    comparisonOperator: atLeast,
    evaluationPeriods: 1,
    severity: 'critical',
    description: "5% or more of a service's requests failed with a server error (5xx) over 5 minutes.",
    firstResponse:
      "Read the service's logs for the failing requests; if the errors began with a deployment, roll it back.",
  });
  monitoring.addAlarm(scope, id('unhealthy'), {
    metric: tg.unhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
    threshold: 1,
    comparisonOperator: atLeast,
    evaluationPeriods: 3,
    severity: 'critical',
    description: 'At least 1 instance of a service failed its health checks for 3 minutes.',
    firstResponse:
      'Find why instances stop or restart (stopped reasons, revision events) and what the health check path returns in the logs.',
  });
  monitoring.addAlarm(scope, id('latency-p99'), {
    metric: tg.targetResponseTime({ statistic: cloudwatch.Stats.p(99), period: fiveMinutes }),
    threshold: 1,
    comparisonOperator: above,
    evaluationPeriods: 3,
    severity: 'warning',
    description: "The slowest 1% of a service's requests took longer than 1 s for 15 minutes.",
    firstResponse:
      'Look for slow requests in the logs (the slowest-requests query) and for a saturated dependency; check CPU and memory.',
  });
  monitoring.addAlarm(scope, id('cpu'), {
    ...SERVICE_USAGE_ALARMS.cpu,
    metric: ecsMetric('AWS/ECS', 'CPUUtilization', fiveMinutes),
    comparisonOperator: above,
    severity: 'warning',
  });
  monitoring.addAlarm(scope, id('memory'), {
    ...SERVICE_USAGE_ALARMS.memory,
    metric: ecsMetric('AWS/ECS', 'MemoryUtilization', fiveMinutes),
    comparisonOperator: above,
    severity: 'warning',
  });
  monitoring.addAlarm(scope, id('running-below-desired'), {
    metric: new cloudwatch.MathExpression({
      expression: 'desired - running',
      usingMetrics: {
        desired: ecsMetric('ECS/ContainerInsights', 'DesiredTaskCount', minute),
        running: ecsMetric('ECS/ContainerInsights', 'RunningTaskCount', minute),
      },
      label: 'Desired minus running tasks',
      period: minute,
    }),
    threshold: 0,
    comparisonOperator: above,
    evaluationPeriods: 5,
    severity: 'critical',
    description: 'A service ran fewer instances than it should for 5 minutes.',
    firstResponse:
      'Read the service events for instances that fail to start (image pull, secrets, capacity) or keep stopping.',
  });
}

/** The dashboard row of a service, by literal names: ECS metrics by cluster and service, ELB ones by a search. */
export function serviceWidgets(env: RawAwsEnvironment, service: RawAwsService): cloudwatch.IWidget[] {
  const dimensionsMap = { ClusterName: `platform-${env.name}`, ServiceName: service.name };
  const ecsMetric = (namespace: string, metricName: string, label: string, period: Duration): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic: cloudwatch.Stats.AVERAGE, period, label });
  const search = (metric: string, statistic: string, label: string): cloudwatch.MathExpression =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="${metric}" LoadBalancer=app/${env.name}-${service.name}', '${statistic}', 300)`,
      usingMetrics: {},
      label,
      period: Duration.minutes(5),
    });
  return [
    new cloudwatch.GraphWidget({
      title: 'Requests and target 5xx',
      left: [search('RequestCount', 'Sum', 'Requests')],
      right: [search('HTTPCode_Target_5XX_Count', 'Sum', '5xx')],
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Response time p99 (s)',
      left: [search('TargetResponseTime', 'p99', 'p99')],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'CPU and memory %',
      left: [
        ecsMetric('AWS/ECS', 'CPUUtilization', 'CPU', Duration.minutes(5)),
        ecsMetric('AWS/ECS', 'MemoryUtilization', 'Memory', Duration.minutes(5)),
      ],
      leftYAxis: { min: 0, max: 100 },
      width: 6,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Tasks running and desired',
      left: [
        ecsMetric('ECS/ContainerInsights', 'RunningTaskCount', 'Running', Duration.minutes(1)),
        ecsMetric('ECS/ContainerInsights', 'DesiredTaskCount', 'Desired', Duration.minutes(1)),
      ],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
  ];
}

/** A Step Functions execution metric of a job's state machine, by its literal ARN. */
function executionMetric(env: RawAwsEnvironment, job: RawAwsJob, metricName: string, period: Duration) {
  return new cloudwatch.Metric({
    namespace: 'AWS/States',
    metricName,
    dimensionsMap: {
      StateMachineArn: `arn:aws:states:${REGION}:${env.account}:stateMachine:platform-${env.name}-${job.name}`,
    },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/** One scheduled job: EventBridge Scheduler starts a state machine that runs the Fargate task and waits for it. */
export function buildJob(jobs: Construct, context: RawWorkloadContext, job: RawAwsJob): void {
  const { env, vpc, monitoring, containers } = context;
  const scope = new Construct(jobs, job.name);
  const base = `platform-${env.name}-${job.name}`;
  const logGroupName = `/platform/${env.name}/jobs/${job.name}`;
  const removalPolicy = env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const retries = retriesText(job.retries);

  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    logGroupName,
    retention: env.retention,
    encryptionKey: monitoring.key,
    removalPolicy,
  });
  const executionLogGroup = new logs.LogGroup(scope, 'ExecutionLogGroup', {
    logGroupName: `${logGroupName}/executions`,
    retention: env.retention,
    encryptionKey: monitoring.key,
    removalPolicy,
  });

  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `${base}: no inbound traffic; HTTPS out (registries, AWS APIs)`,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Registries, AWS APIs and HTTPS services');

  const thisAccount = { StringEquals: { 'aws:SourceAccount': env.account } };
  const executionRole = new iam.Role(scope, 'ExecutionRole', {
    description: `Starts the tasks of ${base}: pulls the image, reads its secrets, writes its output`,
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', { conditions: thisAccount }),
  });
  const taskRole = new iam.Role(scope, 'TaskRole', {
    description: `The tasks of ${base} run as this role`,
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', { conditions: thisAccount }),
  });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    family: base,
    cpu: job.cpu * 1024,
    memoryLimitMiB: job.memoryGiB * 1024,
    runtimePlatform: {
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
    },
    executionRole: executionRole.withoutPolicyUpdates(),
    taskRole,
  });
  taskDefinition.addContainer('Container', {
    containerName: job.name,
    image: ecs.ContainerImage.fromRegistry(job.image),
    essential: true,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: job.name }),
  });
  new iam.ManagedPolicy(scope, 'ExecutionPolicy', {
    description: `Least privilege of the execution role of ${base}`,
    roles: [executionRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'WriteOutput',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });

  // A Task state for the timeout and the retries ECS RunTask does not have.
  const runTask = new tasks.EcsRunTask(scope, 'Run', {
    stateName: `Run ${job.name}`,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    cluster: containers.cluster,
    taskDefinition,
    launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
    subnets: { subnets: vpc.privateSubnets },
    securityGroups: [securityGroup],
    assignPublicIp: false,
    propagatedTagSource: ecs.PropagatedTagSource.TASK_DEFINITION,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(job.timeoutMinutes)),
  });
  if (job.retries > 0) {
    runTask.addRetry({
      errors: [sfn.Errors.ALL],
      maxAttempts: job.retries,
      interval: Duration.minutes(1),
      backoffRate: 2,
    });
  }

  const stateMachineRole = new iam.Role(scope, 'StateMachineRole', {
    description: `Runs the task of ${base} and waits for it`,
    assumedBy: new iam.ServicePrincipal('states.amazonaws.com', { conditions: thisAccount }),
  });
  const inCluster = { ArnEquals: { 'ecs:cluster': containers.cluster.clusterArn } };
  const taskDefinitions = `arn:aws:ecs:${REGION}:${env.account}:task-definition/${base}:*`;
  const tasksArn = `arn:aws:ecs:${REGION}:${env.account}:task/*`;
  const stateMachinePolicy = new iam.ManagedPolicy(scope, 'StateMachinePolicy', {
    description: `Least privilege of the state machine ${base}`,
    roles: [stateMachineRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'RunTask',
        actions: ['ecs:RunTask'],
        resources: [taskDefinitions],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        sid: 'TagTask',
        actions: ['ecs:TagResource'],
        resources: [tasksArn],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
      new iam.PolicyStatement({
        sid: 'FollowTask',
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: ['*'],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [executionRole.roleArn, taskRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'TaskEvents',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [`arn:aws:events:${REGION}:${env.account}:rule/StepFunctionsGetEventsForECSTaskRule`],
      }),
      new iam.PolicyStatement({
        sid: 'LogDelivery',
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'Tracing',
        actions: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        resources: ['*'],
      }),
    ],
  });
  acknowledge(
    stateMachinePolicy,
    `AwsSolutions-IAM5[Resource::${taskDefinitions}]`,
    'The state runs the latest revision of the one task definition family the job owns, in the one cluster (ecs:cluster condition)',
  );
  acknowledge(
    stateMachinePolicy,
    `AwsSolutions-IAM5[Resource::${tasksArn}]`,
    'Tasks get generated IDs when they start; the ecs:CreateAction condition allows tagging only as RunTask creates them',
  );
  acknowledge(
    stateMachinePolicy,
    'AwsSolutions-IAM5[Resource::*]',
    'ecs:DescribeTasks and ecs:StopTask name tasks by generated IDs; the ecs:cluster condition holds them to the one cluster; CloudWatch Logs delivery actions have no resource-level permissions; X-Ray actions have no resource-level permissions',
  );
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: base,
    comment: `Runs ${job.name} (${base}) on Fargate with a ${job.timeoutMinutes}-minute timeout and ${retries}`,
    definitionBody: sfn.DefinitionBody.fromChainable(runTask),
    role: iam.Role.fromRoleArn(scope, 'StateMachineRoleRef', stateMachineRole.roleArn, { mutable: false }),
    logs: { destination: executionLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
  stateMachine.node.addDependency(stateMachinePolicy);

  const schedulerRole = new iam.Role(scope, 'SchedulerRole', {
    description: `Lets the schedule ${base} start its state machine`,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        ...thisAccount,
        ArnEquals: { 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${env.account}:schedule/default/${base}` },
      },
    }),
  });
  const schedulerPolicy = new iam.ManagedPolicy(scope, 'SchedulerPolicy', {
    description: `Starts the state machine ${base}`,
    roles: [schedulerRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'StartExecution',
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    ],
  });
  const schedule = new scheduler.Schedule(scope, 'Schedule', {
    scheduleName: base,
    description: `Runs ${job.name} (cron ${job.cron}, UTC)`,
    schedule: scheduler.ScheduleExpression.expression(job.awsSchedule, TimeZone.ETC_UTC),
    timeWindow: scheduler.TimeWindow.off(),
    target: new targets.StepFunctionsStartExecution(stateMachine, { role: schedulerRole.withoutPolicyUpdates() }),
  });
  schedule.node.addDependency(schedulerPolicy);

  monitoring.watchLogGroup(logGroup);
  const fiveMinutes = Duration.minutes(5);
  monitoring.addAlarm(scope, `job/${job.name}/failed`, {
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: executionMetric(env, job, 'ExecutionsFailed', fiveMinutes),
        timedOut: executionMetric(env, job, 'ExecutionsTimedOut', fiveMinutes),
      },
      label: 'Failed or timed-out runs',
      period: fiveMinutes,
    }),
    threshold: 1,
    severity: 'critical',
    description: `1 or more runs of the job ${job.name} failed within 5 minutes, after ${retries}.`,
    firstResponse: `Open the failed execution of the state machine ${base} for the task's stop reason and exit code, then read its output in ${logGroupName}.`,
  });
}

/** The dashboard row of a job: runs per hour by outcome, and the latest output. */
export function jobWidgets(env: RawAwsEnvironment, job: RawAwsJob): cloudwatch.IWidget[] {
  const hour = Duration.hours(1);
  return [
    new cloudwatch.GraphWidget({
      title: 'Runs per hour',
      left: [
        executionMetric(env, job, 'ExecutionsSucceeded', hour).with({ label: 'Succeeded' }),
        executionMetric(env, job, 'ExecutionsFailed', hour).with({ label: 'Failed' }),
        executionMetric(env, job, 'ExecutionsTimedOut', hour).with({ label: 'Timed out' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
    new cloudwatch.LogQueryWidget({
      title: 'Latest output',
      logGroupNames: [`/platform/${env.name}/jobs/${job.name}`],
      queryLines: ['fields @timestamp, @logStream, @message', 'sort @timestamp desc', 'limit 50'],
      width: 12,
      height: 6,
    }),
  ];
}
