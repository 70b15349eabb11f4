/**
 * The peer packages each entry point needs, with the ranges package.json gives them. npm has no per-subpath peers:
 * marking a cloud's libraries required would install both clouds' libraries for every team (the azurerm provider
 * alone is 270 MB), so they are optional peers, and each entry point checks for its own when it loads.
 */
export const ENTRY_POINT_PEERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'platform-constructs/aws': { 'aws-cdk-lib': '^2.276.0', constructs: '^10.0.0', 'cdk-nag': '^3.0.2' },
  'platform-constructs/azure': { cdktf: '0.21.0', '@cdktf/provider-azurerm': '^14.23.1', constructs: '^10.0.0' },
};

/**
 * The peers of `entryPoint` that cannot be resolved from `from` (this package's folder), in the order listed.
 * Resolves only: nothing is loaded.
 */
export function missingPeers(entryPoint: string, resolve: (name: string) => string = require.resolve): string[] {
  const peers = ENTRY_POINT_PEERS[entryPoint] ?? {};
  return Object.keys(peers).filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** Thrown when an entry point loads without the peer packages it needs. */
export class MissingPeersError extends Error {
  /** The packages that are not installed. */
  public readonly missing: readonly string[];

  constructor(entryPoint: string, missing: readonly string[]) {
    const peers = ENTRY_POINT_PEERS[entryPoint] ?? {};
    const install = missing.map((name) => `${name}@${peers[name] ?? 'latest'}`).join(' ');
    super(
      `${entryPoint} needs ${missing.length === 1 ? 'a peer package that is' : 'peer packages that are'} not installed: ` +
        `${missing.join(', ')}. Install ${missing.length === 1 ? 'it' : 'them'} next to platform-constructs: ` +
        `npm install ${install}`,
    );
    this.name = 'MissingPeersError';
    this.missing = missing;
  }
}

/**
 * Throws {@link MissingPeersError} naming every peer package `entryPoint` needs that is not installed, with the
 * command that installs them, instead of a `Cannot find module` from deep inside the first file that imports one.
 */
export function assertPeersInstalled(entryPoint: string, resolve?: (name: string) => string): void {
  const missing = missingPeers(entryPoint, resolve);
  if (missing.length > 0) throw new MissingPeersError(entryPoint, missing);
}
