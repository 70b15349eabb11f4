import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tier } from '../../lib/core';
import { compareInventory, readCdkOut, readCdktfOut, statefulInventory, type SynthesizedStack } from '../../lib/review';
import { plainRuleId } from '../../lib/aws/acknowledge';
import { shownPath, UsageError } from './command';
import { GOLDEN_DIR, goldenFile, readGolden } from './golden';
import { recoverOutputs, SWAP_JOURNAL } from './output-swap';
import { SOURCES_FILE, staleness } from './sources';
import type { Cloud } from './synth';

/** One finding of `npm run check`. */
export interface CheckRow {
  /** The cloud the stack was synthesized for. */
  readonly cloud: Cloud;
  /** The CloudFormation or Terraform stack name. */
  readonly stack: string;
  /** The rule id: cdk-nag's, cfn-lint's, checkov's or ours. */
  readonly rule: string;
  /** `error` fails the check unless acknowledged; `warning` is reported only. */
  readonly severity: 'error' | 'warning';
  /** The logical ID (with its construct path) or Terraform address. */
  readonly resource: string;
  /** What is wrong, as the rule says it. */
  readonly message: string;
  /** `<reason>` when the finding was acknowledged in the code. */
  readonly acknowledgedBy?: string;
}

/** Options of {@link checkOutputs}. */
export interface CheckOptions {
  /** The clouds whose output is checked. */
  readonly clouds: readonly Cloud[];
  /** Only these environments. @default - all */
  readonly environments?: readonly string[];
  /** The cloud assembly to read. @default 'cdk.out' */
  readonly cdkOut?: string;
  /** The cdktf output to read. @default 'cdktf.out' */
  readonly cdktfOut?: string;
  /** The repository root, where test/golden and the sources the output must match live. @default the working directory */
  readonly root?: string;
  /** Also run cfn-lint over the templates when it is installed. @default true */
  readonly cfnLint?: boolean;
}

/** Usage text of `npm run check`. */
export const CHECK_USAGE =
  'npm run check -- [--env NAME[,NAME...]] [--cloud aws|azure] [--cdk-out DIR] [--cdktf-out DIR] [--no-cfn-lint]';

/** The option naming each cloud's output folder, and its default. */
const OUTPUT_OPTIONS = {
  aws: { flag: '--cdk-out', fallback: 'cdk.out' },
  azure: { flag: '--cdktf-out', fallback: 'cdktf.out' },
} as const;

/** What {@link parseCheckArgs} returns. */
export type CheckArgs = Pick<CheckOptions, 'clouds' | 'environments' | 'cfnLint' | 'cdkOut' | 'cdktfOut'>;

/** A folder a synthesis that was stopped while replacing it may bring back: its parent holds the swap journal. */
function mayBeRecovered(folder: string): boolean {
  return fs.existsSync(path.join(path.dirname(path.resolve(folder)), SWAP_JOURNAL));
}

/**
 * Parses the arguments of `npm run check`; every problem is reported at once. `--cdk-out` and `--cdktf-out` name
 * the folders to judge (a team's own synthesized output, for example); given alone, one of them also narrows the
 * check to its cloud unless `--cloud` says otherwise.
 *
 * @throws UsageError naming each unknown option, missing value, unknown cloud, folder that does not exist, and
 *   folder option that contradicts `--cloud`
 */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  let cloud: Cloud | undefined;
  const environments: string[] = [];
  const folders: Partial<Record<Cloud, string>> = {};
  let cfnLint = true;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? (argv[i + 1]?.startsWith('--') ? undefined : argv[++i]);
    const folderOf = (Object.keys(OUTPUT_OPTIONS) as Cloud[]).find((c) => OUTPUT_OPTIONS[c].flag === flag);
    if (flag === '--env') {
      const v = value();
      if (!v) problems.push('--env needs an environment name');
      else environments.push(...v.split(',').filter(Boolean));
    } else if (flag === '--cloud') {
      const v = value();
      if (v === 'aws' || v === 'azure') cloud = v;
      else problems.push(`--cloud: ${JSON.stringify(v ?? '')} - one of aws, azure`);
    } else if (folderOf) {
      const v = value();
      if (!v) problems.push(`${flag} needs a folder`);
      else if (!fs.statSync(v, { throwIfNoEntry: false })?.isDirectory() && !mayBeRecovered(v))
        problems.push(`${flag}: ${JSON.stringify(v)} is not a folder`);
      else folders[folderOf] = v;
    } else if (flag === '--no-cfn-lint') {
      cfnLint = false;
    } else {
      problems.push(`${JSON.stringify(arg)} is not an option`);
    }
  }
  const named = (Object.keys(folders) as Cloud[]).sort();
  // A folder option alone checks its cloud; with --cloud, a folder of the other cloud would be silently ignored.
  const clouds: Cloud[] = cloud ? [cloud] : named.length > 0 ? named : ['aws', 'azure'];
  for (const c of named) {
    if (!clouds.includes(c)) {
      problems.push(
        `${OUTPUT_OPTIONS[c].flag} names ${c} output, but --cloud ${cloud ?? ''} checks only ${clouds.join(', ')}`,
      );
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${CHECK_USAGE}`);
  return {
    clouds,
    ...(environments.length > 0 && { environments }),
    ...(folders.aws !== undefined && { cdkOut: folders.aws }),
    ...(folders.azure !== undefined && { cdktfOut: folders.azure }),
    cfnLint,
  };
}

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

interface TemplateResource {
  readonly Type: string;
  readonly Metadata?: { 'aws:cdk:path'?: string; cdk_nag?: { rules_to_suppress?: Acknowledgement[] } };
}

function templateResources(stack: SynthesizedStack): Record<string, TemplateResource> {
  return (stack.json.Resources ?? {}) as Record<string, TemplateResource>;
}

function describeResource(stack: SynthesizedStack, logicalId: string): string {
  const cdkPath = templateResources(stack)[logicalId]?.Metadata?.['aws:cdk:path'];
  return cdkPath ? `${logicalId} (${cdkPath})` : logicalId;
}

function acknowledgementOf(stack: SynthesizedStack, logicalId: string, ids: readonly string[]): string | undefined {
  const acks = templateResources(stack)[logicalId]?.Metadata?.cdk_nag?.rules_to_suppress ?? [];
  return acks.find((a) => ids.includes(plainRuleId(a.id)))?.reason;
}

/** The tier and packs a template was synthesized with (`PolicyChecks` records them). */
function policyOf(
  stack: SynthesizedStack,
): { tier: Tier; packs: string[]; acknowledged: Record<string, string> } | undefined {
  const metadata = stack.json.Metadata as
    Record<string, { Tier: Tier; Packs: string[]; Acknowledged?: Record<string, string> }> | undefined;
  const entry = metadata?.PlatformConstructs;
  return entry ? { tier: entry.Tier, packs: entry.Packs, acknowledged: entry.Acknowledged ?? {} } : undefined;
}

/**
 * Re-runs cdk-nag over a template read back into a fresh app (CfnInclude). This sees every resource in the
 * template, including raw ones aws-cdk-lib adds (custom resource handlers) that cdk-nag skips at synthesis;
 * acknowledgements come from the template's cdk_nag metadata.
 */
async function nagRows(
  stack: SynthesizedStack,
  tier: Tier,
  packs: readonly string[],
  outdir: string,
): Promise<CheckRow[]> {
  const [{ App, Stack }, { CfnInclude }, nag, { PlatformChecks }] = await Promise.all([
    import('aws-cdk-lib'),
    import('aws-cdk-lib/cloudformation-include'),
    import('cdk-nag'),
    import('../../lib/aws'),
  ]);
  // Never synthesized; given a folder so that aws-cdk-lib does not make one in the temporary folder for each app.
  const scope = new Stack(new App({ outdir }), 'Check');
  new CfnInclude(scope, 'Template', { templateFile: stack.file });
  const available = {
    AwsSolutions: () => new nag.AwsSolutionsChecks(),
    'NIST.800.53.R5': () => new nag.NIST80053R5Checks(),
    Platform: () => new PlatformChecks(undefined, { tier }),
  } as const;
  const rows: CheckRow[] = [];
  for (const name of packs) {
    const make = available[name as keyof typeof available];
    if (!make) continue;
    for (const v of make().validateScope(scope).violations) {
      for (const r of v.violatingResources) {
        const logicalId = (r.constructPath ?? '').split('/').pop() ?? '';
        const reason = acknowledgementOf(stack, logicalId, [v.ruleName]);
        rows.push({
          cloud: 'aws',
          stack: stack.stack,
          rule: v.ruleName,
          severity: v.severity === 'error' ? 'error' : 'warning',
          resource: describeResource(stack, logicalId),
          message: v.description,
          ...(reason !== undefined && { acknowledgedBy: reason }),
        });
      }
    }
  }
  return rows;
}

async function stackRuleRows(
  stack: SynthesizedStack,
  tier: Tier,
  acknowledged: Readonly<Record<string, string>>,
): Promise<CheckRow[]> {
  const { checkStack } = await import('../../lib/aws');
  return checkStack({
    stackName: stack.stack,
    template: stack.json,
    templateBytes: stack.bytes,
    terminationProtection: stack.terminationProtection ?? false,
    tier,
  }).map((f) => {
    // Stack rules are acknowledged on the stack (or stage); PolicyChecks records those in the template.
    const reason = acknowledged[f.ruleId] ?? acknowledged[`Platform-Stack::${f.ruleId}`];
    return {
      cloud: 'aws' as const,
      stack: stack.stack,
      rule: f.ruleId,
      severity: 'error' as const,
      resource: stack.stack,
      message: f.message,
      ...(reason !== undefined && { acknowledgedBy: reason }),
    };
  });
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path?: (string | number)[] };
}

/** Runs cfn-lint (when installed) over the templates; `undefined` when it is not. */
function cfnLintRows(stacks: readonly SynthesizedStack[]): CheckRow[] | undefined {
  if (stacks.length === 0) return [];
  const result = spawnSync('cfn-lint', ['--format', 'json', ...stacks.map((s) => s.file)], { encoding: 'utf8' });
  if (result.error || !result.stdout.trim().startsWith('[')) return undefined;
  const byFile = new Map(stacks.map((s) => [path.resolve(s.file), s]));
  return (JSON.parse(result.stdout) as CfnLintMatch[]).flatMap((m) => {
    const stack = byFile.get(path.resolve(m.Filename));
    if (!stack) return [];
    const [section, logicalId] = m.Location.Path ?? [];
    const id = section === 'Resources' && typeof logicalId === 'string' ? logicalId : undefined;
    // aws-cdk-lib's built-in validation runs the same rules: its acknowledgements count here too.
    const reason = id
      ? acknowledgementOf(stack, id, [`cfn-lint-${m.Rule.Id}`, `CloudFormation-Validate::${m.Rule.Id}`])
      : undefined;
    return [
      {
        cloud: 'aws' as const,
        stack: stack.stack,
        rule: `cfn-lint-${m.Rule.Id}`,
        severity: m.Level === 'Error' ? ('error' as const) : ('warning' as const),
        resource: id ? describeResource(stack, id) : (m.Location.Path ?? []).join('/'),
        message: m.Message,
        ...(reason !== undefined && { acknowledgedBy: reason }),
      },
    ];
  });
}

async function azureRows(stack: SynthesizedStack): Promise<CheckRow[]> {
  const { AZURE_RULES, POLICY_METADATA_KEY, checkTerraform } = await import('../../lib/azure/policy');
  const recorded = (stack.json['//'] as Record<string, { tier?: Tier }> | undefined)?.[POLICY_METADATA_KEY];
  if (!recorded?.tier) return [unchecked(stack, 'azure')];
  return checkTerraform(stack.json, { tier: recorded.tier, rules: AZURE_RULES }).map((f) => ({
    cloud: 'azure',
    stack: stack.stack,
    rule: f.ruleId,
    severity: f.severity,
    resource: f.address,
    message: f.message,
    ...(f.acknowledgedReason !== undefined && { acknowledgedBy: f.acknowledgedReason }),
  }));
}

function unchecked(stack: SynthesizedStack, cloud: Cloud): CheckRow {
  return {
    cloud,
    stack: stack.stack,
    rule: 'Platform-PolicyRecorded',
    severity: 'error',
    resource: stack.stack,
    message: `${stack.file} records no tier: synthesize it with PolicyChecks applied (npm run synth)`,
  };
}

/** Whether an environment is one of the platform's own: it has a golden file (test/golden/<env>.<cloud>.json). */
function hasGolden(root: string, environment: string): boolean {
  return (['aws', 'azure'] as const).some((cloud) => fs.existsSync(path.join(root, goldenFile(environment, cloud))));
}

/**
 * The golden comparison of the platform's own environments (those with a golden file under `root`). A team's
 * stacks have none: their stable IDs are protected by the review (npm run review) instead.
 */
function goldenRows(stacks: readonly SynthesizedStack[], root: string, cloud: Cloud): CheckRow[] {
  const environments = [...new Set(stacks.map((s) => s.environment))].filter((env) => hasGolden(root, env));
  return environments.flatMap((env) => {
    const actual = statefulInventory(stacks.filter((s) => s.environment === env));
    return compareInventory(readGolden(root, env, cloud), actual, cloud, goldenFile(env, cloud)).map((message) => ({
      cloud,
      stack: message.split(':')[0]!,
      rule: 'Platform-StableIds',
      severity: 'error' as const,
      resource: env,
      message,
    }));
  });
}

/** Output that does not match the sources it would be judged against; the message names each folder and why. */
export class StaleOutputError extends Error {
  /** @param message each stale folder, what changed, and to run npm run synth */
  constructor(message: string) {
    super(message);
    this.name = 'StaleOutputError';
  }
}

/**
 * Refuses output folders synthesized from other sources than those under `root` (lib/, stacks/, bin/, cdk.json,
 * cdktf.json, package-lock.json; bin/cli/sources.ts), as after a synthesis that failed and so kept the previous
 * output: judging that output would pass or fail code that is no longer there.
 *
 * @throws StaleOutputError naming every such folder, what changed, and that npm run synth comes first
 */
export function assertCurrent(folders: readonly string[], root: string): void {
  const problems = folders.flatMap((folder) => {
    const why = staleness(folder, root);
    return why ? [`${shownPath(folder)}/ does not match the sources: ${why}.`] : [];
  });
  if (problems.length > 0) {
    throw new StaleOutputError(
      `${problems.join('\n')}\nnpm run check judges synthesized output, not the sources: run npm run synth first.`,
    );
  }
}

/** What {@link checkReport} returns. */
export interface CheckReport {
  /** One row per finding, acknowledged ones included. */
  readonly rows: CheckRow[];
  /** What was not judged and why, one line each: printed under the table by {@link formatCheckTable}. */
  readonly notes: string[];
}

/**
 * Runs every guardrail over already synthesized output: cdk-nag, the Platform rules and cfn-lint over
 * cdk.out/, the Azure rule pack over cdktf.out/, and the golden lists of stateful resources over the stacks of the
 * platform's own environments (those with a golden file). A swap that a killed synthesis left half done is
 * completed first. Output that records its sources (platform-sources.json, written by this repository's
 * synthesis) is refused when they no longer match; output without that record (a team's own `cdk synth` or
 * `cdktf synth`) is judged as it is, and a note says so.
 *
 * @throws UsageError naming every output folder of the checked clouds that does not exist
 * @throws StaleOutputError naming every folder synthesized from other sources than those under `root`
 */
export async function checkReport(options: CheckOptions): Promise<CheckReport> {
  const root = options.root ?? process.cwd();
  const folders = {
    aws: path.resolve(options.cdkOut ?? OUTPUT_OPTIONS.aws.fallback),
    azure: path.resolve(options.cdktfOut ?? OUTPUT_OPTIONS.azure.fallback),
  };
  for (const note of recoverOutputs(Object.values(folders), (m) => process.stderr.write(`${m}\n`))) {
    process.stderr.write(`${note}\n`);
  }
  const checked = options.clouds.map((c) => folders[c]);
  const missing = options.clouds.filter((c) => !fs.statSync(folders[c], { throwIfNoEntry: false })?.isDirectory());
  if (missing.length > 0) {
    throw new UsageError(
      `${missing
        .map(
          (c) =>
            `${shownPath(folders[c])}/ does not exist: run npm run synth first, or name the folder with ${OUTPUT_OPTIONS[c].flag}`,
        )
        .join('; ')}\n  ${CHECK_USAGE}`,
    );
  }
  const unrecorded = checked.filter((f) => !fs.existsSync(path.join(f, SOURCES_FILE)));
  assertCurrent(
    checked.filter((f) => !unrecorded.includes(f)),
    root,
  );
  const notes: string[] = [];
  if (unrecorded.length > 0) {
    notes.push(
      `${unrecorded.map((f) => `${shownPath(f)}/`).join(' and ')}: no ${SOURCES_FILE} (not written by this repository's npm run synth), so judged as it is, without comparing it with the sources.`,
    );
  }
  const keep = (s: SynthesizedStack): boolean => !options.environments || options.environments.includes(s.environment);
  const rows: CheckRow[] = [];
  const teamStacks: string[] = [];
  const golden = (stacks: readonly SynthesizedStack[], cloud: Cloud): CheckRow[] => {
    teamStacks.push(...stacks.filter((s) => !hasGolden(root, s.environment)).map((s) => s.stack));
    return goldenRows(stacks, root, cloud);
  };
  if (options.clouds.includes('aws')) {
    const stacks = readCdkOut(folders.aws).filter(keep);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-check-'));
    try {
      for (const stack of stacks) {
        const policy = policyOf(stack);
        if (!policy) {
          rows.push(unchecked(stack, 'aws'));
          continue;
        }
        rows.push(
          ...(await nagRows(stack, policy.tier, policy.packs, outdir)),
          ...(await stackRuleRows(stack, policy.tier, policy.acknowledged)),
        );
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    if (options.cfnLint ?? true) {
      const lint = cfnLintRows(stacks);
      rows.push(
        ...(lint ?? [
          {
            cloud: 'aws',
            stack: '-',
            rule: 'cfn-lint',
            severity: 'warning',
            resource: '-',
            message: 'cfn-lint is not installed: skipped',
          },
        ]),
      );
    }
    rows.push(...golden(stacks, 'aws'));
  }
  if (options.clouds.includes('azure')) {
    const stacks = readCdktfOut(folders.azure).filter(keep);
    for (const stack of stacks) rows.push(...(await azureRows(stack)));
    rows.push(...golden(stacks, 'azure'));
  }
  if (teamStacks.length > 0) {
    notes.push(
      `Stable IDs of a team's stacks (${teamStacks.join(', ')}: no golden file in ${GOLDEN_DIR}/) are not compared here: the review (npm run review) protects them instead.`,
    );
  }
  return { rows, notes };
}

/** The findings of {@link checkReport} alone. */
export async function checkOutputs(options: CheckOptions): Promise<CheckRow[]> {
  return (await checkReport(options)).rows;
}

/** Findings that fail the check: errors nobody acknowledged. */
export function failingRows(rows: readonly CheckRow[]): CheckRow[] {
  return rows.filter((r) => r.severity === 'error' && r.acknowledgedBy === undefined);
}

/**
 * The findings as a table (rule, severity, resource, message, acknowledged-by) with a summary line, then the
 * notes of {@link checkReport} (what was not judged and why), one line each.
 */
export function formatCheckTable(rows: readonly CheckRow[], notes: readonly string[] = []): string {
  const header = ['cloud', 'stack', 'rule', 'severity', 'resource', 'message', 'acknowledged-by'];
  const body = rows.map((r) => [r.cloud, r.stack, r.rule, r.severity, r.resource, r.message, r.acknowledgedBy ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const failing = failingRows(rows).length;
  const acknowledged = rows.filter((r) => r.acknowledgedBy !== undefined).length;
  const summary = `${rows.length} findings: ${failing} unacknowledged errors, ${acknowledged} acknowledged, ${rows.length - failing - acknowledged} warnings`;
  if (rows.length === 0) return ['no findings', ...notes].join('\n');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', summary, ...notes].join('\n');
}
