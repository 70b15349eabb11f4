import * as path from 'node:path';
import { compareInventory, type SynthesizedStack } from '../../lib/review';
import { loadEnvironments } from '../../stacks/environments';
import { compareWithGolden, readGolden, synthesizeStacks } from '../../stacks/golden';

const root = path.resolve(__dirname, '..', '..');
const environments = loadEnvironments();
let stacks: SynthesizedStack[];

beforeAll(async () => {
  stacks = await synthesizeStacks(environments);
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
  test('every environment on both clouds matches its golden list', () => {
    expect(compareWithGolden(root, environments, stacks)).toEqual([]);
  });

  test('the golden lists hold the keys, log groups and resource groups of every environment', () => {
    for (const env of environments) {
      expect(Object.values(readGolden(root, env.name, 'aws')[`platform-${env.name}-foundation`] ?? {}).sort()).toEqual([
        'AWS::KMS::Key',
        'AWS::KMS::Key',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
      ]);
      expect(readGolden(root, env.name, 'azure')[`platform-${env.name}`]).toEqual({
        'azurerm_log_analytics_workspace.monitoring_logs_workspace_EA950EC7': 'azurerm_log_analytics_workspace',
        'azurerm_resource_group.resource-group': 'azurerm_resource_group',
      });
    }
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
