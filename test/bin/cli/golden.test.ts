import * as path from 'node:path';
import { compareInventory, readCdkOut, readCdktfOut, type SynthesizedStack } from '../../../lib/review';
import { defineEnvironment } from '../../../lib/core';
import { loadDelivery, loadEnvironments } from '../../../stacks/environments';
import { prod } from '../../../stacks/environments/prod';
import { UsageError } from '../../../bin/cli/command';
import { compareWithGolden, parseGoldenArgs, readGolden, synthesizeStacks } from '../../../bin/cli/golden';
import { errorOf } from '../../util/fixtures';
import { awsStacks, firstOfTier, workloadStackNumbers } from '../../util/expected-stacks';
import { sharedSynthesis } from '../../util/shared-synthesis';

const root = path.resolve(__dirname, '..', '..', '..');
const environments = loadEnvironments();
let stacks: SynthesizedStack[];

beforeAll(async () => {
  // What synthesizeStacks(environments) returns, read from the run's one synthesis of every environment.
  const shared = await sharedSynthesis('plain');
  stacks = [...readCdkOut(shared.cdkOut), ...readCdktfOut(shared.cdktfOut)];
});

/** The stacks with one resource's logical ID (AWS) or name (Azure) changed, as a refactoring would. */
function withMoved(cloud: 'aws' | 'azure', from: string, to: string): SynthesizedStack[] {
  return stacks.map((s) => {
    if (s.cloud !== cloud || s.environment !== 'prod') return s;
    const json = structuredClone(s.json) as Record<string, Record<string, Record<string, unknown>>>;
    if (cloud === 'aws') {
      const resources = json.Resources!;
      if (!(from in resources)) return s;
      resources[to] = resources[from]!;
      delete resources[from];
    } else {
      const [type, name] = from.split('.') as [string, string];
      const byName = json.resource![type] as Record<string, unknown> | undefined;
      if (!byName || !(name in byName)) return s;
      byName[to.split('.')[1]!] = byName[name];
      delete byName[name];
    }
    return { ...s, json };
  });
}

describe('stateful resources keep their logical IDs and addresses (test/golden)', () => {
  test('every environment on both clouds, and the delivery pipeline, matches its golden list', () => {
    expect(compareWithGolden(root, environments, stacks, loadDelivery())).toEqual([]);
  });

  test("the delivery's golden list holds the pipeline's key, artifact and access-log buckets, logs and replicas", () => {
    const golden = readGolden(root, 'delivery', 'aws');
    expect(Object.keys(golden).sort()).toEqual(
      stacks
        .filter((s) => s.environment === 'delivery')
        .map((s) => s.stack)
        .sort(),
    );
    const types = Object.values(golden).flatMap((list) => Object.values(list));
    expect([...new Set(types)].sort()).toEqual(['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket']);
    // A moved artifact bucket would be a new, empty bucket: the comparison says so.
    const moved = stacks.map((s) => {
      if (s.stack !== 'platform-delivery') return s;
      const json = structuredClone(s.json) as { Resources: Record<string, unknown> };
      const id = Object.keys(golden['platform-delivery']!).find((k) => k.startsWith('DeliveryArtifactBucket'))!;
      json.Resources[`${id}Moved`] = json.Resources[id];
      delete json.Resources[id];
      return { ...s, json };
    });
    expect(compareWithGolden(root, environments, moved, loadDelivery()).join('\n')).toContain('DeliveryArtifactBucket');
  });

  test('the golden lists hold the keys, log groups, access-log bucket, backup vaults, resource groups, instances and VMs of every environment', () => {
    /** The entries of one stack's golden list: those of `type` by ID without its hash, the others as they are. */
    const split = (list: Record<string, string>, type: string): [string[], Record<string, string>] => [
      Object.keys(list)
        .filter((id) => list[id] === type)
        .map((id) => id.replace(/_?[0-9A-F]{8}$/, ''))
        .sort(),
      Object.fromEntries(Object.entries(list).filter(([, t]) => t !== type)),
    ];
    /** A stack's golden list by ID without its hash. */
    const unhashed = (list: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(list).map(([id, type]) => [id.replace(/[0-9A-F]{8}$/, ''), type]));
    expect(environments.length).toBeGreaterThan(0);
    for (const env of environments) {
      // Every instance of every server definition, at its resolved count, numbered from 1.
      const numbered = (id: (server: string, i: number) => string): string[] =>
        env.servers.flatMap((s) => Array.from({ length: s.count }, (_, i) => id(s.name, i + 1))).sort();
      /** A construct id as CloudFormation's logical IDs carry it: letters and digits only. */
      const logical = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '');

      const aws = readGolden(root, env.name, 'aws');
      // The production tiers have the backup-copy stack in the second region; development has none.
      const production = env.tier === 'production';
      expect(Object.keys(aws).sort()).toEqual(awsStacks(env));
      // The keys and log groups of monitoring and the network, the load balancers' access-log bucket, the
      // backup vault with its key, and the audit trail's key, bucket, access-log bucket and log group.
      expect(unhashed(aws[`platform-${env.name}-foundation`]!)).toEqual({
        ...(env.audit.enabled && {
          AuditTrailAccessLogs: 'AWS::S3::Bucket',
          AuditTrailBucket: 'AWS::S3::Bucket',
          AuditTrailKey: 'AWS::KMS::Key',
          AuditTrailLogGroup: 'AWS::Logs::LogGroup',
        }),
        // The run artifacts of the URL checks (service checks keep theirs in their workload stack).
        ...(env.checks.checks.some((c) => 'url' in c.target) && { ApiCheckArtifacts: 'AWS::S3::Bucket' }),
        BackupKey: 'AWS::KMS::Key',
        BackupVault: 'AWS::Backup::BackupVault',
        ContainersAccessLogs: 'AWS::S3::Bucket',
        CustomVpcRestrictDefaultSGCustomResourceProviderLogGroup: 'AWS::Logs::LogGroup',
        MonitoringKey: 'AWS::KMS::Key',
        MonitoringLogsApplicationLogGroup: 'AWS::Logs::LogGroup',
        NetworkFlowLogGroup: 'AWS::Logs::LogGroup',
        NetworkFlowLogKey: 'AWS::KMS::Key',
      });
      // The copy vault with its key, in the second region.
      if (production) {
        expect(unhashed(aws[`platform-${env.name}-backup-copy`]!)).toEqual({
          BackupKey: 'AWS::KMS::Key',
          BackupVault: 'AWS::Backup::BackupVault',
        });
      }
      if (env.servers.length > 0) {
        const [instances, computeRest] = split(aws[`platform-${env.name}-compute`]!, 'AWS::EC2::Instance');
        expect(instances).toEqual(numbered((server, i) => `Servers${logical(server)}Instance${i}`));
        // The image pin's log group (the example servers pin their image at creation).
        expect(computeRest).toEqual({ ImagePinLogGroup8E50DA06: 'AWS::Logs::LogGroup' });
      }
      // A service's log group; a job's container log group and its state machine's execution log group; each in
      // the workload stack its name hashes to.
      for (const n of workloadStackNumbers(env)) {
        const expected: Record<string, string> = {};
        for (const service of env.services.filter((w) => w.stack === n)) {
          expected[`Services${logical(service.name)}Logs`] = 'AWS::Logs::LogGroup';
          // A production-tier public service's web ACL logs the requests it blocks and lets through.
          if (production && service.public) {
            expected[`Services${logical(service.name)}WebAclLogs`] = 'AWS::Logs::LogGroup';
          }
        }
        // The run artifacts of the checks of the stack's services, one bucket per stack.
        const checked = new Set(env.checks.checks.flatMap((c) => ('service' in c.target ? [c.target.service] : [])));
        if (env.services.some((s) => s.stack === n && checked.has(s.name))) {
          expected.ApiCheckArtifacts = 'AWS::S3::Bucket';
        }
        for (const job of env.jobs.filter((w) => w.stack === n)) {
          expected[`Jobs${logical(job.name)}ExecutionLogGroup`] = 'AWS::Logs::LogGroup';
          expected[`Jobs${logical(job.name)}LogGroup`] = 'AWS::Logs::LogGroup';
        }
        expect(unhashed(aws[`platform-${env.name}-workloads-${n}`]!)).toEqual(expected);
      }
      // The cluster with its key and control-plane logs; the Prometheus workspace with its key and logs.
      if (env.kubernetes) {
        expect(unhashed(aws[`platform-${env.name}-kubernetes`]!)).toEqual({
          Cluster: 'AWS::EKS::Cluster',
          ClusterControlPlaneLogs: 'AWS::Logs::LogGroup',
          ClusterKey: 'AWS::KMS::Key',
          ...(env.prometheus && {
            Prometheus: 'AWS::APS::Workspace',
            PrometheusKey: 'AWS::KMS::Key',
            PrometheusLogs: 'AWS::Logs::LogGroup',
          }),
        });
      }

      const vm = 'azurerm_linux_virtual_machine';
      const [vms, azureRest] = split(readGolden(root, env.name, 'azure')[`platform-${env.name}`]!, vm);
      expect(vms).toEqual(numbered((server, i) => `${vm}.servers_${server}_VirtualMachine-${i}`));
      expect(azureRest).toEqual({
        // The Application Insights component the checks report to.
        ...(env.checks.checks.length > 0 && {
          'azurerm_application_insights.api-checks_06E2CE24': 'azurerm_application_insights',
        }),
        'azurerm_log_analytics_workspace.monitoring_logs_workspace_EA950EC7': 'azurerm_log_analytics_workspace',
        'azurerm_recovery_services_vault.backup_Vault_0E98FECE': 'azurerm_recovery_services_vault',
        'azurerm_resource_group.resource-group': 'azurerm_resource_group',
        // The cluster and the Prometheus workspace.
        ...(env.kubernetes && { 'azurerm_kubernetes_cluster.kubernetes_F1EBCA1C': 'azurerm_kubernetes_cluster' }),
        ...(env.prometheus && { 'azurerm_monitor_workspace.prometheus_030AD6A1': 'azurerm_monitor_workspace' }),
      });
    }
  });

  test('the golden list of the development example, written out: what the derived expectations above amount to', () => {
    const dev = firstOfTier('development');
    const unhashedKeys = (list: Record<string, string>): string[] =>
      Object.keys(list).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
    const aws = readGolden(root, dev.name, 'aws');
    expect(Object.keys(aws)).toEqual([
      `platform-${dev.name}-compute`,
      `platform-${dev.name}-foundation`,
      `platform-${dev.name}-workloads-2`,
      `platform-${dev.name}-workloads-7`,
    ]);
    expect(unhashedKeys(aws[`platform-${dev.name}-compute`]!)).toEqual([
      'ImagePinLogGroup',
      'ServersopsInstance1',
      'ServerswebInstance1',
    ]);
    expect(unhashedKeys(aws[`platform-${dev.name}-workloads-2`]!)).toEqual([
      'ApiCheckArtifacts',
      'JobsnightlycleanupExecutionLogGroup',
      'JobsnightlycleanupLogGroup',
      'ServicesapiLogs',
    ]);
    expect(unhashedKeys(aws[`platform-${dev.name}-workloads-7`]!)).toEqual(['ApiCheckArtifacts', 'ServiceswebLogs']);
  });

  test('moving a stateful resource on AWS fails with the reason: CloudFormation replaces it and its data is lost', () => {
    const problems = compareWithGolden(
      root,
      environments,
      withMoved('aws', 'NetworkFlowLogKeyF785E5F9', 'NetworkKeyAB12CD34'),
    );
    expect(problems).toEqual([
      'platform-prod-foundation: stateful AWS::KMS::Key NetworkFlowLogKeyF785E5F9 is gone or its logical ID changed. A new logical ID makes CloudFormation create a new resource and delete the old one with its data (or orphan it, if retained). If the move is not intended, restore the construct id (or pin the ID with overrideLogicalId). If the data is safe (migrated or disposable), run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
      'platform-prod-foundation: new stateful AWS::KMS::Key NetworkKeyAB12CD34 is not in the golden list: run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
    ]);
  });

  test('pinning a service to another workload stack is reported: its log group leaves the stack it was recorded in', async () => {
    // The api service hashes to workloads-2; pinned to workloads-5, its log group moves with it.
    const pinned = defineEnvironment({
      ...prod,
      services: prod.services!.map((s) => (s.name === 'api' ? { ...s, stack: 5 } : s)),
    });
    const problems = compareWithGolden(
      root,
      environments.map((e) => (e.name === 'prod' ? pinned : e)),
      [...stacks.filter((s) => s.environment !== 'prod'), ...(await synthesizeStacks([pinned]))],
    );
    // The api service's check moves with it, and with the check the stack's bucket of run artifacts.
    expect(problems).toEqual([
      'platform-prod-workloads-2: stateful AWS::S3::Bucket ApiCheckArtifactsE8B045F3 is gone or its logical ID changed. A new logical ID makes CloudFormation create a new resource and delete the old one with its data (or orphan it, if retained). If the move is not intended, restore the construct id (or pin the ID with overrideLogicalId). If the data is safe (migrated or disposable), run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
      'platform-prod-workloads-2: stateful AWS::Logs::LogGroup ServicesapiLogs266223AD is gone or its logical ID changed. A new logical ID makes CloudFormation create a new resource and delete the old one with its data (or orphan it, if retained). If the move is not intended, restore the construct id (or pin the ID with overrideLogicalId). If the data is safe (migrated or disposable), run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
      'platform-prod-workloads-5: new stateful AWS::S3::Bucket ApiCheckArtifactsE8B045F3 is not in the golden list: run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
      'platform-prod-workloads-5: new stateful AWS::Logs::LogGroup ServicesapiLogs266223AD is not in the golden list: run `npm run golden` to record it in test/golden/prod.aws.json, so the change shows in the pull request.',
    ]);
  });

  test('moving a stateful resource on Azure fails with the reason: Terraform destroys and re-creates it', () => {
    const problems = compareWithGolden(
      root,
      environments,
      withMoved('azure', 'azurerm_resource_group.resource-group', 'azurerm_resource_group.rg'),
    );
    expect(problems[0]).toBe(
      'platform-prod: stateful azurerm_resource_group azurerm_resource_group.resource-group is gone or its address changed. A new address makes Terraform destroy the old resource with its data and create an empty one. If the move is not intended, restore the construct id; if it is, add a `moved` block (or run terraform state mv) so the resource is kept. If the data is safe (migrated or disposable), run `npm run golden` to record it in test/golden/prod.azure.json, so the change shows in the pull request.',
    );
    expect(problems).toHaveLength(2);
  });

  test('a resource that changes type under the same ID is reported', () => {
    expect(
      compareInventory({ s: { Data: 'AWS::S3::Bucket' } }, { s: { Data: 'AWS::DynamoDB::Table' } }, 'aws', 'g.json'),
    ).toEqual([
      's: Data changed type from AWS::S3::Bucket to AWS::DynamoDB::Table: the old resource and its data are deleted. If intended, run `npm run golden` to record it in g.json, so the change shows in the pull request.',
    ]);
  });
});

describe('parseGoldenArgs', () => {
  test('takes no options: every argument is refused with the usage, before anything is written', () => {
    expect(() => parseGoldenArgs([])).not.toThrow();
    const error = errorOf(() => parseGoldenArgs(['--env', 'dev']));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      '"--env" is not an option; "dev" is not an option\n  npm run golden   (no options: records every environment on both clouds in test/golden/)',
    );
  });
});
