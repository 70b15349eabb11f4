import { Construct } from 'constructs';
import type { Environment, JobSpec, ServiceSpec } from '../../lib/core';
import { type ApiCheck, ContainerService, ScheduledJob, serviceApiCheck } from '../../lib/aws';
import { EnvironmentStack } from './environment-stack';
import type { FoundationStack } from './foundation-stack';

/**
 * One of an environment's workload stacks (`platform-<env>-workloads-<n>`): the container services and jobs whose
 * names hash to it (`workloadStackOf`), so that adding or removing one never moves another, and no stack nears
 * CloudFormation's 500 resources (the spec refuses a stack of more than MAX_WORKLOADS_PER_STACK).
 */
export class WorkloadStack extends EnvironmentStack {
  /** The services of this stack, by name. */
  public readonly services: ReadonlyMap<string, ContainerService>;
  /** The jobs of this stack, by name. */
  public readonly jobs: ReadonlyMap<string, ScheduledJob>;
  /** The API checks of this stack's services (`env.checks` with a service target here), by check name. */
  public readonly checks: ReadonlyMap<string, ApiCheck>;

  constructor(
    scope: Construct,
    id: string,
    env: Environment,
    foundation: FoundationStack,
    workloads: { readonly services: readonly ServiceSpec[]; readonly jobs: readonly JobSpec[] },
  ) {
    super(scope, id, env, { description: 'container services and scheduled jobs' });
    this.addStackDependency(foundation, 'workloads run in the foundation network and cluster');
    const containers = foundation.containers;
    if (!containers) throw new Error(`${id}: the foundation of ${env.name} has no container cluster`);
    const shared = {
      environment: env.name,
      cluster: containers.cluster,
      vpc: foundation.network.vpc,
      monitoring: foundation.monitoring,
      logRetentionDays: env.monitoring.logRetentionDays,
    };
    // A workload's construct path is its kind and name, so its logical IDs never depend on its neighbours.
    const services = new Construct(this, 'Services');
    this.services = new Map(
      workloads.services.map((spec) => [
        spec.name,
        new ContainerService(services, spec.name, {
          ...shared,
          spec,
          accessLogBucket: containers.accessLogBucket,
          deletionProtection: env.protection.deletionProtection,
        }),
      ]),
    );
    const jobs = new Construct(this, 'Jobs');
    this.jobs = new Map(
      workloads.jobs.map((spec) => [spec.name, new ScheduledJob(jobs, spec.name, { ...shared, spec })]),
    );
    // Each check of a service of this stack: `Checks/<name>`, sharing the stack's one artifacts bucket.
    const checkProps = { environment: env.name, vpc: foundation.network.vpc, monitoring: foundation.monitoring };
    const checks = new Construct(this, 'Checks');
    this.checks = new Map(
      env.checks.checks.flatMap((check) => {
        const service = 'service' in check.target ? this.services.get(check.target.service) : undefined;
        return service ? [[check.name, serviceApiCheck(checks, check, service, checkProps)] as const] : [];
      }),
    );
  }
}
