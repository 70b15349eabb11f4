import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { Testing, type TerraformStack } from 'cdktf';
import { buildTeamApp as buildAwsTeamApp } from './aws-app';
import { buildTeamApp as buildAzureTeamApp } from './azure-app';
import { buildServerApp as buildAwsServerApp } from './aws-server-app';
import { buildServerApp as buildAzureServerApp } from './azure-server-app';
import { buildContainerApp } from './aws-container-app';
import { buildAcknowledgedApp as buildAwsAcknowledgedApp } from './aws-acknowledge-change';
import { buildAcknowledgedApp as buildAzureAcknowledgedApp } from './azure-acknowledge-change';
import { AZURE_RULES } from '../../lib/azure';
import { PolicyChecks } from '../../lib/aws';
import { buildWildcardGrantApp } from './aws-wildcard-grant';
import { definePaymentsProd } from './checks-spec';
import { buildTeamPipelineApp } from './aws-team-pipeline';
import { defineClusterProd } from './kubernetes-spec';
import { buildKubernetesTeamApp as buildAwsKubernetesTeamApp } from './aws-kubernetes-team';
import { buildKubernetesTeamApp as buildAzureKubernetesTeamApp } from './azure-kubernetes-team';
import * as iam from 'aws-cdk-lib/aws-iam';

const root = path.resolve(__dirname, '../..');

/** The pages that show examples: README.md and docs/*.md (docs/api is generated from the TSDoc). */
const pages = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const pageText = new Map(pages.map((page) => [page, fs.readFileSync(path.join(root, page), 'utf8')]));

const EXAMPLE_MARKER = /^<!-- example: (\S+) -->$/gm;

/** Every `<!-- example: FILE -->` marker of every page: the page, the file it names and the code block after it. */
const shown = [...pageText].flatMap(([page, text]) =>
  [...text.matchAll(EXAMPLE_MARKER)].map((match) => {
    const block = /^\n\n```ts\n([\s\S]*?)^```$/m.exec(text.slice(match.index + match[0].length));
    return { page, file: match[1]!, block: block?.index === 0 ? block[1] : undefined };
  }),
);

describe('examples shown in README.md and docs/*.md', () => {
  test.each(shown.map((s) => [s.file, s.page] as const))('%s is shown in %s exactly as it compiles', (file, page) => {
    const entry = shown.find((s) => s.file === file && s.page === page);
    expect(entry?.block).toBe(fs.readFileSync(path.join(root, file), 'utf8'));
  });

  test('each example file is shown on the page of its capability, and only there', () => {
    const expected = [
      'docs/application-teams.md: examples/aws/bin/app.ts',
      'docs/application-teams.md: examples/aws/lib/payments-stack.ts',
      'docs/application-teams.md: examples/aws/lib/payments.ts',
      'docs/application-teams.md: examples/azure/lib/payments-stack.ts',
      'docs/checks.md: test/examples/checks-spec.ts',
      'docs/containers.md: test/examples/aws-container-app.ts',
      'docs/delivery.md: stacks/environments/delivery.ts',
      'docs/delivery.md: test/examples/aws-team-pipeline.ts',
      'docs/environments.md: stacks/environments/dev.ts',
      'docs/guardrails.md: test/examples/aws-wildcard-grant.ts',
      'docs/kubernetes.md: test/examples/aws-kubernetes-team.ts',
      'docs/kubernetes.md: test/examples/azure-kubernetes-team.ts',
      'docs/kubernetes.md: test/examples/kubernetes-spec.ts',
      'docs/network.md: test/examples/aws-app.ts',
      'docs/network.md: test/examples/azure-app.ts',
      'docs/review.md: test/examples/aws-acknowledge-change.ts',
      'docs/review.md: test/examples/azure-acknowledge-change.ts',
      'docs/servers.md: test/examples/aws-server-app.ts',
      'docs/servers.md: test/examples/azure-server-app.ts',
    ];
    const actual = shown.map((s) => `${s.page}: ${s.file}`);
    expect(expected.filter((entry) => !actual.includes(entry))).toEqual([]);
    expect(shown.map((s) => s.file).filter((file, i, all) => all.indexOf(file) !== i)).toEqual([]);
  });
});

describe('the Network examples', () => {
  test('both examples pass their guardrails: synthesis runs the packs and succeeds', () => {
    const aws = buildAwsTeamApp();
    expect(() => aws.synth()).not.toThrow();
    const azure = buildAzureTeamApp();
    expect(() => azure.synth()).not.toThrow();
  });

  test('the AWS example synthesizes a network in the team account', () => {
    const app = buildAwsTeamApp();
    const stack = app.node.findChild('payments-network') as Stack;
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual(['PrivateSubnetIds']);
    expect(stack.account).toBe('444444444444');
  });

  test('the Azure example synthesizes a network with tags', () => {
    const app = buildAzureTeamApp();
    const tf = JSON.parse(Testing.synth(app.node.findChild('payments-network') as TerraformStack)) as {
      resource: Record<string, Record<string, { tags?: Record<string, string> }>>;
    };
    const vnets = Object.values(tf.resource.azurerm_virtual_network ?? {});
    expect(vnets.map((v) => v.tags?.owner)).toEqual(['team-payments']);
  });
});

describe('the server examples', () => {
  test('the AWS server example passes the production guardrails and runs two instances in two zones', () => {
    const app = buildAwsServerApp();
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(app.node.findChild('payments-servers') as Stack);
    const instances = Object.values(template.findResources('AWS::EC2::Instance'));
    expect(instances).toHaveLength(2);
    expect(new Set(instances.map((i) => JSON.stringify((i.Properties as { SubnetId: unknown }).SubnetId))).size).toBe(
      2,
    );
    expect(instances.map((i) => i.DeletionPolicy)).toEqual(['Retain', 'Retain']);
    template.resourceCountIs('AWS::SSM::MaintenanceWindow', 1);
    template.hasResourceProperties('AWS::SSM::Association', { Name: 'AWS-ApplyAnsiblePlaybooks' });
  });

  test('the Azure server example passes its guardrails and runs one VM with its agent', () => {
    const app = buildAzureServerApp();
    expect(() => app.synth()).not.toThrow();
    const tf = JSON.parse(Testing.synth(app.node.findChild('payments-servers') as TerraformStack)) as {
      resource: Record<string, Record<string, { name?: string; zone?: string }>>;
    };
    expect(Object.values(tf.resource.azurerm_linux_virtual_machine ?? {}).map((vm) => vm.name)).toEqual([
      'vm-platform-team-dev-api-1',
    ]);
    expect(Object.keys(tf.resource.azurerm_virtual_machine_extension ?? {})).toHaveLength(1);
    expect(Object.keys(tf.resource.azurerm_maintenance_assignment_virtual_machine ?? {})).toHaveLength(1);
  });
});

describe('the checks example', () => {
  test('every service is checked unless switched off, tuned where the spec says, then the endpoints', () => {
    const { checks } = definePaymentsProd();
    expect(checks.checks.map((c) => [c.name, c.target, c.internal, c.intervalMinutes, c.latencyBudgetMs])).toEqual([
      ['checkout', { service: 'checkout', path: '/' }, false, 1, 2000],
      ['ledger', { service: 'ledger', path: '/ready' }, true, 1, 500],
      ['ledger-export', { service: 'ledger', path: '/v1/exports/latest' }, true, 15, 2000],
      ['partner-api', { url: 'https://partner.example.com/v2/ping' }, false, 1, 2000],
    ]);
    expect(checks.optedOut).toEqual([
      { service: 'export', reason: 'checked end to end by the ledger-export endpoint check below' },
    ]);
    expect(checks.checks[2]?.body).toEqual({ jsonPath: 'state', equals: 'complete' });
    expect(checks.checks[3]?.secretHeaders).toEqual({ 'X-Api-Key': 'partner-api-key' });
  });
});

describe('the container example', () => {
  test('an application team runs services and a job in its own app, through the guardrails', () => {
    const app = buildContainerApp();
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(app.node.findChild('payments-containers') as Stack);
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 2 ? * MON-FRI *)' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    // The Dockerfile directory is an asset: built and pushed at deployment, so synthesis needed no docker.
    const images = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map((t) =>
      JSON.stringify((t.Properties as { ContainerDefinitions: { Image: unknown }[] }).ContainerDefinitions[0]?.Image),
    );
    expect(images.filter((i) => i.includes('container-assets'))).toHaveLength(1);
  });
});

describe('the Guardrails page', () => {
  const section = pageText.get('docs/guardrails.md') ?? '';

  test('names every rule of the Azure pack', () => {
    const missing = AZURE_RULES.map((r) => r.id).filter((id) => !new RegExp(`\\b${id}\\b`).test(section));
    expect(missing).toEqual([]);
  });
});

describe('the review acknowledgement examples', () => {
  test('AWS: the acknowledgements reach the template, on the resource and on the stack', () => {
    const template = Template.fromStack(buildAwsAcknowledgedApp().node.findChild('payments-logs') as Stack).toJSON();
    const group = Object.values(template.Resources as Record<string, { Type: string; Metadata?: object }>).find(
      (r) => r.Type === 'AWS::Logs::LogGroup',
    );
    expect((group?.Metadata as Record<string, unknown>)['platform:review']).toEqual([
      { risk: 'data-loss', reason: 'The events of /payments/audit were exported to the archive bucket first' },
    ]);
    expect((template.Metadata as Record<string, unknown>)['platform:review']).toEqual([
      { resource: 'ReportsB9F0E3B1', risk: 'data-loss', reason: 'Reports are written to the data lake since March' },
    ]);
  });

  test('Azure: the acknowledgements reach cdk.tf.json, on the resource and on the stack', () => {
    const stack = buildAzureAcknowledgedApp().node.findChild('payments-reports') as TerraformStack;
    const tf = JSON.parse(JSON.stringify(stack.toTerraform())) as {
      '//': Record<string, unknown>;
      resource: Record<string, Record<string, { '//': Record<string, unknown> }>>;
    };
    expect(tf.resource.azurerm_storage_account?.reports?.['//']['platform:review']).toEqual([
      { risk: 'data-loss', reason: 'azcopy moved every blob to the new account before this applies' },
    ]);
    expect(tf['//']['platform:review']).toEqual([
      {
        resource: 'azurerm_storage_account.archive',
        risk: 'data-loss',
        reason: 'The archive is kept in the data lake now',
      },
    ]);
  });
});

describe('the wildcard grant example', () => {
  test('the accepted pairs reach the template, and AwsSolutions plus Platform pass', () => {
    const app = buildWildcardGrantApp();
    const stack = app.node.findChild('payments-agent') as Stack;
    PolicyChecks.applyTo(stack, { tier: 'development' });
    expect(() => app.synth()).not.toThrow();
    const policy = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy') as Record<string, { Metadata?: object }>,
    )[0];
    expect(Object.keys(policy?.Metadata ?? {})).toContain('platform:wildcard-grants');
  });
});

describe("the application team's pipeline example", () => {
  interface Action {
    readonly Name: string;
    readonly RunOrder: number;
    readonly ActionTypeId: { readonly Provider: string };
    readonly RoleArn?: unknown;
  }
  const app = buildTeamPipelineApp();
  // The guardrails of every stage and of the pipeline's stack run here.
  app.synth();
  const template = Template.fromStack(app.node.findChild('payments-delivery') as Stack);
  const stages = (
    Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0]!.Properties as {
      Stages: { Name: string; Actions: Action[] }[];
    }
  ).Stages;

  test('deploys the team stack to dev, then prod, after the source, the build and the self-update', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'payments-dev', 'payments-prod']);
  });

  test('prod waits for the review, the permissions-broadening check and an approval, in that order', () => {
    const prod = stages.find((s) => s.Name === 'payments-prod')!;
    const order = (name: string): number => prod.Actions.find((a) => a.Name === name)!.RunOrder;
    expect(order('Review')).toBeLessThan(order('Broadening.Check'));
    expect(order('Broadening.Check')).toBeLessThan(order('Approve'));
    expect(order('Approve')).toBeLessThan(order('service.Prepare'));
    const dev = stages.find((s) => s.Name === 'payments-dev')!;
    expect(dev.Actions.map((a) => a.ActionTypeId.Provider).filter((p) => p === 'Manual')).toEqual([]);
  });

  test("each environment deploys through the bootstrap role of the platform's account", () => {
    const prepare = stages.find((s) => s.Name === 'payments-prod')!.Actions.find((a) => a.Name === 'service.Prepare')!;
    expect(JSON.stringify(prepare.RoleArn)).toContain(':role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1');
  });
});

describe('the Kubernetes examples', () => {
  test('the spec: the alarms as tuned, the defaults as tuned, one switched off with its reason, then its own rules', () => {
    const { kubernetes, prometheus } = defineClusterProd();
    expect(
      kubernetes?.pools.map((p) => [p.name, p.size, p.minCount, p.maxCount, p.zones, p.system, p.diskGiB]),
    ).toEqual([
      ['system', 'medium', 3, 6, 3, true, 64],
      ['apps', 'large', 3, 12, 3, false, 128],
    ]);
    expect(kubernetes?.publicApiCidrs).toEqual([]);
    expect(prometheus?.rules.map((r) => [r.kind, r.name, r.kind === 'alert' ? r.for : undefined])).toEqual([
      ['alert', 'KubeNodeNotReady', '15m'],
      ['alert', 'KubePodCrashLooping', '10m'],
      ['alert', 'TargetDown', '15m'],
      ['record', 'namespace:http_requests:rate5m', undefined],
      ['alert', 'LedgerErrorRatioHigh', '10m'],
    ]);
    expect(prometheus?.rules[1]?.expr).toMatch(/\[1h\]\) >= 3$/);
    expect(prometheus?.disabledDefaults).toEqual({
      'pv-filling-up': 'no persistent volumes: the ledger keeps its data in databases',
    });
  });

  test("AWS: the team's pod identity association on platform-prod, its role trusting EKS Pod Identity only", () => {
    const app = buildAwsKubernetesTeamApp();
    // The platform's guardrails (cdk-nag, NIST 800-53, Platform) run here and pass.
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(app.node.findChild('payments-ledger-identity') as Stack);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'platform-prod',
      Namespace: 'payments',
      ServiceAccount: 'ledger',
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0]!.Properties as {
      AssumeRolePolicyDocument: { Statement: unknown[] };
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
      },
    ]);
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]!.Properties as {
      PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
    };
    expect(policy.PolicyDocument.Statement.map((s) => s.Action)).toEqual([
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    ]);
    expect(JSON.stringify(policy.PolicyDocument.Statement[0]?.Resource)).toContain(
      ':sqs:eu-west-1:333333333333:payments-ledger-events',
    );
  });

  test('AWS: the guardrails bite in the team app: a wildcard grant fails synthesis', () => {
    const app = buildAwsKubernetesTeamApp();
    const stack = app.node.findChild('payments-ledger-identity') as Stack;
    new iam.ManagedPolicy(stack, 'Everything', {
      statements: [new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['*'] })],
    });
    expect(() => app.synth()).toThrow(/Platform-WildcardGrant|AwsSolutions-IAM5/);
  });

  test("Azure: the team's identity federated with the platform cluster's OIDC issuer, for one service account", () => {
    const stack = buildAzureKubernetesTeamApp().node.findChild('payments-ledger-identity') as TerraformStack;
    // Validations on: the production Azure rule pack runs and passes.
    const tf = JSON.parse(Testing.synth(stack, true)) as {
      data: Record<string, Record<string, Record<string, unknown>>>;
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.values(tf.data.azurerm_kubernetes_cluster ?? {})).toEqual([
      { name: 'aks-platform-prod-weu', resource_group_name: 'rg-platform-prod-weu' },
    ]);
    expect(Object.values(tf.resource.azurerm_federated_identity_credential ?? {})).toEqual([
      {
        name: 'aks-payments-ledger',
        resource_group_name: 'rg-platform-prod-weu',
        parent_id: '${azurerm_user_assigned_identity.ledger.id}',
        audience: ['api://AzureADTokenExchange'],
        issuer: '${data.azurerm_kubernetes_cluster.cluster.oidc_issuer_url}',
        subject: 'system:serviceaccount:payments:ledger',
      },
    ]);
    expect(
      Object.values(tf.resource.azurerm_role_assignment ?? {}).map((r) => [r.role_definition_name, r.scope]),
    ).toEqual([
      [
        'Azure Service Bus Data Receiver',
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-payments/providers/Microsoft.ServiceBus/namespaces/sb-payments-prod/queues/ledger-events',
      ],
    ]);
  });
});
