// The floor of an unchanged second `npm run synth`: nothing but node starting and bin/register.js (the swc require
// hook) loading (and this file). No synthesis process can cost less. `export {}` only keeps it a module for
// isolatedModules.
export {};
