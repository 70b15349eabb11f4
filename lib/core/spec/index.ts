export * from './base';
export * from './environment';
export * from './monitoring';
export * from './network';
export * from './protection';
export * from './registry';
export * from './section';
