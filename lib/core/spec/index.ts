export * from './alerts';
export * from './base';
export * from './environment';
export * from './logs';
export * from './network';
export * from './protection';
export * from './registry';
export * from './section';
