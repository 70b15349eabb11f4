/** The clouds a server definition is synthesized for. */
export const SERVER_CLOUDS = ['aws', 'azure'] as const;
/** A cloud. */
export type ServerCloud = (typeof SERVER_CLOUDS)[number];
