/**
 * platform-constructs/aws: the AWS CDK constructs. Imports aws-cdk-lib and lib/core only, never cdktf.
 */
import './peers';

export * from './acknowledge';
export * from './api-check';
export * from './application';
export * from './access-logs';
export * from './audit-trail';
export * from './backup';
export * from './backup-alarms';
export * from './configuration-management';
export * from './container-cluster';
export * from './container-definition';
export * from './container-service';
export * from './container-service-alarms';
export * from './delivery-checks-role';
export * from './delivery-pipeline';
export * from './eks-addons';
export * from './image-pin';
export * from './interfaces';
export * from './kubernetes-cluster';
export * from './log-analysis';
export * from './managed-prometheus';
export * from './monitoring';
export * from './network';
export * from './network-alarms';
export * from './patching';
export * from './platform-environment';
export * from './platform-stack';
export * from './protection';
export * from './retention';
export * from './scheduled-job';
export * from './server';
export * from './server-alarms';
export * from './tags';
export * from './policy';
