// The bench's baseline: nothing but node starting and bin/register.js (the swc require hook) loading (and compiling this file).
// `export {}` only keeps it a module for isolatedModules.
export {};
