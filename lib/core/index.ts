/**
 * platform-constructs: the cloud-neutral environment spec. No cloud library is imported from here, so
 * `platform-constructs/aws` and `platform-constructs/azure` each load only their own cloud.
 */
export * from './cidr';
export * from './errors';
export * from './naming';
export * from './regions';
export * from './spec';
export * from './stateful';
export * from './tiers';

/** The word every resource and stack name of the library starts with (`platform-prod`). */
export const PLATFORM_PREFIX = 'platform';
