/**
 * platform-constructs: the cloud-neutral environment spec. No cloud library is imported from here, so
 * `platform-constructs/aws` and `platform-constructs/azure` each load only their own cloud.
 */
export * from './alarm-registry';
export * from './change-acknowledgement';
export * from './cidr';
export * from './configuration';
export * from './containers';
export * from './errors';
export * from './monitoring';
export * from './naming';
export * from './prefix';
export * from './regions';
export * from './schedule';
export * from './servers';
export * from './shell';
export * from './spec';
export * from './stateful';
export * from './tiers';
export * from './workload-alarms';
