/**
 * platform-constructs/aws: the AWS CDK constructs. Imports aws-cdk-lib and lib/core only, never cdktf.
 */
export * from './acknowledge';
export * from './log-analysis';
export * from './monitoring';
export * from './network';
export * from './network-alarms';
export * from './platform-stack';
export * from './retention';
export * from './tags';
export * from './policy';
