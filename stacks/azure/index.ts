export * from './app';
export * from './environment-stack';
