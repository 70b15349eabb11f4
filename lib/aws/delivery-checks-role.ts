import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { checkProps, DELIVERY_PIPELINE_NAME, IssueCollector, PLATFORM_PREFIX } from '../core';

/** The actions the delivery pipeline's check step may take on an environment's canaries, and no others. */
export const DELIVERY_CHECK_ACTIONS: readonly string[] = [
  'synthetics:GetCanary',
  'synthetics:GetCanaryRuns',
  'synthetics:StartCanary',
];

/** IAM's limit on a role name. */
const ROLE_NAME_LIMIT = 64;

/**
 * The name of the role an environment account lends the delivery pipeline for its API checks:
 * `platform-<env>-delivery-checks`.
 */
export function deliveryChecksRoleName(environment: string): string {
  return `${PLATFORM_PREFIX}-${environment}-delivery-checks`;
}

/**
 * The name of the role the pipeline's check step runs as in the delivery account, for one environment:
 * `<pipeline>-checks-<env>` (`platform-delivery-checks-prod`). Only this role may assume the environment's
 * {@link deliveryChecksRoleName} role, so the name is fixed in advance on both sides.
 *
 * @param environment the environment (the pipeline stage's short name)
 * @param pipelineName the pipeline's name
 */
export function deliveryCheckStepRoleName(environment: string, pipelineName: string = DELIVERY_PIPELINE_NAME): string {
  return `${pipelineName}-checks-${environment}`;
}

/** Props of {@link DeliveryChecksRole}. */
export interface DeliveryChecksRoleProps {
  /** The environment name: the role is `platform-<env>-delivery-checks`. */
  readonly environment: string;
  /** The names of the canaries the pipeline waits for after deploying the environment (`apiCheckCanaryName`). */
  readonly canaryNames: readonly string[];
  /** The delivery (tooling) account the pipeline runs in. */
  readonly deliveryAccount: string;
  /**
   * The pipeline's name, which names its check step role (`<pipeline>-checks-<env>`).
   * @default 'platform-delivery'
   */
  readonly pipelineName?: string;
}

/**
 * The role `platform-<env>-delivery-checks` in an environment's account, for the delivery pipeline to run the
 * environment's API checks after a deployment and wait for them to pass. Only the pipeline's check step role for
 * this environment (`<pipeline>-checks-<env>` in the delivery account, matched by `ArnEquals aws:PrincipalArn`)
 * may assume it, and it may only start, read and list the runs of the named canaries, by their exact ARNs.
 *
 * @example
 * new DeliveryChecksRole(this, 'DeliveryChecks', {
 *   environment: 'prod',
 *   canaryNames: ['platform-prod-api'],
 *   deliveryAccount: '999999999999',
 * });
 */
export class DeliveryChecksRole extends Construct {
  /** The role the pipeline assumes. */
  public readonly role: iam.Role;
  /** Its one customer-managed policy: the canary actions on the canaries' ARNs. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DeliveryChecksRoleProps) {
    super(scope, id);
    checkProps('DeliveryChecksRole', this.node.path, props, {
      environment: { kind: 'string', allowed: 'the environment name' },
      canaryNames: { kind: 'array', allowed: 'the names of the canaries to run, such as platform-prod-api' },
      deliveryAccount: { kind: 'string', allowed: 'the 12-digit delivery account ID' },
      pipelineName: { kind: 'string', optional: true, allowed: 'the delivery pipeline name' },
    });
    const pipelineName = props.pipelineName ?? DELIVERY_PIPELINE_NAME;
    const roleName = deliveryChecksRoleName(props.environment);
    const stepRoleName = deliveryCheckStepRoleName(props.environment, pipelineName);
    const issues = new IssueCollector();
    if (props.canaryNames.length === 0) {
      issues.add('props.canaryNames', props.canaryNames, 'at least one canary: without checks, create no role');
    }
    if (!/^\d{12}$/.test(props.deliveryAccount)) {
      issues.add('props.deliveryAccount', props.deliveryAccount, 'a 12-digit AWS account ID');
    }
    for (const name of [roleName, stepRoleName]) {
      if (name.length > ROLE_NAME_LIMIT) {
        issues.add('props.environment', props.environment, `a shorter name: the role ${name} is over 64 characters`);
      }
    }
    issues.throwIfAny(`Invalid DeliveryChecksRole props (${this.node.path})`);

    const stack = Stack.of(this);
    const stepRoleArn = `arn:${stack.partition}:iam::${props.deliveryAccount}:role/${stepRoleName}`;
    this.role = new iam.Role(this, 'Resource', {
      roleName,
      description: `Lets the ${pipelineName} pipeline run and read the API checks of ${props.environment} after a deployment`,
      // The account principal with the exact role ARN as a condition: a role principal would have to exist before
      // this trust policy is created, and IAM would pin it to the role's unique ID.
      assumedBy: new iam.AccountPrincipal(props.deliveryAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': stepRoleArn },
      }),
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `The API checks of ${props.environment} the ${pipelineName} pipeline may run and read`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RunApiChecks',
          actions: [...DELIVERY_CHECK_ACTIONS],
          resources: props.canaryNames.map((name) =>
            stack.formatArn({
              service: 'synthetics',
              resource: 'canary',
              resourceName: name,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      ],
    });
  }
}
