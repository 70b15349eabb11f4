import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENTRY_POINT_PEERS, MissingPeersError, assertPeersInstalled, missingPeers } from '../../lib/core';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};

describe('peer packages of the entry points', () => {
  test('each entry point lists the ranges package.json gives its peers, for an entry point package.json exports', () => {
    for (const [entry, peers] of Object.entries(ENTRY_POINT_PEERS)) {
      expect(Object.keys(manifest.exports)).toContain(`.${entry.slice('platform-constructs'.length)}`);
      for (const [name, range] of Object.entries(peers))
        expect([name, manifest.peerDependencies[name]]).toEqual([name, range]);
    }
  });

  test('each cloud entry point checks its peers before anything else loads', () => {
    for (const cloud of ['aws', 'azure']) {
      const index = fs.readFileSync(path.resolve(__dirname, `../../lib/${cloud}/index.ts`), 'utf8');
      expect(index.split('\n').find((line) => /^(import|export) /.test(line))).toBe("import './peers';");
    }
  });

  test('every missing peer is named at once, with the command that installs it', () => {
    const resolve = (name: string): string => {
      if (name === 'constructs') return '/node_modules/constructs/index.js';
      throw new Error(`Cannot find module '${name}'`);
    };
    expect(missingPeers('platform-constructs/aws', resolve)).toEqual(['aws-cdk-lib', 'cdk-nag']);
    expect(() => assertPeersInstalled('platform-constructs/aws', resolve)).toThrow(
      new MissingPeersError('platform-constructs/aws', ['aws-cdk-lib', 'cdk-nag']),
    );
    expect(new MissingPeersError('platform-constructs/aws', ['aws-cdk-lib', 'cdk-nag']).message).toBe(
      'platform-constructs/aws needs peer packages that are not installed: aws-cdk-lib, cdk-nag. Install them next to ' +
        'platform-constructs: npm install aws-cdk-lib@^2.276.0 cdk-nag@^3.0.2',
    );
  });

  test('this checkout has every peer of both entry points', () => {
    expect(missingPeers('platform-constructs/aws')).toEqual([]);
    expect(missingPeers('platform-constructs/azure')).toEqual([]);
  });
});
