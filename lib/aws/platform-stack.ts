import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps extends StackProps {
  /**
   * The availability zones this stack may use, named explicitly so that synthesis never looks them up
   * (a lookup needs credentials and makes the output depend on the account it ran against).
   */
  readonly availabilityZones: readonly string[];
}

/**
 * A Stack whose availability zones come from the spec instead of a context lookup. Use it (or override
 * `availabilityZones` the same way) for stacks that hold a {@link Network}.
 */
export class PlatformStack extends Stack {
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    this.zones = [...props.availabilityZones];
  }

  /** The availability zones given in the props, never looked up. */
  public override get availabilityZones(): string[] {
    return [...this.zones];
  }
}
