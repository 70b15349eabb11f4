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
import type { IConstruct } from 'constructs';
import type { Tier } from '../../core';
import { acknowledgementsOn } from './acknowledgements';
import { PlatformChecks } from './platform-checks';
import { StackChecks } from './stack-checks';

/** The key of the template Metadata entry that records the tier and packs a stack was checked with. */
export const POLICY_METADATA_KEY = 'PlatformConstructs';

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
 * production stage would also judge the development stages next to it.
 */
class ScopedPack implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;

  constructor(
    private readonly pack: NagPack,
    private readonly scope: IConstruct,
  ) {
    this.name = pack.name;
    this.version = pack.version;
  }

  public validate(): PolicyValidationPluginReport {
    const report = this.pack.validateScope(this.scope);
    // Warnings are reported, errors fail the synthesis.
    return { success: report.violations.every((v) => v.severity !== 'error'), violations: report.violations };
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
 * Synthesis fails on any unacknowledged error; acknowledge one next to its construct with `acknowledge()`.
 */
export class PolicyChecks {
  /**
   * Registers the packs on a Stage (or App) for the stacks under it; call once per environment stage.
   * @param scope the Stage or App whose stacks are checked
   */
  public static applyTo(scope: IConstruct, props: PolicyChecksProps): void {
    const packs = policyPacks(props);
    // With `scope`, the pack also copies every acknowledgement into the template (cdk_nag metadata, the
    // format cfn_nag and cdk-nag v2 read), where reviewers and `npm run check` see it.
    const nagPacks: NagPack[] = [
      new AwsSolutionsChecks(scope, { writeSuppressionsToCloudFormation: true }),
      new PlatformChecks(undefined, { tier: props.tier }),
    ];
    if (packs.includes('NIST.800.53.R5')) nagPacks.push(new (nistPack().NIST80053R5Checks)());
    Validations.of(scope).addPlugins(
      ...nagPacks.map((p) => new ScopedPack(p, scope)),
      new StackChecks(scope, props.tier),
    );
    Aspects.of(scope).add(new RecordPolicy({ Tier: props.tier, Packs: packs }));
  }
}
