import {
  defineApplication,
  defineEnvironment,
  formatIssue,
  resolveApplication,
  SpecError,
  type ApplicationInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const AWS = { account: '123456789012', region: 'eu-west-1' };
const AZURE = { location: 'westeurope' };

type ServiceInput = NonNullable<ApplicationInput['services']>[number];
type JobInput = NonNullable<ApplicationInput['jobs']>[number];

/** A service as a team writes it: the required fields, overridden by `fields` (valid or not). */
function service(fields: Record<string, unknown> = {}): ServiceInput {
  return { name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, ...fields } as ServiceInput;
}

/** A job as a team writes it: the required fields, overridden by `fields` (valid or not). */
function job(fields: Record<string, unknown> = {}): JobInput {
  return {
    name: 'nightly',
    image: IMAGE,
    cpu: 0.5,
    memoryGiB: 1,
    schedule: { cron: '0 3 * * *' },
    ...fields,
  } as JobInput;
}

/** A valid application of an AWS-only team joining `prod`; `fields` replace top-level fields. */
function awsApp(fields: Record<string, unknown> = {}): ApplicationInput {
  return {
    name: 'payments',
    environment: { name: 'prod', tier: 'production', aws: AWS },
    services: [service()],
    ...fields,
  } as ApplicationInput;
}

/** The problems an application spec produces, as `path: value - message` lines. */
function problems(input: unknown): string[] {
  const error = errorOf(() => defineApplication(input as ApplicationInput));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map(formatIssue);
}

describe('defineApplication', () => {
  test('resolves an AWS-only application with the zones the platform environment uses in that region and tier', () => {
    const app = defineApplication(awsApp());
    expect(app.name).toBe('payments');
    expect(app.environment).toEqual({
      name: 'prod',
      tier: 'production',
      aws: {
        account: '123456789012',
        region: 'eu-west-1',
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      },
    });
    expect(app.services.map((s) => s.name)).toEqual(['payments-api']);
    expect(app.jobs).toEqual([]);
  });

  test('resolves an Azure-only application with the location code of its names', () => {
    const app = defineApplication({
      name: 'payments',
      environment: { name: 'dev', tier: 'development', azure: AZURE },
      jobs: [job()],
    });
    expect(app.environment).toEqual({
      name: 'dev',
      tier: 'development',
      azure: { location: 'westeurope', locationCode: 'weu' },
    });
    expect(app.jobs.map((j) => j.name)).toEqual(['payments-nightly']);
  });

  test('takes the availability zones the team gives, and refuses zones of another region or given twice', () => {
    const zones = ['eu-west-1b', 'eu-west-1c'];
    const app = defineApplication(
      awsApp({ environment: { name: 'prod', tier: 'production', aws: { ...AWS, availabilityZones: zones } } }),
    );
    expect(app.environment.aws?.availabilityZones).toEqual(zones);
    const bad = ['eu-west-1a', 'eu-west-1a', 'us-east-1a'];
    expect(
      problems(awsApp({ environment: { name: 'prod', tier: 'production', aws: { ...AWS, availabilityZones: bad } } })),
    ).toEqual([
      'payments.environment.aws.availabilityZones: ["us-east-1a"] - zones of the region eu-west-1 (such as eu-west-1a)',
      'payments.environment.aws.availabilityZones: ["eu-west-1a","eu-west-1a","us-east-1a"] - each zone once',
    ]);
  });

  test('uses two zones in a development tier, as the platform environment does', () => {
    const app = defineApplication(awsApp({ environment: { name: 'dev', tier: 'development', aws: AWS } }));
    const platform = defineEnvironment({ ...devInput(), aws: AWS });
    expect(app.environment.aws?.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(app.environment.aws?.availabilityZones).toEqual(platform.aws.availabilityZones);
  });

  test('accepts secrets of an AWS-only team: nothing of Azure is demanded', () => {
    const app = defineApplication(awsApp({ services: [service({ secrets: { DB_PASSWORD: 'payments-db' } })] }));
    expect(app.services[0]?.secrets).toEqual({ DB_PASSWORD: 'payments-db' });
  });

  test("accepts secrets on Azure: they are read from the platform environment's Key Vault", () => {
    const app = defineApplication({
      name: 'payments',
      environment: { name: 'prod', tier: 'production', azure: AZURE },
      jobs: [job({ secrets: { TOKEN: 'payments-token' } })],
    });
    expect(app.jobs[0]?.secrets).toEqual({ TOKEN: 'payments-token' });
  });

  test('still refuses secrets in a platform environment without a Key Vault', () => {
    expect(() => defineEnvironment({ ...devInput(), services: [service({ secrets: { DB: 'db' } })] })).toThrow(
      /dev\.services\[0\]\.secrets: \["DB"\] - secrets need azure\.keyVaultId/,
    );
  });

  test('refuses an environment without a cloud', () => {
    expect(problems(awsApp({ environment: { name: 'prod', tier: 'production' } }))).toEqual([
      'payments.environment: {"name":"prod","tier":"production"} - aws ({ account, region }) or azure ({ location }), or both: the clouds the application deploys to',
    ]);
  });

  test('prefixes every workload name with the application name', () => {
    const app = defineApplication(awsApp({ services: [service(), service({ name: 'web' })], jobs: [job()] }));
    expect([...app.services, ...app.jobs].map((w) => w.name)).toEqual([
      'payments-api',
      'payments-web',
      'payments-nightly',
    ]);
  });

  test('refuses a name that makes a workload name longer than the platform allows, saying how long it may be', () => {
    expect(problems(awsApp({ jobs: [job({ name: 'end-of-day-report' })] }))).toEqual([
      'payments.jobs[0].name: "end-of-day-report" - a name of at most 11 characters: the workload is named "payments-end-of-day-report" (<application>-<name>), and workload names are a kebab-case name of 2-20 lowercase letters, digits and single hyphens, such as api or nightly-report',
    ]);
  });

  test('refuses a service name that makes the load balancer name longer than 32 characters', () => {
    const input = awsApp({
      name: 'pay',
      environment: { name: 'performance1', tier: 'development', aws: AWS },
      services: [service({ name: 'transactions-api' })],
    });
    expect(problems(input)).toEqual([
      'pay.services[0].name: "transactions-api" - a name of at most 15 characters: the load balancer is named "<environment>-<application>-<service>" ("performance1-pay-transactions-api", 33 characters), and AWS allows 32',
    ]);
    // Azure has no load balancer per service: the same name is within every Azure name rule.
    const azure = defineApplication({
      ...input,
      environment: { name: 'performance1', tier: 'development', azure: AZURE },
    });
    expect(azure.services[0]?.name).toBe('pay-transactions-api');
  });

  test('refuses an application name that is not short kebab-case, reporting under a fallback label', () => {
    expect(problems(awsApp({ name: 'Payments-Service' }))).toEqual([
      'application.name: "Payments-Service" - lowercase letters, digits and single hyphens, 2-12 characters, starting with a letter and ending with a letter or digit',
    ]);
  });

  test.each(['development', 'production'] as const)(
    'applies the %s tier defaults exactly as the platform environment does for its own workloads',
    (tier) => {
      const base = tier === 'production' ? prodInput() : devInput();
      const app = defineApplication({
        name: 'payments',
        environment: { name: base.name, tier, aws: AWS, azure: AZURE },
        services: [service({ public: true })],
        jobs: [job()],
      });
      const platform = defineEnvironment({
        ...base,
        aws: AWS,
        azure: { ...AZURE, keyVaultId: undefined },
        services: [service({ name: 'payments-api', public: true })],
        jobs: [job({ name: 'payments-nightly' })],
      });
      expect(app.services).toEqual(platform.services);
      expect(app.jobs).toEqual(platform.jobs);
      expect(app.protection).toEqual(platform.protection);
      expect(app.environment.aws?.availabilityZones).toEqual(platform.aws.availabilityZones);
      // The alert channels are the platform's: the application routes to them and names none of its own.
      expect(app.monitoring).toEqual({ ...platform.monitoring, emails: [], webhookUrls: [] });
    },
  );

  test("takes the team's alarm overrides and log retention, and keeps the tier's minimum retention", () => {
    const alarms = { 'service/payments-api/cpu': { threshold: 85 } };
    const app = defineApplication(awsApp({ monitoring: { alarms, logRetentionDays: 400 } }));
    expect(app.monitoring.alarms).toEqual(alarms);
    expect(app.monitoring.logRetentionDays).toBe(400);
    expect(problems(awsApp({ monitoring: { logRetentionDays: 30 } }))).toEqual([
      'payments.monitoring.logRetentionDays: 30 - at least 365 days in a production-tier environment (logs are evidence for audits and incidents)',
    ]);
    expect(problems(awsApp({ monitoring: { emails: ['team@example.com'] } }))).toEqual([
      'payments.monitoring.emails: ["team@example.com"] - unknown field; allowed fields here: alarms, logRetentionDays',
    ]);
  });

  test('reports every problem at once, with its path and value', () => {
    const input = {
      name: 'payments',
      environment: { name: 'prod', tier: 'production', aws: { account: '12345', region: 'eu-west-1' }, extra: true },
      services: [service({ port: 0 }), service({ name: 'web', minCount: 1 })],
      jobs: [job({ name: 'web', cpu: 3 }), job({ name: 'end-of-day-report', retries: 20 })],
    };
    expect(problems(input)).toEqual([
      'payments.environment.aws.account: "12345" - an AWS account ID of 12 digits, as a string',
      'payments.environment.extra: true - unknown field; allowed fields here: name, tier, aws, azure',
      'payments.services[0].port: 0 - a port from 1 to 65535',
      'payments.jobs[1].retries: 20 - at most 10 retries',
      'payments.services[1].minCount: 1 - at least 2 in a production-tier environment (one per zone survives a zone)',
      'payments.jobs[0].cpu: 3 - 3 vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4); use a cpu/memoryGiB pair both clouds run: 0.25/0.5, 0.5/1, 1/2, 2/4, 4/8',
      'payments.jobs[0].name: "payments-web" - a name no other service or job has (services[1] has it)',
      'payments.jobs[1].name: "end-of-day-report" - a name of at most 11 characters: the workload is named "payments-end-of-day-report" (<application>-<name>), and workload names are a kebab-case name of 2-20 lowercase letters, digits and single hyphens, such as api or nightly-report',
    ]);
  });

  test("adds environment, application and managed-by to the team's tags, and refuses them in the spec", () => {
    const app = defineApplication(awsApp({ tags: { owner: 'payments-team', 'cost-centre': 'cc-42' } }));
    expect(app.tags).toEqual({
      application: 'payments',
      'cost-centre': 'cc-42',
      environment: 'prod',
      'managed-by': 'platform-constructs',
      owner: 'payments-team',
    });
    expect(Object.keys(defineApplication(awsApp()).tags)).toEqual(['application', 'environment', 'managed-by']);
    expect(problems(awsApp({ tags: { Application: 'x', environment: 'y', 'managed-by': 'z', 'aws:x': 'w' } }))).toEqual(
      [
        'payments.tags.environment: "y" - set by the library; remove it from the spec',
        'payments.tags.managed-by: "z" - set by the library; remove it from the spec',
        'payments.tags.aws:x: "w" - the aws: prefix is reserved by AWS',
        'payments.tags.Application: "x" - set by the library (the application\'s name); remove it from the spec',
      ],
    );
  });

  test('handles hostile input as an environment spec does', () => {
    const tags = JSON.parse('{"__proto__": "x", "team": "a\\u0000b"}') as Record<string, string>;
    const lines = problems(awsApp({ tags }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^payments\.tags\.__proto__: "x" - a key other than __proto__/);
    expect(lines[1]).toMatch(/^payments\.tags\.team: "a\\u0000b" - /);
    expect(problems(null)).toEqual(['application: null - expected an object']);
  });

  test('returns a deeply frozen spec, and resolveApplication reports without throwing', () => {
    const app = defineApplication(awsApp());
    expect(Object.isFrozen(app)).toBe(true);
    expect(Object.isFrozen(app.services[0]?.autoscaling)).toBe(true);
    expect(Object.isFrozen(app.environment.aws?.availabilityZones)).toBe(true);
    const result = resolveApplication({ name: 'payments' });
    expect(result.application).toBeUndefined();
    expect(result.issues.map(formatIssue)).toEqual(['payments.environment: (missing) - required: an object']);
  });

  test('titles the error as an application spec error', () => {
    expect(() => defineApplication(awsApp({ services: [service({ port: 70000 })] }))).toThrow(
      /^Invalid application spec \(1 problem\):\n {2}- payments\.services\[0\]\.port: 70000 - a port from 1 to 65535$/,
    );
  });
});
