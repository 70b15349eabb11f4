export * from './app';
export * from './compute-stack';
export * from './environment-stage';
export * from './foundation-stack';
export * from './workload-stack';
