import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acknowledge, acknowledgeWildcardGrant, PlatformChecks } from '../../../lib/aws';

interface Found {
  readonly ruleName: string;
  readonly severity?: string;
  readonly description: string;
  readonly paths: string[];
}

function findingsIn(scope: Stack): Found[] {
  return new PlatformChecks(undefined, { tier: 'development' }).validateScope(scope).violations.map((v) => ({
    ruleName: v.ruleName,
    severity: v.severity,
    description: v.description,
    paths: v.violatingResources.map((r) => r.constructPath ?? ''),
  }));
}

function findings(build: (stack: Stack) => void): Found[] {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  build(stack);
  return findingsIn(stack);
}

/** A managed policy granting Session Manager's channel actions on `*`, and reading one bucket's objects. */
function agentPolicy(stack: Stack, extra: iam.PolicyStatement[] = []): iam.ManagedPolicy {
  return new iam.ManagedPolicy(stack, 'Policy', {
    statements: [
      new iam.PolicyStatement({
        actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:OpenControlChannel'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }),
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:111111111111:jobs'] }),
      ...extra,
    ],
  });
}

function acceptAgent(policy: iam.ManagedPolicy): void {
  acknowledgeWildcardGrant(policy, {
    actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:OpenControlChannel'],
    resources: ['*'],
    reason: 'Session Manager channel actions have no resource-level permissions',
  });
  acknowledgeWildcardGrant(policy, {
    actions: ['s3:GetObject'],
    resources: ['arn:aws:s3:::reports/*'],
    reason: 'Every object of the reports bucket is a report the agent may read',
  });
}

describe('Platform-WildcardGrant', () => {
  test('Compliance: every (action, wildcard resource) pair is accepted by name; exact grants need nothing', () => {
    expect(findings((s) => acceptAgent(agentPolicy(s)))).toEqual([]);
  });

  test('Compliance: a policy without wildcards needs no acceptance', () => {
    expect(
      findings(
        (s) =>
          new iam.ManagedPolicy(s, 'Policy', {
            statements: [
              new iam.PolicyStatement({
                actions: ['sqs:SendMessage'],
                resources: ['arn:aws:sqs:eu-west-1:111111111111:jobs'],
              }),
            ],
          }),
      ),
    ).toEqual([]);
  });

  test('Noncompliance: a new action on an accepted wildcard resource is a finding naming the action, the resource and the policy', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s);
      acceptAgent(policy);
      policy.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    });
    expect(found).toEqual([
      {
        ruleName: 'Platform-WildcardGrant[Action::secretsmanager:GetSecretValue,Resource::*]',
        severity: 'error',
        description:
          'Test/Policy/Resource grants secretsmanager:GetSecretValue on *, a wildcard permission nobody accepted: grant it on a narrower resource, or accept exactly this action on this resource with acknowledgeWildcardGrant(policy, { actions, resources, reason }) saying why nothing narrower will do',
        paths: ['Test/Policy/Resource'],
      },
    ]);
  });

  test('Noncompliance: an action added to an accepted statement is a finding; the accepted ones are not', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s, [
        new iam.PolicyStatement({ actions: ['ssmmessages:OpenDataChannel'], resources: ['*'] }),
      ]);
      acceptAgent(policy);
    });
    expect(found.map((f) => f.ruleName)).toEqual([
      'Platform-WildcardGrant[Action::ssmmessages:OpenDataChannel,Resource::*]',
    ]);
  });

  test('Noncompliance: an accepted action on a wildcard resource it was not accepted on', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s, [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::payroll/*'] }),
      ]);
      acceptAgent(policy);
    });
    expect(found.map((f) => f.ruleName)).toEqual([
      'Platform-WildcardGrant[Action::s3:GetObject,Resource::arn:aws:s3:::payroll/*]',
    ]);
  });

  test('Noncompliance: an unaccepted wildcard in an inline role policy, a default policy and a wildcard action', () => {
    const found = findings((s) => {
      const role = new iam.Role(s, 'Role', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        inlinePolicies: {
          Logs: new iam.PolicyDocument({
            statements: [new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] })],
          }),
        },
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::reports/summary.csv'] }),
      );
    });
    expect(found.map((f) => [f.ruleName, f.paths])).toEqual([
      ['Platform-WildcardGrant[Action::logs:DescribeLogGroups,Resource::*]', ['Test/Role/Resource']],
      [
        'Platform-WildcardGrant[Action::s3:Get*,Resource::arn:aws:s3:::reports/summary.csv]',
        ['Test/Role/DefaultPolicy/Resource'],
      ],
    ]);
  });

  test('Noncompliance: a statement allowing everything but some actions (NotAction) is a wildcard too', () => {
    const found = findings(
      (s) =>
        new iam.ManagedPolicy(s, 'Policy', {
          statements: [
            new iam.PolicyStatement({
              notActions: ['iam:*'],
              resources: ['arn:aws:s3:::reports'],
            }),
          ],
        }),
    );
    expect(found.map((f) => f.ruleName)).toEqual([
      'Platform-WildcardGrant[NotAction::iam:*,Resource::arn:aws:s3:::reports]',
    ]);
  });

  test('Deny statements narrow access: they are not judged', () => {
    expect(
      findings(
        (s) =>
          new iam.ManagedPolicy(s, 'Policy', {
            statements: [
              new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:*'], resources: ['*'] }),
              new iam.PolicyStatement({
                actions: ['sqs:SendMessage'],
                resources: ['arn:aws:sqs:eu-west-1:111111111111:jobs'],
              }),
            ],
          }),
      ),
    ).toEqual([]);
  });

  test('action names match without regard to case, as IAM matches them', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s, [
        new iam.PolicyStatement({ actions: ['SSMMessages:createcontrolchannel'], resources: ['*'] }),
      ]);
      acceptAgent(policy);
    });
    expect(found).toEqual([]);
  });

  test('an acceptance on one policy accepts nothing on another', () => {
    const found = findings((s) => {
      acceptAgent(agentPolicy(s));
      new iam.ManagedPolicy(s, 'Other', {
        statements: [new iam.PolicyStatement({ actions: ['ssmmessages:CreateControlChannel'], resources: ['*'] })],
      });
    });
    expect(found.map((f) => [f.ruleName, f.paths])).toEqual([
      ['Platform-WildcardGrant[Action::ssmmessages:CreateControlChannel,Resource::*]', ['Test/Other/Resource']],
    ]);
  });

  test('an acknowledgement of the exact finding clears it, like any granular cdk-nag finding', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s);
      acceptAgent(policy);
      policy.addStatements(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }));
      acknowledge(
        policy,
        'Platform-WildcardGrant[Action::kms:Decrypt,Resource::*]',
        'The key policy holds decryption to this role',
      );
    });
    expect(found).toEqual([]);
  });

  test('the acceptance travels in the template: the rule re-run on the template alone (npm run check) agrees', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const policy = agentPolicy(stack);
    acceptAgent(policy);
    policy.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    const template = app.synth().getStackByName('Test').template as unknown;
    const dir = mkdtempSync(join(tmpdir(), 'wildcard-'));
    try {
      const file = join(dir, 'Test.template.json');
      writeFileSync(file, JSON.stringify(template));
      const check = new Stack(new App(), 'Check');
      new CfnInclude(check, 'Template', { templateFile: file });
      expect(findingsIn(check).map((f) => f.ruleName)).toEqual([
        'Platform-WildcardGrant[Action::secretsmanager:GetSecretValue,Resource::*]',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Platform-WildcardGrantUnused', () => {
  test('Compliance: every accepted pair is granted', () => {
    expect(findings((s) => acceptAgent(agentPolicy(s)))).toEqual([]);
  });

  test('Noncompliance: an accepted pair the policy does not grant is a warning, so it cannot accept a later grant', () => {
    const found = findings((s) => {
      const policy = agentPolicy(s);
      acceptAgent(policy);
      acknowledgeWildcardGrant(policy, {
        actions: ['ec2:DescribeTags'],
        resources: ['*'],
        reason: 'EC2 Describe actions have no resource-level permissions',
      });
    });
    expect(found.map((f) => [f.ruleName, f.severity, f.paths])).toEqual([
      ['Platform-WildcardGrantUnused[Action::ec2:DescribeTags,Resource::*]', 'warning', ['Test/Policy/Resource']],
    ]);
    expect(found[0]!.description).toBe(
      'Test/Policy/Resource accepts ec2:DescribeTags on * with acknowledgeWildcardGrant, but grants no such permission: remove the acceptance, so that it cannot accept a grant added later',
    );
  });
});
