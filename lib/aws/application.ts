import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  apiCheckDefinition,
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  SEVERITIES,
  type ApplicationSpec,
  type Severity,
} from '../core';
import { ApiCheck, serviceApiCheck } from './api-check';
import { ContainerService } from './container-service';
import type { IMonitoring } from './interfaces';
import { Monitoring } from './monitoring';
import type { IPlatformEnvironment } from './platform-environment';
import { RetainStatefulResources } from './protection';
import { ScheduledJob } from './scheduled-job';
import { TagResources } from './tags';

/** Props of {@link Application}. */
export interface ApplicationProps {
  /**
   * The application's resolved spec (`defineApplication(...)`): its services and jobs, tags, monitoring (log
   * retention, alarm tuning) and protection, every default of the environment's tier applied.
   */
  readonly spec: ApplicationSpec;
  /**
   * The platform environment it runs on, joined in the same stack (`PlatformEnvironment.join(stack, ...)`):
   * network, cluster, access-log bucket, key and alert topics.
   */
  readonly platform: IPlatformEnvironment;
}

/**
 * An application team's services and jobs on a platform environment, built with the same constructs, defaults,
 * alarms and guardrails as the platform's own workloads: each service a `ContainerService` (`Services/<name>`),
 * each job a `ScheduledJob` (`Jobs/<name>`), in the platform's network and cluster, their load balancers logging
 * to the platform's bucket, their log groups encrypted with the platform's key and kept
 * `spec.monitoring.logRetentionDays`.
 *
 * - Alarms: named `platform-<env>-<id>` and sent to the platform's topic of their severity, like the platform's,
 *   tuned or switched off by `spec.monitoring.alarms` (an override that names none of the application's alarms
 *   fails synthesis).
 * - Dashboard: the platform's dashboard belongs to the platform's stack, which a team's deployment cannot change,
 *   so the application has one of its own, `platform-<env>-<application>`, with a row per service and job.
 * - Data: stateful resources (log groups) are retained or deleted as `spec.protection.retainData` says (the tier
 *   decides: production retains), load balancers refuse deletion as `spec.protection.deletionProtection` says.
 * - API checks: each of `spec.checks` an `ApiCheck` (CloudWatch Synthetics canary) with its alarms
 *   `check/<name>/{success,latency,tls}`, artifacts in a bucket of the application's own.
 * - Tags: `spec.tags` on every taggable resource.
 *
 * @example
 * const platform = PlatformEnvironment.join(stack, 'Platform', { spec: app.environment });
 * const payments = new Application(stack, 'Payments', { spec: app, platform });
 * payments.services.get('payments-api')?.taskRole; // grant the application what it needs
 */
export class Application extends Construct {
  /** The application's container services, by name (`<application>-<service>`). */
  public readonly services: ReadonlyMap<string, ContainerService>;
  /** The application's scheduled jobs, by name (`<application>-<job>`). */
  public readonly jobs: ReadonlyMap<string, ScheduledJob>;
  /**
   * The application's monitoring: the platform's topics, key and log group, with the application's alarm tuning
   * and log patterns; rows go to `dashboard`.
   */
  public readonly monitoring: IMonitoring;
  /** The application's dashboard, `platform-<env>-<application>`, when it has services or jobs. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /**
   * The application's API checks (`spec.checks`), by check name: a service's in `Checks/<name>` on its load
   * balancer, a URL's likewise; their artifacts go to the application's own bucket (`CheckArtifacts`).
   */
  public readonly checks: ReadonlyMap<string, ApiCheck>;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    validateApplicationProps(this, props);
    const spec = props.spec;
    const platform = props.platform;
    const environment = platform.environment;

    // Decided before anything is built, so that the constructs read it (removalPolicyOf) as the aspect applies it.
    RetainStatefulResources.applyTo(this, { retainData: spec.protection.retainData });
    TagResources.applyTo(this, spec.tags);

    if (spec.services.length + spec.jobs.length > 0) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: `${PLATFORM_PREFIX}-${environment}-${spec.name}`,
        defaultInterval: Duration.hours(3),
      });
    }
    this.monitoring = Monitoring.fromAttributes(this, 'Monitoring', {
      environment,
      encryptionKeyArn: platform.encryptionKey.keyArn,
      topicArns: Object.fromEntries(SEVERITIES.map((s) => [s, platform.alertTopics[s].topicArn])) as Record<
        Severity,
        string
      >,
      applicationLogGroupName: platform.applicationLogGroup.logGroupName,
      spec: spec.monitoring,
      ...(this.dashboard && { dashboard: this.dashboard }),
    });

    const shared = {
      environment,
      vpc: platform.network.vpc,
      monitoring: this.monitoring,
      logRetentionDays: spec.monitoring.logRetentionDays,
    };
    // A workload's construct path is its kind and name, as in the platform's workload stacks: its logical IDs
    // never depend on its neighbours.
    const services = new Construct(this, 'Services');
    this.services = new Map(
      spec.services.map((service) => [
        service.name,
        new ContainerService(services, service.name, {
          ...shared,
          spec: service,
          cluster: platform.cluster,
          accessLogBucket: platform.accessLogBucket,
          deletionProtection: spec.protection.deletionProtection,
          // The environment's tier, whatever stack the team puts the application in.
          tier: spec.environment.tier,
        }),
      ]),
    );
    const jobs = new Construct(this, 'Jobs');
    this.jobs = new Map(
      spec.jobs.map((job) => [
        job.name,
        new ScheduledJob(jobs, job.name, { ...shared, spec: job, cluster: platform.cluster }),
      ]),
    );

    const checkSpecs = spec.checks.checks;
    // What every check of the application shares.
    const checkShared = {
      environment,
      vpc: platform.network.vpc,
      monitoring: this.monitoring,
      tier: spec.environment.tier,
      ...(checkSpecs.length > 0 && {
        artifactsBucket: ApiCheck.createArtifactsBucket(this, 'CheckArtifacts', spec.environment.tier),
      }),
    };
    const checks = new Construct(this, 'Checks');
    this.checks = new Map(
      checkSpecs.map((check) => {
        if ('url' in check.target) {
          const definition = apiCheckDefinition(check, check.target.url);
          return [check.name, new ApiCheck(checks, check.name, { ...checkShared, check: definition })] as const;
        }
        const service = this.services.get(check.target.service);
        if (!service) {
          throw new Error(
            `${this.node.path}: the check ${check.name} targets the service ${check.target.service}, which the application does not have`,
          );
        }
        return [check.name, serviceApiCheck(checks, check, service, checkShared)] as const;
      }),
    );
  }
}

function validateApplicationProps(scope: Construct, props: ApplicationProps): void {
  checkProps('Application', scope.node.path, props, {
    spec: {
      kind: 'object',
      allowed: 'the resolved application spec: defineApplication(...)',
      fields: {
        name: { kind: 'string', allowed: 'the application name' },
        environment: {
          kind: 'object',
          allowed: 'the environment the application joins',
          fields: { name: { kind: 'string', allowed: 'the platform environment name' } },
        },
        tags: { kind: 'object', allowed: 'the tags of every resource' },
        services: { kind: 'array', allowed: 'the resolved services' },
        jobs: { kind: 'array', allowed: 'the resolved jobs' },
        monitoring: { kind: 'object', allowed: 'the resolved monitoring section' },
        protection: { kind: 'object', allowed: 'the resolved protection section' },
      },
    },
    platform: { kind: 'object', allowed: 'the platform environment: PlatformEnvironment.join(stack, ...)' },
  });
  const issues = new IssueCollector();
  const { spec, platform } = props;
  if (platform.environment !== spec.environment.name) {
    issues.add(
      'platform',
      platform.environment,
      `the environment the spec joins (${spec.environment.name}): join it with the spec's environment`,
    );
  }
  if (Stack.of(platform) !== Stack.of(scope)) {
    issues.add(
      'platform',
      platform.node.path,
      `a platform environment joined in this application's stack (${Stack.of(scope).node.path}): each stack reads the published values itself`,
    );
  }
  issues.throwIfAny(`Invalid Application props (${scope.node.path})`);
}
