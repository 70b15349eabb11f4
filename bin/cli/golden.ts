import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DELIVERY_UNIT } from './synth-unit';
import type { DeliverySpec, Environment } from '../../lib/core';
import {
  compareInventory,
  readCdkOut,
  readCdktfOut,
  statefulInventory,
  type StatefulInventory,
  type SynthesizedStack,
} from '../../lib/review';
import { UsageError } from './command';
import { CLOUDS, synthesize, type Cloud } from './synth';

/** Where the golden lists of stateful resources live, one file per environment and cloud. */
export const GOLDEN_DIR = path.join('test', 'golden');

/** The golden file of one environment on one cloud, relative to the repository root. */
export function goldenFile(environment: string, cloud: Cloud): string {
  return path.join(GOLDEN_DIR, `${environment}.${cloud}.json`);
}

/** Usage text of `npm run golden`. */
export const GOLDEN_USAGE = 'npm run golden   (no options: records every environment on both clouds in test/golden/)';

/**
 * Checks the arguments of `npm run golden`, which takes none: an option meant for another command (`--env`,
 * `--help`) is refused before anything is synthesized or written, rather than ignored while every golden file is
 * rewritten.
 */
export function parseGoldenArgs(argv: readonly string[]): void {
  if (argv.length > 0) {
    throw new UsageError(`${argv.map((a) => `${JSON.stringify(a)} is not an option`).join('; ')}\n  ${GOLDEN_USAGE}`);
  }
}

/**
 * Synthesizes the environments, and the delivery's pipeline when it covers them (validation off: only the resource
 * IDs matter), and reads the stacks back.
 */
export async function synthesizeStacks(
  environments: readonly Environment[],
  delivery?: DeliverySpec,
): Promise<SynthesizedStack[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-golden-'));
  try {
    const cdkOut = path.join(dir, 'cdk.out');
    const cdktfOut = path.join(dir, 'cdktf.out');
    await synthesize({
      environments,
      clouds: CLOUDS,
      validation: false,
      cdkOut,
      cdktfOut,
      ...(delivery && { delivery }),
    });
    return [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What has a golden file, by name and cloud: every environment on both clouds, and the delivery (its pipeline stack
 * and support stacks, AWS only) when it has an AWS side.
 */
function goldenSubjects(
  environments: readonly Environment[],
  delivery?: DeliverySpec,
): Array<{ readonly name: string; readonly cloud: Cloud }> {
  return [
    ...environments.flatMap((env) => CLOUDS.map((cloud) => ({ name: env.name, cloud }))),
    ...(delivery?.aws ? [{ name: DELIVERY_UNIT, cloud: 'aws' as const }] : []),
  ];
}

function inventoryOf(stacks: readonly SynthesizedStack[], environment: string, cloud: Cloud): StatefulInventory {
  return statefulInventory(stacks.filter((s) => s.environment === environment && s.cloud === cloud));
}

/** Reads a golden file; an absent file is an empty list (every resource then shows as new). */
export function readGolden(root: string, environment: string, cloud: Cloud): StatefulInventory {
  const file = path.join(root, goldenFile(environment, cloud));
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StatefulInventory) : {};
}

/** Compares every environment and cloud (and the delivery) with its golden file; one explanation per difference. */
export function compareWithGolden(
  root: string,
  environments: readonly Environment[],
  stacks: readonly SynthesizedStack[],
  delivery?: DeliverySpec,
): string[] {
  return goldenSubjects(environments, delivery).flatMap(({ name, cloud }) =>
    compareInventory(readGolden(root, name, cloud), inventoryOf(stacks, name, cloud), cloud, goldenFile(name, cloud)),
  );
}

/** Writes the golden files from the synthesized stacks; returns the files whose content changed. */
export function writeGolden(
  root: string,
  environments: readonly Environment[],
  stacks: readonly SynthesizedStack[],
  delivery?: DeliverySpec,
): string[] {
  const changed: string[] = [];
  fs.mkdirSync(path.join(root, GOLDEN_DIR), { recursive: true });
  for (const { name, cloud } of goldenSubjects(environments, delivery)) {
    const file = goldenFile(name, cloud);
    const text = `${JSON.stringify(inventoryOf(stacks, name, cloud), null, 2)}\n`;
    const full = path.join(root, file);
    if (fs.existsSync(full) && fs.readFileSync(full, 'utf8') === text) continue;
    fs.writeFileSync(full, text);
    changed.push(file);
  }
  return changed;
}
