import { App, Stage } from 'aws-cdk-lib';
import { defineApplication } from 'platform-constructs';
import {
  Application,
  DeliveryPipeline,
  PlatformEnvironment,
  PlatformStack,
  PolicyChecks,
} from 'platform-constructs/aws';

/** The platform's environments the payments team deploys to, in order: the accounts the platform bootstrapped. */
const ENVIRONMENTS = [
  { name: 'dev', tier: 'development', aws: { account: '111111111111', region: 'eu-west-1' } },
  { name: 'prod', tier: 'production', aws: { account: '333333333333', region: 'eu-west-1' } },
] as const;

/**
 * An application team's own pipeline: in the team's tooling account, from the team's repository, it deploys the
 * team's stack to the platform's dev and then prod (prod behind the review, the permissions-broadening check and
 * an approval). `cdk deploy payments-delivery` once; the pipeline updates itself after that.
 */
export function buildTeamPipelineApp(): App {
  const app = new App();
  const stages = ENVIRONMENTS.map((environment) => {
    const spec = defineApplication({
      name: 'payments',
      environment,
      tags: { owner: 'payments-team' },
      services: [
        {
          name: 'ledger',
          image: 'public.ecr.aws/docker/library/httpd:2.4',
          cpu: 0.5,
          memoryGiB: 1,
          port: 80,
          // Production serves HTTPS, with a certificate in the environment's account (the guardrails insist).
          ...(environment.tier === 'production' && {
            awsCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
          }),
        },
      ],
    });
    // One Stage per environment, named as `cdk deploy` takes it by hand: payments-dev/service.
    const stage = new Stage(app, `payments-${environment.name}`, { env: environment.aws });
    const stack = new PlatformStack(stage, 'service', {
      availabilityZones: spec.environment.aws!.availabilityZones,
      tier: environment.tier,
    });
    new Application(stack, 'Payments', {
      spec,
      platform: PlatformEnvironment.join(stack, 'Platform', { spec: spec.environment }),
    });
    // Aspects stop at a Stage: each gets the guardrails of its tier.
    PolicyChecks.applyTo(stage, { tier: environment.tier });
    return { stage, name: environment.name, production: environment.tier === 'production' };
  });

  const tooling = new PlatformStack(app, 'payments-delivery', {
    env: { account: '555555555555', region: 'eu-west-1' },
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    tier: 'production',
  });
  new DeliveryPipeline(tooling, 'Delivery', {
    pipelineName: 'payments-delivery',
    source: {
      repository: 'example-org/payments',
      branch: 'main',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:555555555555:connection/7c0e5b1a-2d3f-4e6a-8b9c-0d1e2f3a4b5c',
    },
    // The team's own commands: install, test, then synthesize (the guardrails run during synthesis).
    synthCommands: ['npm ci', 'npm test', 'npx cdk synth'],
    // The team reviews its own stacks before prod with cdk diff: the platform's `npm run review` is not in its repo.
    stages: stages.map((s) => ({ ...s, reviewCommands: ['npm ci', 'npx cdk diff --app cdk.out "payments-prod/*"'] })),
    notificationEmails: ['payments-approvers@example.com'],
  });
  PolicyChecks.applyTo(tooling, { tier: 'production' });
  return app;
}
