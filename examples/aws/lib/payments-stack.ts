import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ApplicationSpec } from 'platform-constructs';
import { Application, PlatformEnvironment, PlatformStack } from 'platform-constructs/aws';

/** Props of {@link PaymentsStack}. */
export interface PaymentsStackProps {
  /** The application, as `defineApplication` resolved it. */
  readonly spec: ApplicationSpec;
}

/**
 * The payments team's stack: it joins the platform environment (its network, ECS cluster, load-balancer log bucket,
 * key and alert topics, read from the platform's published parameters when the stack deploys) and runs the team's
 * services and job there with the platform's constructs, defaults, alarms and guardrails.
 */
export class PaymentsStack extends PlatformStack {
  constructor(scope: Construct, id: string, props: PaymentsStackProps) {
    const { spec } = props;
    const aws = spec.environment.aws;
    if (!aws) throw new Error(`${spec.name} declares no AWS environment`);
    super(scope, id, {
      env: { account: aws.account, region: aws.region },
      // The platform's zones, named: synthesis looks nothing up and needs no credentials.
      availabilityZones: aws.availabilityZones,
      // Production: stateful resources retained, load balancers protected from deletion, the stack from termination.
      tier: spec.environment.tier,
      description: `The ${spec.name} application on the platform environment ${spec.environment.name}`,
    });

    const platform = PlatformEnvironment.join(this, 'Platform', { spec: spec.environment });
    const application = new Application(this, 'Payments', { spec, platform });

    const checkout = application.services.get(`${spec.name}-checkout`);
    if (checkout) new CfnOutput(this, 'CheckoutUrl', { value: checkout.url });
  }
}
