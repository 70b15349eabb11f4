import { Construct } from 'constructs';
import { apiCheckDefinition, type AwsDelivery, type Environment } from '../../lib/core';
import {
  ApiCheck,
  AuditTrail,
  Backup,
  apiCheckCanaryName,
  ContainerCluster,
  DeliveryChecksRole,
  Monitoring,
  Network,
  PlatformEnvironment,
  toRetentionDays,
  type PlatformEnvironmentPublication,
} from '../../lib/aws';
import { EnvironmentStack } from './environment-stack';

/** Options of {@link FoundationStack}. */
export interface FoundationStackOptions {
  /**
   * The AWS delivery that deploys the environment: the foundation then lends its pipeline the role
   * `platform-<env>-delivery-checks` to run the environment's API checks, when it has any.
   * @default - no delivery, no role
   */
  readonly delivery?: AwsDelivery;
}

/**
 * The stateful, long-lived part of an environment: network, monitoring, keys and logs, the container cluster and
 * its access-log bucket, the backup vault and the audit trail. Compute lives in its own stack, so that no compute change can replace anything here.
 * It publishes the shared parts for application teams as SSM parameters `/platform/<env>/...`
 * (`PlatformEnvironment.publish`), which their stacks read at deploy time without locking this one.
 */
export class FoundationStack extends EnvironmentStack {
  /** The environment's network. */
  public readonly network: Network;
  /** The environment's alert channels, dashboard, log analysis and alarm registry. */
  public readonly monitoring: Monitoring;
  /** The ECS cluster and the load balancers' access-log bucket, when the environment runs containers. */
  public readonly containers?: ContainerCluster;
  /** The backup vault, plan and selection of the environment's servers and named resources. */
  public readonly backup: Backup;
  /** The environment's audit trail with its alarms and saved queries, unless the spec switches it off. */
  public readonly audit?: AuditTrail;
  /**
   * The SSM parameters `/platform/<env>/...` application teams join the environment through
   * (`PlatformEnvironment.join`): network, cluster, access-log bucket, key, alert topics, application log group.
   */
  public readonly publication: PlatformEnvironmentPublication;
  /** The API checks of URLs given in the spec (`env.checks` with a `{url}` target), by check name. */
  public readonly checks: ReadonlyMap<string, ApiCheck>;
  /**
   * The role the delivery pipeline assumes to run every API check of the environment (URL and service checks)
   * after deploying it, when a delivery is configured and the environment has checks.
   */
  public readonly deliveryChecks?: DeliveryChecksRole;

  constructor(scope: Construct, id: string, env: Environment, options: FoundationStackOptions = {}) {
    super(scope, id, env, { description: 'network, monitoring, encryption keys and logs' });
    this.monitoring = new Monitoring(this, 'Monitoring', { spec: env.monitoring, name: env.name });
    this.network = new Network(this, 'Network', {
      spec: env.network,
      name: env.name,
      availabilityZones: env.aws.availabilityZones,
      flowLogRetention: toRetentionDays(env.monitoring.logRetentionDays),
      monitoring: this.monitoring,
    });
    if (env.services.length + env.jobs.length > 0) {
      this.containers = new ContainerCluster(this, 'Containers', {
        name: env.name,
        vpc: this.network.vpc,
        logRetentionDays: env.monitoring.logRetentionDays,
      });
    }
    this.backup = new Backup(this, 'Backup', {
      spec: env.backup,
      environment: env.name,
      monitoring: this.monitoring,
    });
    if (env.audit.enabled) {
      this.audit = new AuditTrail(this, 'AuditTrail', {
        spec: env.audit,
        environment: env.name,
        monitoring: this.monitoring,
      });
    }
    // Checks of URLs live with the monitoring they alarm through; checks of services, in their service's stack.
    const checks = new Construct(this, 'Checks');
    this.checks = new Map(
      env.checks.checks.flatMap((check) =>
        'url' in check.target
          ? [
              [
                check.name,
                new ApiCheck(checks, check.name, {
                  check: apiCheckDefinition(check, check.target.url),
                  environment: env.name,
                  monitoring: this.monitoring,
                  vpc: this.network.vpc,
                }),
              ] as const,
            ]
          : [],
      ),
    );
    if (options.delivery && env.checks.checks.length > 0) {
      this.deliveryChecks = new DeliveryChecksRole(this, 'DeliveryChecks', {
        environment: env.name,
        canaryNames: env.checks.checks.map((check) => apiCheckCanaryName(env.name, check.name)),
        deliveryAccount: options.delivery.account,
      });
    }
    this.exportShared();
    this.publication = PlatformEnvironment.publish(this, 'PlatformEnvironment', {
      environment: env.name,
      network: this.network,
      encryptionKey: this.monitoring.encryptionKey,
      alertTopics: this.monitoring.topics,
      applicationLogGroup: this.monitoring.applicationLogGroup,
      ...(this.containers && { containers: this.containers }),
    });
  }

  /**
   * Exports every value the compute and workload stacks may reference, whether or not one references it now.
   * CloudFormation refuses to remove an export another stack still imports, and deploys the foundation first:
   * if the exports followed the current references, removing the last service that used one would fail the
   * deployment. Automatic references use the same export names, so nothing is exported twice.
   */
  private exportShared(): void {
    const vpc = this.network.vpc;
    const values = [
      vpc.vpcId,
      vpc.vpcCidrBlock,
      ...vpc.publicSubnets.map((s) => s.subnetId),
      ...vpc.privateSubnets.map((s) => s.subnetId),
      this.monitoring.encryptionKey.keyArn,
      this.monitoring.topics.critical.topicArn,
      this.monitoring.topics.warning.topicArn,
      this.monitoring.applicationLogGroup.logGroupName,
      this.monitoring.applicationLogGroup.logGroupArn,
      ...(this.containers
        ? [
            this.containers.cluster.clusterName,
            this.containers.cluster.clusterArn,
            this.containers.accessLogBucket.bucketName,
          ]
        : []),
    ];
    for (const value of values) this.exportValue(value);
  }
}
