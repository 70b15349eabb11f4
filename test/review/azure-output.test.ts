import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineEnvironments, type EnvironmentInput } from '../../lib/core';
import { diffAzureEnvironment } from '../../lib/review/azure-diff';
import { readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { ENVIRONMENT_INPUTS } from '../../stacks/environments';
import { synthesize } from '../../bin/cli/synth';

// Two syntheses of dev for the whole file: as defined, and with the internal api service made public.
let dir: string;
let dev: SynthesizedStack[];
let publicApi: SynthesizedStack[];

async function synthAzure(input: EnvironmentInput, into: string): Promise<SynthesizedStack[]> {
  fs.mkdirSync(into);
  await synthesize({
    environments: defineEnvironments([input]),
    clouds: ['azure'],
    validation: false,
    cdkOut: path.join(into, 'cdk.out'),
    cdktfOut: path.join(into, 'cdktf.out'),
  });
  return readCdktfOut(path.join(into, 'cdktf.out'));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-review-azure-'));
  const input = ENVIRONMENT_INPUTS.find((e) => e.name === 'dev')!;
  dev = await synthAzure(input, path.join(dir, 'dev'));
  publicApi = await synthAzure(
    { ...input, services: (input.services ?? []).map((s) => (s.name === 'api' ? { ...s, public: true } : s)) },
    path.join(dir, 'public-api'),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the Azure review of synthesized output', () => {
  test('dev reviewed against itself has no change', () => {
    const diff = diffAzureEnvironment('dev', dev, dev, { newEnvironment: false });
    expect(diff.stacks).toEqual([{ stack: 'platform-dev', status: 'unchanged' }]);
    expect([diff.changes, diff.templateChanges, diff.blockers, diff.ignored]).toEqual([[], [], [], []]);
  });

  test('making the api service public is exactly a public-endpoint broadening of its container app, and its check moves from the probe to web tests', () => {
    const diff = diffAzureEnvironment('dev', dev, publicApi, { newEnvironment: false });
    const [check, rest] = [
      diff.changes.filter((c) => (c.path ?? '').startsWith('platform-dev/checks/api/')),
      diff.changes.filter((c) => !(c.path ?? '').startsWith('platform-dev/checks/api/')),
    ];
    // A public endpoint is checked from the Internet by Application Insights; the probe inside the network goes.
    expect(check.map((c) => [c.action, c.type, (c.path ?? '').replace('platform-dev/checks/api/', '')])).toEqual([
      ['create', 'azurerm_application_insights_standard_web_test', 'TlsWebTest'],
      ['create', 'azurerm_application_insights_standard_web_test', 'WebTest'],
      ['destroy', 'azurerm_container_app_job', 'Probe'],
      ['update', 'azurerm_monitor_metric_alert', 'check-api-success'],
      ['destroy', 'azurerm_role_assignment', 'MetricsPublisher'],
      ['destroy', 'azurerm_user_assigned_identity', 'Identity'],
    ]);
    // Nothing of the check holds data, and removing the probe's role narrows access.
    expect(check.filter((c) => c.dataLoss || c.security.some((x) => x.broadened))).toEqual([]);
    expect(rest).toEqual([
      {
        stack: 'platform-dev',
        id: 'azurerm_container_app.services_api_4C6F5FFC',
        type: 'azurerm_container_app',
        path: 'platform-dev/services/api/Resource',
        action: 'update',
        stateful: false,
        dataLoss: false,
        properties: [{ path: 'ingress.external_enabled', replacement: 'never', before: false, after: true }],
        security: [
          {
            kind: 'public-endpoint',
            broadened: true,
            description: 'ingress becomes external: reachable from the internet',
          },
        ],
        notes: [],
      },
    ]);
    expect([diff.templateChanges, diff.blockers, diff.ignored]).toEqual([[], [], []]);
  });

  test('a new environment creates every resource, broadens nothing and blocks nothing', () => {
    const diff = diffAzureEnvironment('dev', [], dev, { newEnvironment: true });
    const resources = Object.values(dev[0]!.json.resource as Record<string, object>).reduce(
      (sum, byName) => sum + Object.keys(byName).length,
      0,
    );
    expect(diff.stacks).toEqual([{ stack: 'platform-dev', status: 'added' }]);
    expect(diff.changes.filter((c) => c.action === 'create' && c.security.length === 0).length).toBe(resources);
    expect(diff.blockers).toEqual([]);
  });
});
