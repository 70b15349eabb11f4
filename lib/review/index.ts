/**
 * Reading and judging synthesized output (cdk.out/, cdktf.out/) for reviews: no construct code, so it
 * runs on any checkout's output without the cloud libraries.
 */
export * from './acknowledgements';
export * from './between';
export * from './breaking';
export * from './breaking-api';
export * from './breaking-defaults';
export * from './consequences';
export * from './model';
export * from './outputs';
export * from './render-common';
export * from './render-json';
export * from './render-markdown';
export * from './render-mermaid';
export * from './palette';
export * from './resource-graph';
export * from './render-text';
export * from './review';
export * from './stateful';
