import { App } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { kubernetesClusterName, PlatformStack, PolicyChecks } from 'platform-constructs/aws';

/** The platform's environment the payments team runs its pods in: the account and region of its cluster. */
const ENVIRONMENT = {
  name: 'prod',
  tier: 'production',
  aws: { account: '333333333333', region: 'eu-west-1' },
} as const;

/**
 * An application team's own CDK app for its pods on the platform's EKS cluster (`platform-prod`): the service
 * account `ledger` of the namespace `payments` gets a role through EKS Pod Identity, allowed to consume one queue
 * and nothing else. The team's manifests (Deployment, ServiceAccount) are applied with kubectl or Helm; nothing
 * else on the cluster is the team's to create.
 */
export function buildKubernetesTeamApp(): App {
  const app = new App();
  const stack = new PlatformStack(app, 'payments-ledger-identity', {
    env: ENVIRONMENT.aws,
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    tier: ENVIRONMENT.tier,
  });
  const queueArn = stack.formatArn({ service: 'sqs', resource: 'payments-ledger-events' });

  // Only EKS Pod Identity may assume it (sts:AssumeRole and sts:TagSession), for the association below.
  const role = new iam.Role(stack, 'LedgerRole', {
    description: 'The ledger pods (payments/ledger) on the platform cluster',
    assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
  });
  new iam.ManagedPolicy(stack, 'LedgerPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [queueArn],
      }),
    ],
  });
  new eks.CfnPodIdentityAssociation(stack, 'LedgerIdentity', {
    clusterName: kubernetesClusterName(ENVIRONMENT.name),
    namespace: 'payments',
    serviceAccount: 'ledger',
    roleArn: role.roleArn,
  });
  PolicyChecks.applyTo(app, { tier: ENVIRONMENT.tier }); // the platform's guardrails: synthesis fails on an error
  return app;
}
