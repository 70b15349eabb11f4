/**
 * Reading and judging synthesized output (cdk.out/, cdktf.out/) for reviews: no construct code, so it
 * runs on any checkout's output without the cloud libraries.
 */
export * from './outputs';
export * from './stateful';
