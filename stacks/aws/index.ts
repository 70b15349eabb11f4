export * from './app';
export * from './backup-copy-stack';
export * from './compute-stack';
export * from './delivery-stack';
export * from './environment-stack';
export * from './environment-stage';
export * from './foundation-stack';
export * from './workload-stack';
