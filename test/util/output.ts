import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a folder holding cdk.out/ and cdktf.out/ holds: its entries, and a digest of every file under both. */
export interface OutputState {
  /** Every entry of the folder, sorted: leftovers (`*.tmp-<pid>`, `*.old-<pid>`, a journal) show here. */
  readonly entries: readonly string[];
  /** A sha1 of every file under cdk.out/ and cdktf.out/, by path relative to the folder. */
  readonly files: Readonly<Record<string, string>>;
}

/** Reads the state of a folder holding cdk.out/ and cdktf.out/. */
export function outputOf(dir: string): OutputState {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex');
    }
  };
  for (const name of ['cdk.out', 'cdktf.out']) {
    if (fs.existsSync(path.join(dir, name))) walk(path.join(dir, name));
  }
  return { entries: fs.readdirSync(dir).sort(), files };
}

/** Writes a small stand-in for both clouds' output, every file marked with `tag`. */
export function writeFakeOutput(dir: string, tag: string): void {
  const files: Record<string, string> = {
    'cdk.out/manifest.json': `{"version":"${tag}"}`,
    'cdk.out/assembly-platform-dev/manifest.json': `{"stage":"${tag}"}`,
    'cdk.out/assembly-platform-dev/platform-dev-foundation.template.json': `{"Resources":{"${tag}":{}}}`,
    'cdktf.out/manifest.json': `{"version":"${tag}"}`,
    'cdktf.out/stacks/platform-dev/cdk.tf.json': `{"resource":{"${tag}":{}}}`,
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}
