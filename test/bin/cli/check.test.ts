import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CHECK_USAGE,
  checkOutputs,
  checkReport,
  failingRows,
  formatCheckTable,
  parseCheckArgs,
  StaleOutputError,
} from '../../../bin/cli/check';
import { UsageError } from '../../../bin/cli/command';
import { SOURCES_FILE } from '../../../bin/cli/sources';
import { POLICY_METADATA_KEY } from '../../../lib/azure/policy';
import { sharedSynthesis } from '../../util/shared-synthesis';

const root = path.resolve(__dirname, '..', '..', '..');
/** The folder holding cdk.out/ and cdktf.out/ of every example environment: the run's shared output, read-only. */
let dir: string;

beforeAll(async () => {
  dir = (await sharedSynthesis('plain')).folder;
});

/** A golden file of the repository, as written by npm run golden. */
function readGoldenJson(name: string): Record<string, Record<string, string>> {
  return JSON.parse(fs.readFileSync(path.join(root, 'test', 'golden', name), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
}

/**
 * A small cdktf.out/ as a team's own `cdktf synth` writes it (no platform-sources.json): one stack per name, each
 * recording its tier and holding one resource group (stateful), with or without lifecycle.prevent_destroy.
 */
function teamCdktfOut(stacks: Record<string, { tier: 'development' | 'production'; preventDestroy: boolean }>): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'check-team-')), 'cdktf.out');
  const manifest: Record<string, { name: string; synthesizedStackPath: string }> = {};
  for (const [name, { tier, preventDestroy }] of Object.entries(stacks)) {
    const file = path.join('stacks', name, 'cdk.tf.json');
    manifest[name] = { name, synthesizedStackPath: file };
    fs.mkdirSync(path.join(out, 'stacks', name), { recursive: true });
    const terraform = {
      '//': { [POLICY_METADATA_KEY]: { tier } },
      resource: {
        azurerm_resource_group: {
          data: {
            name: `${name}-data`,
            location: 'canadacentral',
            ...(preventDestroy && { lifecycle: { prevent_destroy: true } }),
          },
        },
      },
    };
    fs.writeFileSync(path.join(out, file), JSON.stringify(terraform));
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: manifest }));
  return out;
}

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

  test('judges output that records no sources as it is, and says so in one line under the table', async () => {
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
      const report = await checkReport({ ...options, clouds: ['aws', 'azure'] });
      expect(failingRows(report.rows)).toEqual([]);
      // The platform's own stacks are still compared with the golden lists: every stateful resource is there.
      expect(report.rows.filter((r) => r.rule === 'Platform-StableIds')).toEqual([]);
      expect(report.notes).toEqual([
        `${path.join(copy, 'cdk.out')}/: no ${SOURCES_FILE} (not written by this repository's npm run synth), so judged as it is, without comparing it with the sources.`,
      ]);
      expect(formatCheckTable(report.rows, report.notes).split('\n').slice(-2)).toEqual([
        expect.stringMatching(/^\d+ findings: 0 unacknowledged errors/),
        report.notes[0],
      ]);
      // The folder that records its sources is still compared with them: cdktf.out/ matches, so no note.
      expect((await checkReport({ ...options, clouds: ['azure'] })).notes).toEqual([]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test("a team's folder without a source record: findings judged as they are, no golden rows, a footer", async () => {
    const out = teamCdktfOut({
      'platform-prod': { tier: 'production', preventDestroy: true },
      'payments-prod': { tier: 'production', preventDestroy: false },
    });
    try {
      const report = await checkReport({ clouds: ['azure'], cdktfOut: out, root });
      // Judged as it is: the team's production resource group may be destroyed by a plan.
      expect(
        report.rows.filter((r) => r.rule !== 'Platform-StableIds').map((r) => [r.stack, r.rule, r.resource]),
      ).toEqual([['payments-prod', 'PC_AZURE_PREVENT_DESTROY', 'azurerm_resource_group.data']]);
      // prod has a golden file (test/golden/prod.azure.json): each resource recorded there is gone from this stack,
      // and its resource group is new. payments-prod has none, so no golden row.
      const stableIds = report.rows.filter((r) => r.rule === 'Platform-StableIds');
      expect(stableIds).toHaveLength(Object.keys(readGoldenJson('prod.azure.json')['platform-prod']!).length + 1);
      expect(new Set(stableIds.map((r) => `${r.stack} ${r.resource}`))).toEqual(new Set(['platform-prod prod']));
      expect(stableIds).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining(
            'new stateful azurerm_resource_group azurerm_resource_group.data is not in the golden list',
          ),
        }),
      );
      expect(report.rows.filter((r) => r.stack === 'payments-prod' && r.rule === 'Platform-StableIds')).toEqual([]);
      expect(report.notes).toEqual([
        `${out}/: no ${SOURCES_FILE} (not written by this repository's npm run synth), so judged as it is, without comparing it with the sources.`,
        "Stable IDs of a team's stacks (payments-prod: no golden file in test/golden/) are not compared here: the review (npm run review) protects them instead.",
      ]);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });

  test('a folder that does not exist is a usage error naming it and the option, for every checked cloud', async () => {
    const missing = path.join(os.tmpdir(), 'check-missing-folder', 'cdk.out');
    const alsoMissing = path.join(os.tmpdir(), 'check-missing-folder', 'cdktf.out');
    await expect(
      checkReport({ clouds: ['aws', 'azure'], cdkOut: missing, cdktfOut: alsoMissing, root }),
    ).rejects.toThrow(
      new UsageError(
        `${missing}/ does not exist: run npm run synth first, or name the folder with --cdk-out; ${alsoMissing}/ does not exist: run npm run synth first, or name the folder with --cdktf-out\n  ${CHECK_USAGE}`,
      ),
    );
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

  test('--cdk-out and --cdktf-out name the folders; one alone checks its cloud', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'check-args-'));
    try {
      expect(parseCheckArgs(['--cdk-out', out])).toEqual({ clouds: ['aws'], cdkOut: out, cfnLint: true });
      expect(parseCheckArgs([`--cdktf-out=${out}`, '--env', 'payments-prod'])).toEqual({
        clouds: ['azure'],
        environments: ['payments-prod'],
        cdktfOut: out,
        cfnLint: true,
      });
      expect(parseCheckArgs(['--cdk-out', out, '--cdktf-out', out])).toEqual({
        clouds: ['aws', 'azure'],
        cdkOut: out,
        cdktfOut: out,
        cfnLint: true,
      });
      expect(parseCheckArgs(['--cloud', 'aws', '--cdk-out', out])).toEqual({
        clouds: ['aws'],
        cdkOut: out,
        cfnLint: true,
      });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('every argument problem at once: unknown option, missing folder, folder without value, contradicting cloud', () => {
    const missing = path.join(os.tmpdir(), 'check-missing-folder', 'team.out');
    const file = path.join(root, 'package.json');
    expect(() =>
      parseCheckArgs(['--cdk-out', missing, '--verbose', '--cdktf-out', file, '--cloud', 'azure', '--cdktf-out']),
    ).toThrow(
      new UsageError(
        `--cdk-out: ${JSON.stringify(missing)} is not a folder; "--verbose" is not an option; --cdktf-out: ${JSON.stringify(file)} is not a folder; --cdktf-out needs a folder\n  ${CHECK_USAGE}`,
      ),
    );
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'check-args-'));
    try {
      expect(() => parseCheckArgs(['--cdk-out', out, '--cloud', 'azure'])).toThrow(
        new UsageError(`--cdk-out names aws output, but --cloud azure checks only azure\n  ${CHECK_USAGE}`),
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
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
