import { TerraformStack, Testing } from 'cdktf';
import {
  addWorkloadIdentity,
  Backup,
  ContainerAppsEnvironment,
  ContainerService,
  KeyVault,
  LogAnalysis,
  Monitoring,
  Network,
  Patching,
  ScheduledJob,
  Server,
  type BackupProps,
  type ContainerAppsEnvironmentProps,
  type ContainerServiceProps,
  type LogAnalysisProps,
  type MonitoringAttributes,
  type MonitoringProps,
  type NetworkProps,
  type PatchingProps,
  type ScheduledJobProps,
  type ServerProps,
  type WorkloadIdentityProps,
} from '../../lib/azure';
import { SpecError } from '../../lib/core';
import { errorOf } from '../util/fixtures';

const stack = (): TerraformStack => new TerraformStack(Testing.app(), 'team');

/** Props given by hand (plain JavaScript, an `as` cast): what checkProps is for. */
const loose = <T>(props: object): T => props as unknown as T;

describe('a missing or wrong prop names the construct, its path and the prop', () => {
  test('ContainerService without a spec, with the resource group as a string', () => {
    const error = errorOf(
      () =>
        new ContainerService(
          stack(),
          'service-api',
          loose<ContainerServiceProps>({ environment: 'dev', resourceGroup: 'rg', containerAppsEnvironmentId: 'x' }),
        ),
    );
    expect(SpecError.isSpecError(error)).toBe(true);
    expect(error.message).toMatch(/^Invalid ContainerService props \(team\/service-api\) \(2 problems\):/);
    expect(error.message).toContain(
      'props.spec: (missing) - required: the resolved workload: defineEnvironment(...).services[i]',
    );
    expect(error.message).toContain('props.resourceGroup: "rg" - a resource group: { name, location }');
  });

  test('ScheduledJob whose spec lacks its image', () => {
    const error = errorOf(
      () =>
        new ScheduledJob(
          stack(),
          'job-report',
          loose<ScheduledJobProps>({
            spec: { name: 'report', environment: {}, secrets: {} },
            environment: 'dev',
            resourceGroup: { name: 'rg', location: 'westeurope' },
            containerAppsEnvironmentId: 'x',
          }),
        ),
    );
    expect(error.message).toMatch(/^Invalid ScheduledJob props \(team\/job-report\)/);
    expect(error.message).toContain('props.spec.image: (missing) - required: the image');
  });

  test('Network, Monitoring, Patching and Backup without their spec section', () => {
    const rg = { name: 'rg', location: 'westeurope' };
    const cases: [string, () => unknown, string][] = [
      [
        'Network',
        () => new Network(stack(), 'network', loose<NetworkProps>({ name: 'dev', resourceGroup: rg })),
        'network',
      ],
      [
        'Monitoring',
        () => new Monitoring(stack(), 'monitoring', loose<MonitoringProps>({ name: 'dev', resourceGroup: rg })),
        'monitoring',
      ],
      [
        'Patching',
        () => new Patching(stack(), 'patching', loose<PatchingProps>({ environment: 'dev', resourceGroup: rg })),
        'patching',
      ],
      [
        'Backup',
        () => new Backup(stack(), 'backup', loose<BackupProps>({ environment: 'dev', resourceGroup: rg })),
        'backup',
      ],
    ];
    for (const [name, build, section] of cases) {
      expect(errorOf(build).message).toBe(
        `Invalid ${name} props (team/${name.toLowerCase()}) (1 problem):\n  - props.spec: (missing) - required: the resolved spec section: defineEnvironment(...).${section}`,
      );
    }
  });

  test('Server, ContainerAppsEnvironment and LogAnalysis report every problem at once', () => {
    expect(errorOf(() => new Server(stack(), 'server', loose<ServerProps>({}))).message).toMatch(
      /^Invalid Server props \(team\/server\) \(6 problems\):/,
    );
    const cae = errorOf(
      () =>
        new ContainerAppsEnvironment(
          stack(),
          'apps',
          loose<ContainerAppsEnvironmentProps>({ name: 'dev', resourceGroup: { name: 'rg' }, zoneRedundant: 'yes' }),
        ),
    ).message;
    expect(cae).toMatch(/^Invalid ContainerAppsEnvironment props \(team\/apps\) \(4 problems\):/);
    expect(cae).toContain("props.resourceGroup.location: (missing) - required: the resource group's location");
    expect(cae).toContain('props.zoneRedundant: "yes" - true to spread the environment over zones');
    expect(errorOf(() => new LogAnalysis(stack(), 'logs', loose<LogAnalysisProps>({ name: 'dev' }))).message).toMatch(
      /^Invalid LogAnalysis props \(team\/logs\) \(3 problems\):/,
    );
  });

  test('Monitoring.fromMonitoringAttributes, addWorkloadIdentity and KeyVault.fromKeyVaultId', () => {
    expect(
      errorOf(() =>
        Monitoring.fromMonitoringAttributes(
          stack(),
          'imported',
          loose<MonitoringAttributes>({ environment: 'prod', workspaceId: 'x', actionGroupIds: { critical: 'a' } }),
        ),
      ).message,
    ).toContain('props.actionGroupIds.warning: (missing) - required: the resource ID of the warning action group');
    expect(
      errorOf(() => addWorkloadIdentity(stack(), loose<WorkloadIdentityProps>({ name: 'id-x', secrets: {} }))).message,
    ).toMatch(/^Invalid WorkloadIdentity props \(team\) \(2 problems\):/);
    expect(errorOf(() => KeyVault.fromKeyVaultId(loose<string>({}))).message).toContain(
      'keyVaultId: {} - a Key Vault resource ID',
    );
  });

  test('nothing is added to the tree when the props are refused', () => {
    const s = stack();
    errorOf(() => new Network(s, 'network', loose<NetworkProps>({})));
    expect(s.node.tryFindChild('network')).toBeUndefined();
  });
});
