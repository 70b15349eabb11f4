import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { Testing, type TerraformStack } from 'cdktf';
import { buildTeamApp as buildAwsTeamApp } from './aws-app';
import { buildTeamApp as buildAzureTeamApp } from './azure-app';
import { AZURE_RULES } from '../../lib/azure';

const root = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The code block that follows `<!-- example: FILE -->` in the README. */
function readmeBlock(file: string): string | undefined {
  const marker = `<!-- example: ${file} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) return undefined;
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at + marker.length));
  return match?.[1];
}

describe('README examples', () => {
  test.each(['test/examples/aws-app.ts', 'test/examples/azure-app.ts', 'stacks/environments/dev.ts'])(
    '%s is shown in the README exactly as it compiles',
    (file) => {
      expect(readmeBlock(file)).toBe(fs.readFileSync(path.join(root, file), 'utf8'));
    },
  );

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

describe('README Guardrails section', () => {
  const section = readme.slice(readme.indexOf('## Guardrails'), readme.indexOf('## Development'));

  test('names every rule of the Azure pack', () => {
    const missing = AZURE_RULES.map((r) => r.id).filter((id) => !new RegExp(`\\b${id}\\b`).test(section));
    expect(missing).toEqual([]);
  });
});
