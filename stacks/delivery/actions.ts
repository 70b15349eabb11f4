/** A GitHub Action pinned to the full commit SHA of a release, so a moved or re-pointed tag cannot change what runs. */
export interface PinnedAction {
  /** The action's repository, `owner/name`. */
  readonly repository: string;
  /** The 40-hex commit the release tag points to (the peeled commit for an annotated tag). */
  readonly sha: string;
  /** The release tag the commit belongs to, written after the pin as `# v7.0.1` for people and for Dependabot. */
  readonly version: string;
}

/**
 * Every action the generated workflows use, pinned. To move one to a newer release, look up the tag's commit
 * (`git ls-remote https://github.com/<repository> refs/tags/<version>`, the `^{}` line for an annotated tag), change
 * both fields here and run `npm run workflows`.
 *
 * Not `actions/github-script@373c709c…`: that commit is widely copied as v9.0.0, but it names no commit of the
 * repository and fails every run at preflight.
 */
export const ACTIONS = {
  checkout: { repository: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { repository: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  setupTerraform: {
    repository: 'hashicorp/setup-terraform',
    sha: 'dfe3c3f87815947d99a8997f908cb6525fc44e9e',
    version: 'v4.0.1',
  },
  setupOpenTofu: {
    repository: 'opentofu/setup-opentofu',
    sha: 'a1320f892987e89d278cc92dc5adc984fb93aca4',
    version: 'v2.0.2',
  },
  uploadArtifact: {
    repository: 'actions/upload-artifact',
    sha: '043fb46d1a93c77aae656e7c1c64a875d1fc6a0a',
    version: 'v7.0.1',
  },
  githubScript: {
    repository: 'actions/github-script',
    sha: 'd746ffe35508b1917358783b479e04febd2b8f71',
    version: 'v9.0.0',
  },
} as const satisfies Record<string, PinnedAction>;

/** The `uses:` value of a pinned action: `owner/name@<sha>`. */
export function usesOf(action: PinnedAction): string {
  return `${action.repository}@${action.sha}`;
}
