/** The tiers an environment can be. `tier` drives every default that differs between a throwaway and a real environment. */
export const TIERS = ['development', 'production'] as const;

/** `development` environments are disposable; `production` (and staging, a production tier sized down) keep their data. */
export type Tier = (typeof TIERS)[number];

/** The defaults a tier gives an environment; every one can be overridden in the spec within its allowed values. */
export interface TierDefaults {
  /** Availability zones the network spans. */
  readonly zones: number;
  /** One NAT gateway per zone (true) or a single shared one (false). */
  readonly natGatewayPerZone: boolean;
  /** Days log records are kept (AWS log groups, Log Analytics). */
  readonly logRetentionDays: number;
  /** Stateful resources survive stack deletion and replacement. */
  readonly retainData: boolean;
  /** Deletion protection on load balancers and instances (`disableApiTermination`). */
  readonly deletionProtection: boolean;
  /** CloudFormation stack termination protection. */
  readonly terminationProtection: boolean;
}

/** The tier table of shared/DESIGN.md, in one place. */
export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = {
  development: {
    zones: 2,
    natGatewayPerZone: false,
    logRetentionDays: 30,
    retainData: false,
    deletionProtection: false,
    terminationProtection: false,
  },
  production: {
    zones: 3,
    natGatewayPerZone: true,
    logRetentionDays: 365,
    retainData: true,
    deletionProtection: true,
    terminationProtection: true,
  },
};
