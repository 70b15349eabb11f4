import type { PlatformReport } from '../../lib/report/model';
import { buildReport, type ReportInput } from '../../lib/report/report';
import { renderSite } from '../../lib/report/site';
import { readCdkOut, readCdktfOut } from '../../lib/review/outputs';
import { reportEnvironments } from '../util/review-fixtures';
import { sharedSynthesis } from '../util/shared-synthesis';

let input: ReportInput;
let report: PlatformReport;
let site: ReadonlyMap<string, string>;

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  input = {
    stacks: [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)],
    environments: reportEnvironments(),
    clouds: ['aws', 'azure'],
    findings: [
      {
        cloud: 'aws',
        stack: 'platform-prod-foundation',
        rule: 'AwsSolutions-X1',
        severity: 'warning',
        resource: 'Thing <script>alert(1)</script>',
        message: 'a "quoted" & <b>bold</b> finding',
      },
    ],
    head: 'the working tree',
  };
  report = await buildReport(input);
  site = renderSite(report);
});

describe('buildReport', () => {
  test('every environment in list order, then the delivery pipeline (AWS only)', () => {
    expect(
      report.environments.map((e) => [e.environment, e.tier ?? '', e.clouds.map((c) => c.cloud).join('+')]),
    ).toEqual([
      ['dev', 'development', 'aws+azure'],
      ['staging', 'production', 'aws+azure'],
      ['prod', 'production', 'aws+azure'],
      ['delivery', '', 'aws'],
    ]);
  });

  test('the differences from the previous environment, from the second on', () => {
    const between = report.environments.map((e) => e.clouds.map((c) => c.between?.from ?? '-').join(','));
    expect(between).toEqual(['-,-', 'dev,dev', 'staging,staging', '-']);
    const prod = report.environments[2]!.clouds[0]!.between!.review;
    expect(prod.changes.some((c) => c.action === 'create')).toBe(true);
  });

  test('findings go to the environment and cloud of their stack', () => {
    const withFindings = report.environments.flatMap((e) =>
      e.clouds.filter((c) => (c.findings ?? []).length > 0).map((c) => `${e.environment}/${c.cloud}`),
    );
    expect(withFindings).toEqual(['prod/aws']);
  });

  test('two builds of the same output give the same site, byte for byte', async () => {
    const again = renderSite(await buildReport(input));
    expect([...again.keys()]).toEqual([...site.keys()]);
    for (const [name, content] of site) expect(again.get(name)).toBe(content);
  });
});
