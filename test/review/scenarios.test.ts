import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnResource } from 'aws-cdk-lib';
import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import { acknowledgeChange as acknowledgeAwsChange } from '../../lib/aws';
import { acknowledgeChange as acknowledgeAzureChange } from '../../lib/azure';
import { defineEnvironments, type EnvironmentInput } from '../../lib/core';
import {
  exitCodeOf,
  readCdkOut,
  readCdktfOut,
  renderMarkdown,
  resourceGraph,
  reviewChanges,
  unacknowledgedRisks,
  type EnvironmentReview,
  type ResourceChange,
  type Review,
  type ReviewInputSide,
} from '../../lib/review';
import { dev } from '../../stacks/environments/dev';
import { synthesize, type Cloud } from '../../bin/cli/synth';

// Real changes made to the example environments, synthesized on both clouds and reviewed: the verdicts a
// reviewer relies on. The base is the dev environment as it is; each head changes one thing.

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-scenarios-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

let count = 0;
async function synthSide(
  label: string,
  inputs: readonly EnvironmentInput[],
  customize?: (app: IConstruct, cloud: Cloud) => void,
): Promise<ReviewInputSide> {
  const dir = path.join(temp, `${count++}`);
  const cdkOut = path.join(dir, 'cdk.out');
  const cdktfOut = path.join(dir, 'cdktf.out');
  await synthesize({
    environments: defineEnvironments(inputs),
    clouds: ['aws', 'azure'],
    validation: false,
    cdkOut,
    cdktfOut,
    ...(customize && { customize }),
  });
  return { label, stacks: [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)] };
}

let base: ReviewInputSide;
beforeAll(async () => {
  base = await synthSide('main', [dev]);
});

function envOf(review: Review, environment: string, cloud: Cloud): EnvironmentReview {
  const found = review.environments.find((e) => e.environment === environment && e.cloud === cloud);
  if (!found) throw new Error(`no review of ${environment} on ${cloud}`);
  return found;
}

/** The changes of one type, as `action id` lines with their data-loss flag, for exact comparison. */
function summary(changes: readonly ResourceChange[], type: string): string[] {
  return changes
    .filter((c) => c.type === type)
    .map((c) => `${c.action} ${c.path ?? c.id}${c.dataLoss ? ' (data loss)' : ''}`);
}

const renamed: EnvironmentInput = {
  ...dev,
  servers: dev.servers!.map((s) => (s.name === 'web' ? { ...s, name: 'www' } : s)),
};

const pinned: EnvironmentInput = {
  ...dev,
  servers: dev.servers!.map((s) =>
    s.name === 'web'
      ? { ...s, image: { awsImageId: 'ami-0123456789abcdef0', azureImageVersion: '24.04.202501010' } }
      : s,
  ),
};

describe('renaming a server', () => {
  let review: Review;
  beforeAll(async () => {
    review = reviewChanges(base, await synthSide('rename', [renamed]));
  });

  test('AWS: the old instance is destroyed with its disk (data loss) and a new one is created', () => {
    const aws = envOf(review, 'dev', 'aws');
    expect(summary(aws.changes, 'AWS::EC2::Instance')).toEqual([
      'destroy platform-dev/compute/Servers/web/Instance1/Resource (data loss)',
      'create platform-dev/compute/Servers/www/Instance1/Resource',
    ]);
    const lost = aws.changes.find((c) => c.type === 'AWS::EC2::Instance' && c.action === 'destroy')!;
    expect(lost.consequence).toMatch(
      /^Deletes the EC2 instance .* of dev and its root volume \(everything written to its disk since it started\)\.$/,
    );
    expect(unacknowledgedRisks(lost)).toEqual(['data-loss']);
  });

  test('Azure: the old VM is destroyed (data loss) and a new one is created', () => {
    const azure = envOf(review, 'dev', 'azure');
    expect(summary(azure.changes, 'azurerm_linux_virtual_machine')).toEqual([
      'destroy platform-dev/servers/web/VirtualMachine-1 (data loss)',
      'create platform-dev/servers/www/VirtualMachine-1',
    ]);
    expect(
      azure.changes.find((c) => c.action === 'destroy' && c.type === 'azurerm_linux_virtual_machine')?.consequence,
    ).toBe(
      'Deletes the Linux VM vm-platform-dev-web-1 of dev and what is on its OS disk; the provider features keep the old OS disk, detached; the new VM starts from a new disk.',
    );
  });

  test('the gate fails: exit 2', () => {
    expect(exitCodeOf(review)).toBe(2);
  });
});

describe('pinning a new server image', () => {
  let review: Review;
  beforeAll(async () => {
    review = reviewChanges(base, await synthSide('pin', [pinned]));
  });

  test('AWS: the instance is replaced because ImageId forces it, and its disk is lost', () => {
    const instance = envOf(review, 'dev', 'aws').changes.find((c) => c.type === 'AWS::EC2::Instance')!;
    expect([instance.action, instance.dataLoss, instance.path]).toEqual([
      'replace',
      true,
      'platform-dev/compute/Servers/web/Instance1/Resource',
    ]);
    expect(instance.properties.find((p) => p.path === 'ImageId')).toEqual(
      expect.objectContaining({ replacement: 'always', after: 'ami-0123456789abcdef0' }),
    );
  });

  test('Azure: the VM is replaced because source_image_reference.version is ForceNew', () => {
    const vm = envOf(review, 'dev', 'azure').changes.find((c) => c.type === 'azurerm_linux_virtual_machine')!;
    expect([vm.action, vm.dataLoss]).toEqual(['replace', true]);
    expect(vm.properties).toEqual([
      { path: 'source_image_reference.version', replacement: 'always', before: 'latest', after: '24.04.202501010' },
    ]);
  });

  test('the gate fails: exit 2', () => {
    expect(exitCodeOf(review)).toBe(2);
  });
});

describe('making an internal service public', () => {
  let review: Review;
  beforeAll(async () => {
    const head: EnvironmentInput = {
      ...dev,
      services: dev.services!.map((s) => (s.name === 'api' ? { ...s, public: true } : s)),
    };
    review = reviewChanges(base, await synthSide('public', [head]));
  });

  test('AWS: the load balancer becomes internet-facing and opens to anywhere: broadened access', () => {
    const aws = envOf(review, 'dev', 'aws');
    const broadened = aws.changes.flatMap((c) =>
      c.security.filter((s) => s.broadened).map((s) => `${c.type}: ${s.kind}`),
    );
    expect(broadened).toEqual(
      expect.arrayContaining([
        'AWS::ElasticLoadBalancingV2::LoadBalancer: public-endpoint',
        'AWS::EC2::SecurityGroup: network-ingress',
      ]),
    );
    expect(aws.changes.some((c) => c.dataLoss)).toBe(false);
  });

  test('Azure: the container app ingress becomes external: broadened access', () => {
    const app = envOf(review, 'dev', 'azure').changes.find((c) => c.type === 'azurerm_container_app')!;
    expect([app.action, app.path]).toEqual(['update', 'platform-dev/services/api/Resource']);
    expect(app.security.map((s) => [s.kind, s.broadened])).toEqual([['public-endpoint', true]]);
    expect(unacknowledgedRisks(app)).toEqual(['security']);
  });

  test('the gate fails: exit 2', () => {
    expect(exitCodeOf(review)).toBe(2);
  });
});

describe('tightening an alarm threshold', () => {
  let review: Review;
  beforeAll(async () => {
    const head: EnvironmentInput = {
      ...dev,
      monitoring: { ...dev.monitoring, alarms: { 'server/web/cpu': { threshold: 80 } } },
    };
    review = reviewChanges(base, await synthSide('threshold', [head]));
  });

  const description = (percent: number): string =>
    `[warning] A server's CPU was above ${percent}% for 15 minutes. First response: Find the busy process (top, over a Session Manager or SSH session) before resizing the server.`;

  test('AWS: only the CPU alarm is updated: its threshold from 90 to 80, and the description that states it', () => {
    const changes = envOf(review, 'dev', 'aws').changes;
    expect(
      changes.map((c) => [c.action, c.type, c.properties.map((p) => [p.path, p.before, p.after, p.replacement])]),
    ).toEqual([
      [
        'update',
        'AWS::CloudWatch::Alarm',
        [
          ['AlarmDescription', description(90), description(80), 'never'],
          ['Threshold', 90, 80, 'never'],
        ],
      ],
    ]);
  });

  test('Azure: only the CPU metric alert is updated', () => {
    const changes = envOf(review, 'dev', 'azure').changes;
    expect(changes.map((c) => [c.action, c.type])).toEqual([['update', 'azurerm_monitor_metric_alert']]);
    expect(changes[0]!.properties.map((p) => [p.path, p.before, p.after, p.replacement])).toEqual([
      ['criteria.threshold', 90, 80, 'never'],
      ['description', description(90), description(80), 'never'],
    ]);
  });

  test('no risk: exit 0', () => {
    expect(exitCodeOf(review)).toBe(0);
  });
});

describe('an acknowledged replacement', () => {
  const reason = 'The web servers keep no data: they are rebuilt from their configuration';
  let review: Review;
  beforeAll(async () => {
    // What a platform team writes in its stacks: the acknowledgement next to the resource it names.
    const acknowledgeWebServers = (app: IConstruct, cloud: Cloud): void => {
      for (const node of app.node.findAll()) {
        if (!/\/servers\/web\//i.test(node.node.path)) continue;
        if (cloud === 'aws' && CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::EC2::Instance') {
          acknowledgeAwsChange(node, 'data-loss', reason);
        }
        if (
          cloud === 'azure' &&
          TerraformResource.isTerraformResource(node) &&
          node.terraformResourceType === 'azurerm_linux_virtual_machine'
        ) {
          acknowledgeAzureChange(node, 'data-loss', reason);
        }
      }
    };
    review = reviewChanges(base, await synthSide('pin-acknowledged', [pinned], acknowledgeWebServers));
  });

  test('the replacement is still data loss, but acknowledged, on both clouds', () => {
    for (const cloud of ['aws', 'azure'] as const) {
      const replaced = envOf(review, 'dev', cloud).changes.filter((c) => c.action === 'replace' && c.dataLoss);
      expect(replaced.map((c) => [c.acknowledged, c.acknowledgements])).toEqual([
        [true, [{ risk: 'data-loss', reason, on: 'resource' }]],
      ]);
    }
  });

  test('exit 0, and the comment shows the acknowledgement', () => {
    expect(exitCodeOf(review)).toBe(0);
    const [comment] = renderMarkdown(review, { repository: 'example-org/platform' });
    expect(comment).toContain(`✅ Acknowledged (data-loss): “${reason}”`);
    expect(comment).toContain('✅ **No unacknowledged risk**');
  });
});

describe('the example comment in docs/review.md', () => {
  const pageFile = path.resolve(__dirname, '../../docs/review.md');
  const start = '<!-- review-example:start -->\n\n';
  const end = '\n<!-- review-example:end -->';

  test('is what the review writes for a real change (UPDATE_DOCS=1 rewrites it)', async () => {
    const reason = 'The web servers keep no data: they are rebuilt from their configuration';
    const head: EnvironmentInput = {
      ...pinned,
      services: dev.services!.map((s) => (s.name === 'api' ? { ...s, public: true } : s)),
    };
    const side = await synthSide('feature/public-api', [head], (app, cloud) => {
      for (const node of app.node.findAll()) {
        if (!/\/servers\/web\//i.test(node.node.path)) continue;
        if (cloud === 'aws' && CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::EC2::Instance') {
          acknowledgeAwsChange(node, 'data-loss', reason);
        }
        if (
          cloud === 'azure' &&
          TerraformResource.isTerraformResource(node) &&
          node.terraformResourceType === 'azurerm_linux_virtual_machine'
        ) {
          acknowledgeAzureChange(node, 'data-loss', reason);
        }
      }
    });
    const review = reviewChanges(base, side);
    expect(exitCodeOf(review)).toBe(2);
    // As npm run review writes the comment: each environment's changes drawn from both sides' graphs.
    const graphs = new Map(
      review.environments.map((e) => [
        `${e.environment}/${e.cloud}`,
        {
          head: resourceGraph(side.stacks, e.environment, e.cloud),
          base: resourceGraph(base.stacks, e.environment, e.cloud),
        },
      ]),
    );
    const comment = renderMarkdown(review, { repository: 'example-org/platform', graphs });
    expect(comment).toHaveLength(1);
    expect(comment[0]!.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(2);
    const page = fs.readFileSync(pageFile, 'utf8');
    const from = page.indexOf(start) + start.length;
    const to = page.indexOf(end);
    expect([from > start.length, to >= from]).toEqual([true, true]);
    if (process.env.UPDATE_DOCS === '1') {
      fs.writeFileSync(pageFile, `${page.slice(0, from)}${comment[0]}${page.slice(to)}`);
    } else {
      expect(page.slice(from, to)).toBe(comment[0]);
    }
  });
});

describe('adding an environment, and removing it again', () => {
  let review: Review;
  let withQa: ReviewInputSide;
  beforeAll(async () => {
    const qa: EnvironmentInput = {
      ...dev,
      name: 'qa',
      aws: { account: '444444444444', region: 'eu-west-1' },
      network: { cidr: '10.40.0.0/16' },
    };
    withQa = await synthSide('add-qa', [dev, qa]);
    review = reviewChanges(base, withQa);
  });

  test('the new environment only creates, on both clouds, and the others do not change', () => {
    expect(review.environments.map((e) => [e.environment, e.cloud, e.status])).toEqual([
      ['dev', 'aws', 'unchanged'],
      ['dev', 'azure', 'unchanged'],
      ['qa', 'aws', 'added'],
      ['qa', 'azure', 'added'],
    ]);
    for (const cloud of ['aws', 'azure'] as const) {
      const qa = envOf(review, 'qa', cloud);
      expect(qa.changes.length).toBeGreaterThan(50);
      expect([...new Set(qa.changes.map((c) => c.action))]).toEqual(['create']);
      expect(qa.changes.filter((c) => c.dataLoss || c.security.some((s) => s.broadened))).toEqual([]);
    }
  });

  test('no risk: exit 0', () => {
    expect(exitCodeOf(review)).toBe(0);
  });

  test('removed: listed with what deleting its stacks would lose, but deploying deletes nothing, so no gate', () => {
    const removal = reviewChanges(withQa, base);
    const qa = removal.environments.filter((e) => e.environment === 'qa');
    expect(qa.map((e) => [e.cloud, e.status])).toEqual([
      ['aws', 'removed'],
      ['azure', 'removed'],
    ]);
    for (const env of qa) {
      expect([...new Set(env.changes.map((c) => c.action))].sort()).toEqual(['destroy']);
      expect(env.changes.filter((c) => c.dataLoss)).toEqual([]);
      const vault = env.changes.find(
        (c) => c.type === (env.cloud === 'aws' ? 'AWS::Backup::BackupVault' : 'azurerm_recovery_services_vault'),
      )!;
      expect(vault.consequence).toMatch(
        /^When the stack is deleted: deletes the (backup vault|Recovery Services vault) .* of qa and every recovery point in it\.$/,
      );
      expect(vault.notes.some((n) => n.includes('is no longer in the app'))).toBe(true);
    }
    expect(exitCodeOf(removal)).toBe(0);
  });
});
