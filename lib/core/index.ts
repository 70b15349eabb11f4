/**
 * platform-constructs: the cloud-neutral environment spec. No cloud library is imported from here, so
 * `platform-constructs/aws` and `platform-constructs/azure` each load only their own cloud.
 */
export * from './alarm-names';
export * from './alarm-registry';
export * from './ansible';
export * from './api-check-script';
export * from './api-checks';
export * from './audit-controls';
export * from './change-acknowledgement';
export * from './cidr';
export * from './clouds';
export * from './configuration';
export * from './configuration-applier';
export * from './containers';
export * from './errors';
export * from './kubernetes';
export * from './kubernetes-alarms';
export * from './log-queries';
export * from './naming';
export * from './prefix';
export * from './peers';
export * from './prometheus-duration';
export * from './prometheus-rules';
export * from './promql';
export * from './props';
export * from './regions';
export * from './schedule';
export * from './selection-tags';
export * from './server-alarms';
export * from './server-images';
export * from './server-health';
export * from './server-placement';
export * from './server-sizes';
export * from './shell';
export * from './spec';
export * from './stateful';
export * from './tiers';
export * from './workload-alarms';
export * from './workload-limits';
