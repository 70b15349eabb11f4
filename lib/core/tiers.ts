/** The tiers an environment can be. `tier` drives every default that differs between a throwaway and a real environment. */
export const TIERS = ['development', 'production'] as const;

/**
 * `development` environments are disposable; `production` (and staging, a production tier sized down) keep
 * their data. Each spec section declares its own defaults per tier (`defaults` in lib/core/spec/*.ts).
 */
export type Tier = (typeof TIERS)[number];
