/**
 * platform-constructs/azure: the CDKTF constructs for azurerm. Imports cdktf, the provider (by deep path)
 * and lib/core only, never aws-cdk-lib.
 */
import './peers';

export * from './backup';
export * from './container-apps-environment';
export * from './container-definition';
export * from './container-service';
export * from './container-service-alarms';
export * from './diagnostics';
export * from './interfaces';
export * from './key-vault';
export * from './location';
export * from './log-analysis';
export * from './monitoring';
export * from './network';
export * from './network-alarms';
export * from './patching';
export * from './provider';
export * from './scheduled-job';
export * from './server';
export * from './server-alarms';
export * from './tags';
export * from './acknowledge';
export * from './application';
export * from './platform-environment';
export * from './platform-stack';
export * from './policy';
export * from './protection';
export * from './workload-identity';
export * from './audit-trail';
export * from './api-check';
export * from './api-check-probe';
export * from './kubernetes-cluster';
export * from './managed-prometheus';
