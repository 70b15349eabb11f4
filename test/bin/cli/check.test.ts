import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOutputs, failingRows, formatCheckTable, parseCheckArgs, StaleOutputError } from '../../../bin/cli/check';
import { SOURCES_FILE } from '../../../bin/cli/sources';
import { sharedSynthesis } from '../../util/shared-synthesis';

const root = path.resolve(__dirname, '..', '..', '..');
/** The folder holding cdk.out/ and cdktf.out/ of every example environment: the run's shared output, read-only. */
let dir: string;

beforeAll(async () => {
  dir = (await sharedSynthesis('plain')).folder;
});

/** A copy of the synthesized output with one file edited, as a hand edit or a broken construct would. */
/** The parts of a template these tests edit. */
interface EditableTemplate {
  Resources: Record<string, { DeletionPolicy?: string; Metadata?: { cdk_nag?: unknown } }>;
  Metadata?: { PlatformConstructs: { Acknowledged?: Record<string, string> } };
}

/** The parts of a cloud assembly manifest these tests edit. */
interface EditableManifest {
  artifacts: Record<
    string,
    { properties?: { stackName?: string; templateFile?: string; terminationProtection?: boolean } }
  >;
}

/** The parts of a cdk.tf.json these tests edit. */
interface EditableTerraform {
  resource: Record<string, Record<string, { lifecycle?: unknown }>>;
}

function editedCopy<T>(relative: (out: string) => string, edit: (json: T) => void): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'check-edit-'));
  fs.cpSync(dir, copy, { recursive: true });
  const file = relative(copy);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json, null, 1));
  return copy;
}

/** The template of a stack of the prod stage, found by its stack name in the stage's manifest. */
function prodStackTemplate(out: string, stackName: string): string {
  const assembly = path.join(out, 'cdk.out', 'assembly-platform-prod');
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8')) as EditableManifest;
  const artifact = Object.values(manifest.artifacts).find((a) => a.properties?.stackName === stackName);
  if (!artifact?.properties?.templateFile) throw new Error(`${stackName} is not in ${assembly}`);
  return path.join(assembly, artifact.properties.templateFile);
}

/** The production foundation's template (the prod stage also has platform-prod-compute and workload stacks). */
function prodTemplate(out: string): string {
  return prodStackTemplate(out, 'platform-prod-foundation');
}

async function checkCopy(copy: string): Promise<ReturnType<typeof failingRows>> {
  try {
    const rows = await checkOutputs({
      clouds: ['aws', 'azure'],
      cdkOut: path.join(copy, 'cdk.out'),
      cdktfOut: path.join(copy, 'cdktf.out'),
      root,
      cfnLint: false,
    });
    return failingRows(rows);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

describe('npm run check', () => {
  test('the synthesized environments have zero unacknowledged errors on both clouds', async () => {
    const rows = await checkOutputs({
      clouds: ['aws', 'azure'],
      cdkOut: path.join(dir, 'cdk.out'),
      cdktfOut: path.join(dir, 'cdktf.out'),
      root,
      cfnLint: false,
    });
    expect(failingRows(rows)).toEqual([]);
    // The acknowledgements made in the code are read back from the templates, with their reasons.
    expect(rows).toContainEqual(
      expect.objectContaining({
        stack: 'platform-prod-foundation',
        rule: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        acknowledgedBy: expect.stringContaining('Public subnets exist to route to the internet gateway'),
      }),
    );
  });

  test('finds a production key that is no longer retained, edited in the template', async () => {
    const copy = editedCopy<EditableTemplate>(prodTemplate, (t) => {
      t.Resources.NetworkFlowLogKeyF785E5F9!.DeletionPolicy = 'Delete';
    });
    expect((await checkCopy(copy)).map((r) => [r.stack, r.rule, r.resource.split(' ')[0]])).toEqual([
      ['platform-prod-foundation', 'Platform-StatefulRetained', 'NetworkFlowLogKeyF785E5F9'],
    ]);
  });

  test('finds a production service log group that is no longer retained, edited in its workload stack', async () => {
    const copy = editedCopy<EditableTemplate>(
      (out) => prodStackTemplate(out, 'platform-prod-workloads-2'),
      (t) => {
        t.Resources.ServicesapiLogs266223AD!.DeletionPolicy = 'Delete';
      },
    );
    expect((await checkCopy(copy)).map((r) => [r.stack, r.rule, r.resource.split(' ')[0]])).toEqual([
      ['platform-prod-workloads-2', 'Platform-StatefulRetained', 'ServicesapiLogs266223AD'],
    ]);
  });

  test('an acknowledgement removed from the template makes its finding fail again', async () => {
    const copy = editedCopy<EditableTemplate>(prodTemplate, (t) => {
      for (const r of Object.values(t.Resources)) delete r.Metadata?.cdk_nag;
    });
    const rules = [...new Set((await checkCopy(copy)).map((r) => r.rule))].sort();
    expect(rules).toEqual(
      expect.arrayContaining(['NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW']),
    );
  });

  test('finds a production resource group without prevent_destroy in cdktf.out', async () => {
    const copy = editedCopy<EditableTerraform>(
      (out) => path.join(out, 'cdktf.out', 'stacks', 'platform-prod', 'cdk.tf.json'),
      (tf) => delete tf.resource.azurerm_resource_group!['resource-group']!.lifecycle,
    );
    expect((await checkCopy(copy)).map((r) => [r.stack, r.rule, r.resource])).toEqual([
      ['platform-prod', 'PC_AZURE_PREVENT_DESTROY', 'azurerm_resource_group.resource-group'],
    ]);
  });

  test('a stack rule acknowledged on the stack is read back from the template', async () => {
    const copy = editedCopy<EditableManifest>(
      (out) => path.join(out, 'cdk.out', 'assembly-platform-prod', 'manifest.json'),
      (manifest) => {
        // Only the foundation loses its protection: platform-prod-compute and the workload stacks keep it, so they
        // have no finding.
        const foundation = Object.values(manifest.artifacts).find(
          (a) => a.properties?.stackName === 'platform-prod-foundation',
        )!;
        expect(foundation.properties!.terminationProtection).toBe(true);
        foundation.properties!.terminationProtection = false;
      },
    );
    const template = prodTemplate(copy);
    const json = JSON.parse(fs.readFileSync(template, 'utf8')) as EditableTemplate;
    json.Metadata!.PlatformConstructs.Acknowledged = {
      'Platform-TerminationProtection': 'Protected by an SCP that denies DeleteStack in this account',
    };
    fs.writeFileSync(template, JSON.stringify(json));
    const rows = await checkOutputs({
      clouds: ['aws'],
      cdkOut: path.join(copy, 'cdk.out'),
      root,
      cfnLint: false,
    }).finally(() => fs.rmSync(copy, { recursive: true, force: true }));
    expect(rows.filter((r) => r.rule === 'Platform-TerminationProtection')).toEqual([
      expect.objectContaining({
        stack: 'platform-prod-foundation',
        acknowledgedBy: 'Protected by an SCP that denies DeleteStack in this account',
      }),
    ]);
    expect(failingRows(rows)).toEqual([]);
  });

  test('finds a production workload stack without termination protection, edited in the manifest', async () => {
    const copy = editedCopy<EditableManifest>(
      (out) => path.join(out, 'cdk.out', 'assembly-platform-prod', 'manifest.json'),
      (manifest) => {
        const workloads = Object.values(manifest.artifacts).find(
          (a) => a.properties?.stackName === 'platform-prod-workloads-7',
        )!;
        expect(workloads.properties!.terminationProtection).toBe(true);
        workloads.properties!.terminationProtection = false;
      },
    );
    expect((await checkCopy(copy)).map((r) => [r.stack, r.rule, r.resource])).toEqual([
      ['platform-prod-workloads-7', 'Platform-TerminationProtection', 'platform-prod-workloads-7'],
    ]);
  });

  test('a template synthesized without the guardrails is an error, not a silent pass', async () => {
    const copy = editedCopy<EditableTemplate>(prodTemplate, (t) => delete t.Metadata);
    expect((await checkCopy(copy)).map((r) => r.rule)).toEqual(['Platform-PolicyRecorded']);
  });

  test('refuses output synthesized from other sources, naming the folder, what changed and npm run synth', async () => {
    // As after an edit whose synthesis failed: the output is the previous one, from the sources before the edit.
    const copy = editedCopy<{ files: Record<string, string> }>(
      (out) => path.join(out, 'cdktf.out', SOURCES_FILE),
      (record) => {
        record.files['bin/cli/synth.ts'] = '0'.repeat(40);
        record.files['lib/core/gone.ts'] = '0'.repeat(40);
        delete record.files['cdk.json'];
      },
    );
    const error = await checkOutputs({
      clouds: ['aws', 'azure'],
      cdkOut: path.join(copy, 'cdk.out'),
      cdktfOut: path.join(copy, 'cdktf.out'),
      root,
      cfnLint: false,
    })
      .then(() => new Error('expected a refusal'))
      .catch((e: unknown) => e as Error)
      .finally(() => fs.rmSync(copy, { recursive: true, force: true }));
    expect(error).toBeInstanceOf(StaleOutputError);
    expect(error.message).toBe(
      `${path.join(copy, 'cdktf.out')}/ does not match the sources: bin/cli/synth.ts, cdk.json (added), lib/core/gone.ts (removed) changed since it was synthesized.\nnpm run check judges synthesized output, not the sources: run npm run synth first.`,
    );
  });

  test('refuses output that records no sources, only for the clouds it checks', async () => {
    const copy = editedCopy<object>(
      (out) => path.join(out, 'cdk.out', SOURCES_FILE),
      () => undefined,
    );
    fs.rmSync(path.join(copy, 'cdk.out', SOURCES_FILE));
    const options = {
      cdkOut: path.join(copy, 'cdk.out'),
      cdktfOut: path.join(copy, 'cdktf.out'),
      root,
      cfnLint: false,
    };
    try {
      await expect(checkOutputs({ ...options, clouds: ['aws', 'azure'] })).rejects.toThrow(
        `${path.join(copy, 'cdk.out')}/ does not match the sources: it records no sources (${SOURCES_FILE} is missing or unreadable), so it was not written by this version of npm run synth.`,
      );
      expect(failingRows(await checkOutputs({ ...options, clouds: ['azure'] }))).toEqual([]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test('prints rule, severity, resource, message and acknowledged-by, with a summary', () => {
    const table = formatCheckTable([
      {
        cloud: 'azure',
        stack: 's',
        rule: 'CKV_AZURE_59',
        severity: 'error',
        resource: 'azurerm_storage_account.a',
        message: 'public',
      },
      {
        cloud: 'aws',
        stack: 's',
        rule: 'AwsSolutions-S1',
        severity: 'error',
        resource: 'Bucket',
        message: 'no logs',
        acknowledgedBy: 'the log bucket itself',
      },
    ]);
    expect(table.split('\n')[0]).toMatch(/^cloud\s+stack\s+rule\s+severity\s+resource\s+message\s+acknowledged-by$/);
    expect(table).toContain('the log bucket itself');
    expect(table.split('\n').pop()).toBe('2 findings: 1 unacknowledged errors, 1 acknowledged, 0 warnings');
  });

  test('bad arguments name the argument and the usage', () => {
    expect(() => parseCheckArgs(['--cloud', 'gcp'])).toThrow(/--cloud: "gcp" - one of aws, azure\n\s+npm run check/);
    expect(parseCheckArgs(['--env', 'dev,prod', '--cloud', 'azure', '--no-cfn-lint'])).toEqual({
      clouds: ['azure'],
      environments: ['dev', 'prod'],
      cfnLint: false,
    });
  });
});
