import {
  Aspects,
  Stack,
  Validations,
  type IAspect,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';
// By deep path: the cdk-nag root also loads the HIPAA, PCI, NIST 800-53 R4 and serverless packs and their rules.
import type { NagPack } from 'cdk-nag/lib/nag-pack';
import { AwsSolutionsChecks } from 'cdk-nag/lib/packs/aws-solutions';
import type * as nist from 'cdk-nag/lib/packs/nist-800-53-r5';
import type { IConstruct, IValidation } from 'constructs';
import type { Tier } from '../../core';
import { acknowledgementsOn } from './acknowledgements';
import { PlatformChecks } from './platform-checks';
import { formatGateFailure, gateErrors, writeGateReport, type GateReport } from './guardrail-gate';
import { StackChecks, stackViolations } from './stack-checks';

/** The key of the template Metadata entry that records the tier and packs a stack was checked with. */
export const POLICY_METADATA_KEY = 'PlatformConstructs';

/** The name of the stack rules' plugin (`StackChecks`). */
const STACK_CHECKS_NAME = 'Platform-Stack';

/** Props of {@link PolicyChecks.applyTo}. */
export interface PolicyChecksProps {
  /** The environment's tier. */
  readonly tier: Tier;
  /**
   * Also run cdk-nag's NIST 800-53 R5 pack.
   * @default - true in production, false in development
   */
  readonly nist?: boolean;
}

/** The names of the packs a tier is checked with, as recorded in each template. */
export function policyPacks(props: PolicyChecksProps): string[] {
  const nist = props.nist ?? props.tier === 'production';
  return ['AwsSolutions', ...(nist ? ['NIST.800.53.R5'] : []), 'Platform', 'Platform-Stack'];
}

/**
 * Runs a cdk-nag pack over one scope only. cdk-nag's own plugin walks the whole app, so a pack meant for a
 * production stage would also judge the development stages next to it. The gate of {@link PolicyChecks} runs it
 * before the templates are written; the report it found then is the one aws-cdk-lib's validation report gets after
 * the write, so the pack walks the tree once per synthesis.
 */
class ScopedPack implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  private found?: PolicyValidationPluginReport;

  constructor(
    private readonly pack: NagPack,
    private readonly scope: IConstruct,
  ) {
    this.name = pack.name;
    this.version = pack.version;
  }

  /** Runs the pack now and keeps its report for {@link validate}. */
  public run(): PolicyValidationPluginReport {
    const report = this.pack.validateScope(this.scope);
    // Warnings are reported, errors fail the synthesis.
    this.found = { success: report.violations.every((v) => v.severity !== 'error'), violations: report.violations };
    return this.found;
  }

  public validate(): PolicyValidationPluginReport {
    // The tree is final once aws-cdk-lib validates it, so the gate's report still holds after the write.
    const report = this.found ?? this.run();
    this.found = undefined;
    return report;
  }
}

/**
 * Fails the synthesis before any template is written when a pack or a stack rule finds an unacknowledged error:
 * aws-cdk-lib runs construct validations (`node.addValidation`) before it writes the cloud assembly, and its
 * policy validation plugins only after. The message lists every finding with its construct path, what to do, and
 * how to acknowledge it; the findings also go to `validation-report.json`, where aws-cdk-lib puts its report.
 */
class GuardrailGate implements IValidation {
  constructor(
    private readonly scope: IConstruct,
    private readonly packs: readonly ScopedPack[],
    private readonly tier: Tier,
  ) {}

  public validate(): string[] {
    const reports: GateReport[] = [
      ...this.packs.map((p) => ({ pluginName: p.name, violations: p.run().violations })),
      { pluginName: STACK_CHECKS_NAME, violations: stackViolations(this.scope, this.tier) },
    ];
    if (gateErrors(reports).length === 0) return [];
    writeGateReport(this.scope, reports);
    return [formatGateFailure(this.scope, reports)];
  }
}

/** cdk-nag's NIST 800-53 R5 pack, loaded when a production stage first asks for it: development never does. */
function nistPack(): typeof nist {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  return require('cdk-nag/lib/packs/nist-800-53-r5') as typeof nist;
}

/** Records the tier and the packs in each template, so `npm run check` can re-run them on cdk.out alone. */
class RecordPolicy implements IAspect {
  constructor(private readonly entry: Record<string, unknown>) {}

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node)) return;
    // Stack-level acknowledgements (of the stack rules) have no resource to travel on: record them here.
    const acknowledged: Record<string, string> = {};
    for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
      for (const [id, reason] of Object.entries(acknowledgementsOn(current))) acknowledged[id] ??= reason;
    }
    const ids = Object.keys(acknowledged).sort();
    node.templateOptions.metadata = {
      ...node.templateOptions.metadata,
      [POLICY_METADATA_KEY]: {
        ...this.entry,
        ...(ids.length > 0 && { Acknowledged: Object.fromEntries(ids.map((id) => [id, acknowledged[id]])) }),
      },
    };
  }
}

/**
 * The guardrails of one environment: cdk-nag AwsSolutions on every tier, NIST 800-53 R5 on production, the
 * library's own `Platform-*` rules (production data safety, CloudFormation limits, termination protection).
 * Synthesis fails on any unacknowledged error before a single template is written (a construct validation on the
 * scope, which aws-cdk-lib runs before the write), with every finding, its construct path and what to do; fix it,
 * or where it is safe acknowledge it next to its construct with `acknowledge(construct, ruleId, reason)`.
 */
export class PolicyChecks {
  /**
   * Registers the packs on a Stage (or App) for the stacks under it; call once per environment stage. `app.synth()`
   * then throws before writing any template when an error is not acknowledged (the findings go to
   * `validation-report.json` in the output directory), and the packs' warnings go to aws-cdk-lib's report.
   * @param scope the Stage or App whose stacks are checked
   */
  public static applyTo(scope: IConstruct, props: PolicyChecksProps): void {
    const packs = policyPacks(props);
    // With `scope`, the pack also copies every acknowledgement into the template (cdk_nag metadata, the
    // format cfn_nag and cdk-nag v2 read), where reviewers and `npm run check` see it.
    // Verbose: each finding says what to change (the rule's explanation), not only what is wrong.
    const nagPacks: NagPack[] = [
      new AwsSolutionsChecks(scope, { writeSuppressionsToCloudFormation: true, verbose: true }),
      new PlatformChecks(undefined, { tier: props.tier, verbose: true }),
    ];
    if (packs.includes('NIST.800.53.R5'))
      nagPacks.push(new (nistPack().NIST80053R5Checks)(undefined, { verbose: true }));
    const scoped = nagPacks.map((p) => new ScopedPack(p, scope));
    scope.node.addValidation(new GuardrailGate(scope, scoped, props.tier));
    Validations.of(scope).addPlugins(...scoped, new StackChecks(scope, props.tier));
    Aspects.of(scope).add(new RecordPolicy({ Tier: props.tier, Packs: packs }));
  }
}
