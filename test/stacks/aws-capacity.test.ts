import type { Stack } from 'aws-cdk-lib';
import { MAX_WORKLOADS_PER_STACK, defineEnvironment } from '../../lib/core';
import { buildAwsApp, EnvironmentStage } from '../../stacks/aws';
import { prodInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const outdir = temporaryFolders('platform-aws-capacity-');

/** CloudFormation's limit of resources per stack. */
const CLOUDFORMATION_MAX_RESOURCES = 500;

/**
 * The heaviest service the spec allows, as often as one workload stack takes it: production, public over HTTPS
 * (so with a web ACL), autoscaling on every target, secrets, and its default API check with every alarm.
 */
function fullStack(count: number): ReturnType<typeof defineEnvironment> {
  return defineEnvironment({
    ...prodInput(),
    azure: {
      ...prodInput().azure,
      keyVaultId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-prod',
    },
    services: Array.from({ length: count }, (_, i) => ({
      name: `svc-${String(i).padStart(2, '0')}`,
      image: 'public.ecr.aws/nginx/nginx:1.27',
      cpu: 1,
      memoryGiB: 2,
      port: 8080,
      public: true,
      stack: 0,
      awsCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/11111111-2222-3333-4444-555555555555',
      secrets: { DB_PASSWORD: `svc-${i}-db-password` },
      autoscaling: { cpuPercent: 70, memoryPercent: 70, concurrentRequests: 50 },
    })),
  });
}

describe('a full AWS workload stack', () => {
  test(`the most services one workload stack takes (${MAX_WORKLOADS_PER_STACK}), each of the heaviest kind, stay under 90% of CloudFormation's limits`, () => {
    const env = fullStack(MAX_WORKLOADS_PER_STACK);
    const app = buildAwsApp({ environments: [env], validation: false, outdir: outdir() });
    const stage = app.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
    const stack = [...stage.workloads.values()][0] as Stack;
    // Synthesis runs the guardrails, whose template-limits rule refuses a stack at 90% of a CloudFormation limit.
    const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: object };
    const resources = Object.keys(template.Resources).length;
    expect(env.checks.checks).toHaveLength(MAX_WORKLOADS_PER_STACK);
    expect(resources).toBeLessThanOrEqual(CLOUDFORMATION_MAX_RESOURCES);
    expect(resources).toBeLessThanOrEqual(CLOUDFORMATION_MAX_RESOURCES * 0.9);
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(900_000);
  });
});
