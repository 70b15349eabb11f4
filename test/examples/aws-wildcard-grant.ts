import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardGrant } from 'platform-constructs/aws';

/**
 * An application team's role that must call two APIs without resource-level permissions: each action on `*` is
 * accepted by name, with its reason. Adding a third action on `*` later fails synthesis (Platform-WildcardGrant)
 * until it is accepted the same way, in the pull request.
 */
export function buildWildcardGrantApp(): App {
  const app = new App();
  const stack = new Stack(app, 'payments-agent', { env: { account: '444444444444', region: 'eu-central-1' } });
  const policy = new iam.ManagedPolicy(stack, 'AgentPolicy', {
    statements: [
      new iam.PolicyStatement({ actions: ['ec2:DescribeTags', 'cloudwatch:PutMetricData'], resources: ['*'] }),
    ],
  });
  new iam.Role(stack, 'AgentRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: [policy],
  });
  acknowledgeWildcardGrant(policy, {
    actions: ['ec2:DescribeTags', 'cloudwatch:PutMetricData'],
    resources: ['*'],
    reason: 'Neither action has resource-level permissions; the agent only reads its own tags and writes metrics',
  });
  return app;
}
