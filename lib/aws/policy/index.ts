export * from './acknowledgements';
export * from './platform-checks';
export * from './policy-checks';
export * from './rules/stack-rule';
export * from './rules/stateful-retained';
export * from './rules/template-limits';
export * from './rules/termination-protection';
export * from './stack-checks';
