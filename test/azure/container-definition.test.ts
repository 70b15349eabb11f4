import { Aspects, TerraformStack, Testing } from 'cdktf';
import {
  checkContainerWorkloadProps,
  KeyVault,
  renderWorkloadConfig,
  renderWorkloadContainer,
  RetainStatefulResources,
} from '../../lib/azure';
import { IssueCollector, type WorkloadSpec } from '../../lib/core';

const KEY_VAULT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-team';
const CAE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-team/providers/Microsoft.App/managedEnvironments/cae-team';
const rg = { name: 'rg-team-dev', location: 'westeurope' };

/** A resolved workload definition: `worker` with the given changes. */
function workload(changes: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    name: 'worker',
    image: { reference: 'myacr.azurecr.io/worker:1.0' },
    cpu: 0.5,
    memoryGiB: 1,
    environment: {},
    secrets: {},
    stack: 0,
    ...changes,
  };
}

describe('the container definition services and jobs share', () => {
  test('the container: its name, the image Azure runs, CPU, memory, then variables and secrets sorted by name', () => {
    const spec = workload({
      image: { directory: 'services/worker', azureReference: 'myacr.azurecr.io/worker:2.0' },
      environment: { LOG_LEVEL: 'info', A_FIRST: '1' },
      secrets: { TOKEN: 'Worker-Token' },
    });
    expect(renderWorkloadContainer(spec, { listEmptyEnv: false })).toEqual({
      name: 'worker',
      image: 'myacr.azurecr.io/worker:2.0',
      cpu: 0.5,
      memory: '1Gi',
      env: [
        { name: 'A_FIRST', value: '1' },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'TOKEN', secretName: 'worker-token' },
      ],
    });
  });

  test('without variables or secrets, env is listed empty for a service and left out for a job', () => {
    expect(renderWorkloadContainer(workload(), { listEmptyEnv: true }).env).toEqual([]);
    expect(renderWorkloadContainer(workload(), { listEmptyEnv: false })).not.toHaveProperty('env');
  });

  test('where it runs, as whom, its Key Vault secrets once each, and the registry pulled with its identity', () => {
    const spec = workload({ secrets: { TOKEN: 'Worker-Token', TOKEN_AGAIN: 'worker-token' } });
    expect(
      renderWorkloadConfig(
        { spec, keyVault: KeyVault.fromKeyVaultId(KEY_VAULT), resourceGroup: rg, containerAppsEnvironmentId: CAE_ID },
        'identity-id',
      ),
    ).toEqual({
      resourceGroupName: 'rg-team-dev',
      containerAppEnvironmentId: CAE_ID,
      workloadProfileName: 'Consumption',
      identity: { type: 'UserAssigned', identityIds: ['identity-id'] },
      secret: [
        {
          name: 'worker-token',
          keyVaultSecretId: 'https://kv-team.vault.azure.net/secrets/Worker-Token',
          identity: 'identity-id',
        },
      ],
      registry: [{ server: 'myacr.azurecr.io', identity: 'identity-id' }],
    });
  });

  test('an image from another registry is pulled anonymously, and no secrets means no secret block', () => {
    const spec = workload({ image: { reference: 'public.ecr.aws/nginx/nginx:1.27' } });
    const config = renderWorkloadConfig({ spec, resourceGroup: rg, containerAppsEnvironmentId: CAE_ID }, 'id');
    expect(config).not.toHaveProperty('registry');
    expect(config).not.toHaveProperty('secret');
  });

  test('every problem of the shared props is reported, each with its path', () => {
    const issues = new IssueCollector();
    checkContainerWorkloadProps(
      {
        spec: workload({
          name: 'Worker_1',
          cpu: 0.5,
          memoryGiB: 3,
          image: { reference: 'worker' },
          environment: { TOKEN: 'x' },
          secrets: { TOKEN: '-token' },
        }),
        environment: 'Dev',
        resourceGroup: rg,
        containerAppsEnvironmentId: 'cae-team',
      },
      issues,
    );
    expect(issues.issues.map((i) => i.path)).toEqual([
      'environment',
      'spec.name',
      'spec.image',
      'spec.secrets.TOKEN',
      'keyVault',
      'containerAppsEnvironmentId',
    ]);
  });
});

describe('RetainStatefulResources', () => {
  test('applied twice to a stack, it is on the stack once', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    RetainStatefulResources.applyTo(stack);
    RetainStatefulResources.applyTo(stack);
    expect(Aspects.of(stack).all.filter((a) => a instanceof RetainStatefulResources)).toHaveLength(1);
  });
});
