/** The word every resource and stack name of the library starts with (`platform-prod`). */
export const PLATFORM_PREFIX = 'platform';
