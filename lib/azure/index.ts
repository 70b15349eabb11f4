/**
 * platform-constructs/azure: the CDKTF constructs for azurerm. Imports cdktf, the provider (by deep path)
 * and lib/core only, never aws-cdk-lib.
 */
export * from './diagnostics';
export * from './log-analysis';
export * from './monitoring';
export * from './network';
export * from './network-alarms';
export * from './patching';
export * from './server';
export * from './server-alarms';
export * from './tags';
export * from './acknowledge';
export * from './policy';
export * from './protection';
