import { assertPeersInstalled } from '../core/peers';

// First of the entry point's modules: a missing cdktf, provider or constructs is named here, with the install
// command, before any module that imports one fails with `Cannot find module`.
assertPeersInstalled('platform-constructs/azure');
