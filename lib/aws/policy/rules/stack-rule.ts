import type { Tier } from '../../../core';

/** The parts of a synthesized CloudFormation template the stack rules read. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly [key: string]: unknown }>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Mappings?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** What a stack rule knows about one synthesized stack: enough to run on cdk.out alone. */
export interface StackFacts {
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The parsed template. */
  readonly template: CfnTemplate;
  /** The template body's size in bytes, as written. */
  readonly templateBytes: number;
  /** Whether the stack has termination protection. */
  readonly terminationProtection: boolean;
  /** The tier of the environment the stack belongs to. */
  readonly tier: Tier;
}

/** One problem a stack rule found. */
export interface StackFinding {
  /** `Platform-<Rule>`. */
  readonly ruleId: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}
