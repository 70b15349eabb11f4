import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** aws-cdk-lib's context key (cx-api DISABLE_CREATION_STACK_TRACES), read when a construct is created. */
const DISABLE_CREATION_STACK_TRACES = 'aws:cdk:disable-creation-stack-traces';
import { checkProps, type Tier } from '../core';
import { PortableAssembly } from './acknowledge';
import {
  DEFAULT_TIER,
  decideProtection,
  RetainStatefulResources,
  tierProtection,
  type ProtectionSettings,
  type ResolvedProtection,
} from './protection';

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps extends StackProps {
  /**
   * The availability zones this stack may use, named explicitly so that synthesis never looks them up
   * (a lookup needs credentials and makes the output depend on the account it ran against).
   */
  readonly availabilityZones: readonly string[];
  /**
   * The environment's tier. It decides, for the constructs of this library in the stack, what their props leave
   * open: production retains stateful resources (every one in the stack, whoever created it), protects load
   * balancers and instances from deletion, keeps logs 365 days and serves public services over HTTPS behind a web
   * ACL; development deletes this library's stateful resources with the stack, keeps logs 30 days and protects
   * nothing.
   * @default 'production' - the safe case: nothing is lost or left unprotected because the tier was not given
   */
  readonly tier?: Tier;
  /**
   * Overrides of what the tier decides, for every construct of the stack (a construct's own props still win).
   * `terminationProtection` here is the stack's own, unless `StackProps.terminationProtection` is given.
   * @default - the tier's settings
   */
  readonly protection?: ProtectionSettings;
}

/**
 * A Stack whose availability zones come from the spec instead of a context lookup, and whose tier decides the
 * defaults of the constructs in it (removal policy of stateful resources, log retention, deletion protection) and
 * its own termination protection. Use it (or override `availabilityZones` the same way) for stacks that hold a
 * {@link Network}.
 *
 * @example
 * const stack = new PlatformStack(app, 'payments-dev', {
 *   env: { account: '111111111111', region: 'eu-west-1' },
 *   availabilityZones: ['eu-west-1a', 'eu-west-1b'],
 *   tier: 'development',
 * });
 */
export class PlatformStack extends Stack {
  /** The tier that decides the defaults of the constructs in this stack. */
  public readonly tier: Tier;
  /** What the tier and `protection` decided, every setting resolved. */
  public readonly protection: ResolvedProtection;
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    checkProps('PlatformStack', scope.node.path ? `${scope.node.path}/${id}` : id, props, {
      availabilityZones: {
        kind: 'array',
        allowed: "the stack's availability zones, such as ['eu-west-1a', 'eu-west-1b']",
      },
      tier: { kind: 'string', optional: true, allowed: "'development' or 'production'" },
      protection: {
        kind: 'object',
        optional: true,
        allowed: 'overrides of the tier: retainData, deletionProtection, terminationProtection, logRetentionDays',
      },
    });
    const tier = props.tier ?? DEFAULT_TIER;
    const protection = tierProtection(tier, props.protection);
    super(scope, id, {
      ...props,
      terminationProtection: props.terminationProtection ?? protection.terminationProtection,
    });
    // No construct of the stack records where it was created: those traces hold this machine's paths.
    this.node.setContext(DISABLE_CREATION_STACK_TRACES, true);
    this.tier = tier;
    this.protection = { ...protection, terminationProtection: this.terminationProtection };
    this.zones = [...props.availabilityZones];
    decideProtection(this, tier, this.protection);
    // Kept data is enforced on every stateful resource of the stack, whoever created it. Deleting is not: in a
    // development stack this library's constructs delete theirs (removalPolicyOf), and a resource the team
    // created itself keeps the removal policy it was given.
    if (this.protection.retainData) RetainStatefulResources.applyTo(this, { retainData: true });
    // The assembly records no absolute path of this machine (the stack's own creation trace, and the traces
    // aws-cdk-lib keeps with acknowledgements and annotations).
    PortableAssembly.applyTo(this);
  }

  /** The availability zones given in the props, never looked up. */
  public override get availabilityZones(): string[] {
    return [...this.zones];
  }
}
