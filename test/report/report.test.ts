import type { Finding } from '../../lib/report/model';
import { buildReport, type ReportInput } from '../../lib/report/report';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { reviewChanges } from '../../lib/review/review';
import { reportEnvironments } from '../util/review-fixtures';
import { sharedSynthesis } from '../util/shared-synthesis';

// buildReport on the shared output: one cloud, a change review, findings that arrive while it draws
// (test/report/build-report.test.ts: the order of the environments, the differences, determinism).
let stacks: SynthesizedStack[];
let environments: ReportInput['environments'];

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
  environments = reportEnvironments();
});

/** The stacks with the Terraform resources under these construct paths taken out of one environment's Azure stack. */
function without(environment: string, prefixes: readonly string[]): SynthesizedStack[] {
  const pathOf = (body: unknown): string =>
    ((body as { '//'?: { metadata?: { path?: string } } })['//']?.metadata?.path ?? '') + '/';
  return stacks.map((s) => {
    if (s.cloud !== 'azure' || s.environment !== environment) return s;
    const resource: Record<string, Record<string, unknown>> = {};
    for (const [type, byName] of Object.entries(s.json.resource as Record<string, Record<string, unknown>>)) {
      const kept = Object.entries(byName).filter(([, body]) => !prefixes.some((p) => pathOf(body).startsWith(p)));
      if (kept.length > 0) resource[type] = Object.fromEntries(kept);
    }
    return { ...s, json: { ...s.json, resource } };
  });
}

test('Azure alone: each environment once with its Azure diagram, and no delivery page (the pipeline is AWS only)', async () => {
  const report = await buildReport({ stacks, environments, clouds: ['azure'], head: 'the working tree' });
  expect(report.environments.map((e) => [e.environment, e.clouds.map((c) => c.cloud)])).toEqual([
    ['dev', ['azure']],
    ['staging', ['azure']],
    ['prod', ['azure']],
  ]);
  for (const env of report.environments) {
    const [cloud] = env.clouds;
    expect(cloud!.svg).toMatch(new RegExp(`^<svg [^>]*data-nodes="\\d+"`));
    expect(cloud!.findings).toBeUndefined();
    expect(cloud!.resourceCount).toBeGreaterThan(50);
  }
});

test('with a change: the review on its environment and cloud only, what it destroys drawn from the base as a ghost', async () => {
  // Deploying the head over the base destroys dev's web check (all of it: a ghost) and its Recovery Services vault
  // (one resource of the backup node, which stays: marked destroyed, losing data).
  const head = without('dev', ['platform-dev/checks/web/', 'platform-dev/backup/Vault/']);
  const review = reviewChanges(
    { label: 'main', commit: 'a'.repeat(40), stacks },
    { label: 'the working tree', stacks: head },
    { order: environments.map((e) => e.name) },
  );
  const report = await buildReport({
    stacks: head,
    environments,
    clouds: ['aws', 'azure'],
    change: { review, baseStacks: stacks },
    head: 'the working tree',
  });
  expect(report.generatedFrom).toEqual({ head: 'the working tree', base: 'a'.repeat(40) });
  const reviewed = report.environments.flatMap((e) =>
    e.clouds.filter((c) => c.review && c.review.changes.length > 0).map((c) => `${e.environment}/${c.cloud}`),
  );
  expect(reviewed).toEqual(['dev/azure']);
  const dev = report.environments[0]!.clouds.find((c) => c.cloud === 'azure')!;
  expect(new Set(dev.review!.changes.map((c) => c.action))).toEqual(new Set(['destroy']));
  const nodes = dev.diagram.groups.flatMap((g) => g.nodes);
  const changed = nodes
    .filter((n) => n.change !== undefined)
    .map((n) => [n.group, n.label, n.change, n.dataLoss])
    .sort();
  expect(changed).toEqual([
    ['backup', 'backup', 'destroy', true],
    ['checks', 'web', 'ghost', false],
  ]);
  expect(dev.svg).toMatch(/<g id="dev-azure-[^"]*" class="node change-ghost">/);
  // The other environments are drawn as they are, uncoloured.
  const prod = report.environments[2]!.clouds.find((c) => c.cloud === 'azure')!;
  expect(prod.diagram.groups.flatMap((g) => g.nodes).filter((n) => n.change !== undefined)).toEqual([]);
});

test('findings given as a promise that settles later go to the environment and cloud of their stack', async () => {
  let settle: (rows: readonly Finding[]) => void = () => undefined;
  const findings = new Promise<readonly Finding[]>((resolve) => (settle = resolve));
  const finding: Finding = {
    cloud: 'aws',
    stack: 'platform-staging-foundation',
    rule: 'AwsSolutions-X1',
    severity: 'error',
    resource: 'Bucket',
    message: 'a finding',
  };
  const building = buildReport({ stacks, environments, clouds: ['aws'], findings, head: 'the working tree' });
  // The guardrails answer last, as they do when they run in a process of their own.
  setTimeout(() => settle([finding]), 50);
  const report = await building;
  expect(report.environments.map((e) => [e.environment, e.clouds.map((c) => c.findings?.length)])).toEqual([
    ['dev', [0]],
    ['staging', [1]],
    ['prod', [0]],
    ['delivery', [0]],
  ]);
});
