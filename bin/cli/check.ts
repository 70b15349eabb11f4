import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tier } from '../../lib/core';
import { compareInventory, readCdkOut, readCdktfOut, statefulInventory, type SynthesizedStack } from '../../lib/review';
import { plainRuleId } from '../../lib/aws/acknowledge';
import { shownPath, UsageError } from './command';
import { goldenFile, readGolden } from './golden';
import { recoverOutputs } from './output-swap';
import { staleness } from './sources';
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

/** `npm run check -- [--env NAME[,NAME]] [--cloud aws|azure] [--no-cfn-lint]` */
export const CHECK_USAGE = 'npm run check -- [--env NAME[,NAME...]] [--cloud aws|azure] [--no-cfn-lint]';

/** Parses the check command's arguments. */
export function parseCheckArgs(argv: readonly string[]): Pick<CheckOptions, 'clouds' | 'environments' | 'cfnLint'> {
  let clouds: Cloud[] = ['aws', 'azure'];
  const environments: string[] = [];
  let cfnLint = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n  ${CHECK_USAGE}`);
      return v;
    };
    if (arg === '--env') environments.push(...value().split(','));
    else if (arg === '--cloud') {
      const cloud = value();
      if (cloud !== 'aws' && cloud !== 'azure')
        throw new UsageError(`--cloud: "${cloud}" - one of aws, azure\n  ${CHECK_USAGE}`);
      clouds = [cloud];
    } else if (arg === '--no-cfn-lint') cfnLint = false;
    else throw new UsageError(`unknown argument "${arg}"\n  ${CHECK_USAGE}`);
  }
  return { clouds, ...(environments.length > 0 && { environments }), cfnLint };
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

function goldenRows(stacks: readonly SynthesizedStack[], root: string, cloud: Cloud): CheckRow[] {
  const environments = [...new Set(stacks.map((s) => s.environment))];
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

/**
 * Runs every guardrail over already synthesized output: cdk-nag, the Platform rules and cfn-lint over
 * cdk.out/, the Azure rule pack over cdktf.out/, and the golden lists of stateful resources over both. A swap that
 * a killed synthesis left half done is completed first, and output that does not match the sources is refused.
 */
export async function checkOutputs(options: CheckOptions): Promise<CheckRow[]> {
  const root = options.root ?? process.cwd();
  const folders = {
    aws: path.resolve(options.cdkOut ?? 'cdk.out'),
    azure: path.resolve(options.cdktfOut ?? 'cdktf.out'),
  };
  for (const note of recoverOutputs(Object.values(folders), (m) => process.stderr.write(`${m}\n`))) {
    process.stderr.write(`${note}\n`);
  }
  assertCurrent(
    options.clouds.map((c) => folders[c]),
    root,
  );
  const keep = (s: SynthesizedStack): boolean => !options.environments || options.environments.includes(s.environment);
  const rows: CheckRow[] = [];
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
    rows.push(...goldenRows(stacks, root, 'aws'));
  }
  if (options.clouds.includes('azure')) {
    const stacks = readCdktfOut(folders.azure).filter(keep);
    for (const stack of stacks) rows.push(...(await azureRows(stack)));
    rows.push(...goldenRows(stacks, root, 'azure'));
  }
  return rows;
}

/** Findings that fail the check: errors nobody acknowledged. */
export function failingRows(rows: readonly CheckRow[]): CheckRow[] {
  return rows.filter((r) => r.severity === 'error' && r.acknowledgedBy === undefined);
}

/** The findings as a table (rule, severity, resource, message, acknowledged-by) with a summary line. */
export function formatCheckTable(rows: readonly CheckRow[]): string {
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
  if (rows.length === 0) return 'no findings';
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', summary].join('\n');
}
