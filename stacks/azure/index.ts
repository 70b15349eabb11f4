export * from './app';
export * from './compute';
export * from './environment-stack';
export * from './foundation';
export * from './workloads';
export * from './kubernetes';
