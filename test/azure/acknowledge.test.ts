import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { acknowledgeChange, acknowledgeRemoval } from '../../lib/azure';

interface TfJson {
  readonly '//'?: Record<string, unknown>;
  readonly resource: Record<string, Record<string, { '//'?: Record<string, unknown> }>>;
}

function stackWithGroup(): { stack: TerraformStack; group: resourceGroup.ResourceGroup } {
  const stack = new TerraformStack(Testing.app(), 'platform-test');
  const group = new resourceGroup.ResourceGroup(stack, 'group', { name: 'rg-test', location: 'westeurope' });
  return { stack, group };
}

/** The stack's Terraform JSON as `cdktf synth` writes it, comment blocks included (Testing.synth drops them). */
function synth(stack: TerraformStack): TfJson {
  return JSON.parse(JSON.stringify(stack.toTerraform())) as TfJson;
}

describe('acknowledgeChange and acknowledgeRemoval (Azure)', () => {
  test("records each risk and reason in the resource's comment block, in call order", () => {
    const { stack, group } = stackWithGroup();
    acknowledgeChange(group, 'data-loss', 'The group is empty: everything moved to rg-next');
    acknowledgeChange(group, 'security', 'The partner team gets Reader on purpose');
    expect(synth(stack).resource.azurerm_resource_group?.group?.['//']?.['platform:review']).toEqual([
      { risk: 'data-loss', reason: 'The group is empty: everything moved to rg-next' },
      { risk: 'security', reason: 'The partner team gets Reader on purpose' },
    ]);
  });

  test("a removed resource is acknowledged by address in the stack's comment block", () => {
    const { stack } = stackWithGroup();
    acknowledgeRemoval(stack, 'azurerm_storage_account.old', 'data-loss', 'Its blobs were copied to the new account');
    expect(synth(stack)['//']?.['platform:review']).toEqual([
      {
        resource: 'azurerm_storage_account.old',
        risk: 'data-loss',
        reason: 'Its blobs were copied to the new account',
      },
    ]);
  });

  test('a construct with no single resource, an unknown risk and a short reason are all reported at once', () => {
    const app = new App();
    const stack = new TerraformStack(app, 'platform-test');
    const group = new Construct(stack, 'servers');
    expect(() => acknowledgeChange(group, 'outage' as 'security', 'ok')).toThrow(
      [
        'Change acknowledgement on platform-test/servers: names no single resource; pass a TerraformResource or a construct whose node.defaultChild is one (for a resource the change removes, use acknowledgeRemoval on its stack)',
        'Change acknowledgement on platform-test/servers: risk "outage" - use one of data-loss, security',
        'Change acknowledgement on platform-test/servers: reason "ok" - at least 10 characters saying why the change is safe or intended',
      ].join('\n'),
    );
  });

  test('a removal names a Terraform address', () => {
    const { stack } = stackWithGroup();
    expect(() => acknowledgeRemoval(stack, 'servers/web', 'data-loss', 'The VM was rebuilt elsewhere')).toThrow(
      'Removal acknowledgement of "servers/web" in platform-test: not a Terraform address; use <type>.<name> as the review names it',
    );
  });
});
