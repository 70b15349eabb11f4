import {
  addLimitProblems,
  concurrentRequestsProblem,
  defineEnvironment,
  healthCheckPathProblem,
  IssueCollector,
  jobProblems,
  jobsSection,
  MAX_WORKLOADS_PER_STACK,
  portProblem,
  retriesProblem,
  scheduleFieldProblems,
  serviceProblems,
  servicesSection,
  SpecError,
  taskCountProblem,
  timeoutMinutesProblem,
  utilizationTargetProblem,
  WORKLOAD_LIMITS,
  workloadProblems,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const KEY_VAULT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-platform-dev';
const PAIRS = 'use a cpu/memoryGiB pair both clouds run: 0.25/0.5, 0.5/1, 1/2, 2/4, 4/8';
const RATE_RULE =
  'a rate both clouds can run: 1-59 minutes dividing an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30), whole hours dividing a day (60, 120, 180, 240, 360, 480, 720) or 1440 (daily); for anything else write a cron expression';
const NO_KEY_VAULT =
  'secrets need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)';
const NAME_RULE =
  'a kebab-case name of 2-20 lowercase letters, digits and single hyphens, such as api or nightly-report';

/** A service as the spec writes it: the required fields, overridden by `fields`. */
function service(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, ...fields };
}

/** A job as the spec writes it: the required fields, overridden by `fields`. */
function job(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'nightly', image: IMAGE, cpu: 0.5, memoryGiB: 1, schedule: { cron: '0 3 * * *' }, ...fields };
}

/** An environment input with these services and jobs (written as the spec would, valid or not). */
function withWorkloads(
  workloads: { services?: unknown; jobs?: unknown; keyVault?: boolean },
  base: EnvironmentInput = devInput(),
): EnvironmentInput {
  return {
    ...base,
    azure: { ...base.azure, ...(workloads.keyVault === true && { keyVaultId: KEY_VAULT_ID }) },
    ...(workloads.services !== undefined && { services: workloads.services as EnvironmentInput['services'] }),
    ...(workloads.jobs !== undefined && { jobs: workloads.jobs as EnvironmentInput['jobs'] }),
  };
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

describe('sections', () => {
  test('services and jobs are registered sections with tier defaults', () => {
    expect(servicesSection.defaults).toEqual({
      development: { minCount: 1, healthCheckPath: '/', minHealthyPercent: 50 },
      production: { minCount: 2, healthCheckPath: '/', minHealthyPercent: 100 },
    });
    expect(jobsSection.defaults).toEqual({
      development: { timeoutMinutes: 60, retries: 0 },
      production: { timeoutMinutes: 60, retries: 1 },
    });
  });

  test('an environment without services or jobs has empty lists', () => {
    const env = defineEnvironment(devInput());
    expect(env.services).toEqual([]);
    expect(env.jobs).toEqual([]);
  });
});

describe('services section: defaults', () => {
  test('development: one task, desired = min, max = 4 x min, health check on /, private, CPU autoscaling at 70%', () => {
    const env = defineEnvironment(withWorkloads({ services: [service()] }));
    expect(env.services).toEqual([
      {
        name: 'api',
        image: { reference: IMAGE },
        cpu: 0.5,
        memoryGiB: 1,
        environment: {},
        secrets: {},
        // From the hash of `service/api` (test/core/containers.test.ts pins it): a change would move every workload.
        stack: 2,
        port: 8080,
        healthCheckPath: '/',
        public: false,
        minCount: 1,
        desiredCount: 1,
        maxCount: 4,
        autoscaling: { cpuPercent: 70 },
        minHealthyPercent: 50,
      },
    ]);
    expect(env.services[0]).not.toHaveProperty('awsCertificateArn');
  });

  test('production: two tasks spread over zones, scaling up to 8', () => {
    const env = defineEnvironment(withWorkloads({ services: [service()] }, prodInput()));
    expect(env.services[0]).toMatchObject({ minCount: 2, desiredCount: 2, maxCount: 8, healthCheckPath: '/' });
  });

  test('the default max is 4 x min, or the desired count when that is larger', () => {
    const env = defineEnvironment(
      withWorkloads({
        services: [service({ name: 'one', minCount: 3 }), service({ name: 'two', desiredCount: 10 })],
      }),
    );
    expect(env.services.map((s) => [s.minCount, s.desiredCount, s.maxCount])).toEqual([
      [3, 3, 12],
      [1, 10, 10],
    ]);
  });

  test('explicit values win over the defaults', () => {
    const arn = 'arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const env = defineEnvironment(
      withWorkloads({
        services: [
          service({
            cpu: 2,
            memoryGiB: 4,
            healthCheckPath: '/healthz',
            public: true,
            minCount: 2,
            desiredCount: 3,
            maxCount: 6,
            autoscaling: { cpuPercent: 50, memoryPercent: 80, concurrentRequests: 100 },
            awsCertificateArn: arn,
            environment: { LOG_LEVEL: 'info' },
            stack: 0,
          }),
        ],
      }),
    );
    expect(env.services[0]).toMatchObject({
      cpu: 2,
      memoryGiB: 4,
      healthCheckPath: '/healthz',
      public: true,
      minCount: 2,
      desiredCount: 3,
      maxCount: 6,
      autoscaling: { cpuPercent: 50, memoryPercent: 80, concurrentRequests: 100 },
      awsCertificateArn: arn,
      environment: { LOG_LEVEL: 'info' },
      stack: 0,
    });
  });

  test('another autoscaling target keeps the CPU rule at 70%', () => {
    const env = defineEnvironment(withWorkloads({ services: [service({ autoscaling: { memoryPercent: 80 } })] }));
    expect(env.services[0]?.autoscaling).toEqual({ cpuPercent: 70, memoryPercent: 80 });
  });

  test('an image string becomes { reference }', () => {
    const env = defineEnvironment(withWorkloads({ services: [service({ image: 'myacr.azurecr.io/api:2.1' })] }));
    expect(env.services[0]?.image).toEqual({ reference: 'myacr.azurecr.io/api:2.1' });
  });

  test('a directory image is kept with its Azure reference', () => {
    const image = { directory: 'apps/api', azureReference: 'myacr.azurecr.io/api:1.0' };
    const env = defineEnvironment(withWorkloads({ services: [service({ image })] }));
    expect(env.services[0]?.image).toEqual(image);
  });

  test.each([
    [0.25, 0.5],
    [0.5, 1],
    [1, 2],
    [2, 4],
    [4, 8],
  ])('%d vCPU with %d GiB is accepted', (cpu, memoryGiB) => {
    const env = defineEnvironment(withWorkloads({ services: [service({ cpu, memoryGiB })] }));
    expect(env.services[0]).toMatchObject({ cpu, memoryGiB });
  });

  test('the resolved environment is frozen', () => {
    const env = defineEnvironment(withWorkloads({ services: [service()], jobs: [job()] }));
    expect(Object.isFrozen(env.services[0])).toBe(true);
    expect(Object.isFrozen(env.jobs[0]?.schedule)).toBe(true);
  });
});

describe('azure.keyVaultId', () => {
  test('is kept in the resolved environment, and lets services read secrets', () => {
    const env = defineEnvironment(
      withWorkloads({ services: [service({ secrets: { DB_PASSWORD: 'api-db-password' } })], keyVault: true }),
    );
    expect(env.azure.keyVaultId).toBe(KEY_VAULT_ID);
    expect(env.services[0]?.secrets).toEqual({ DB_PASSWORD: 'api-db-password' });
  });

  test('is absent unless given', () => {
    expect(defineEnvironment(devInput()).azure).not.toHaveProperty('keyVaultId');
  });

  test('must be a Key Vault resource ID', () => {
    const base = devInput();
    expect(problems({ ...base, azure: { ...base.azure, keyVaultId: 'kv-platform-dev' } })).toEqual([
      'dev.azure.keyVaultId: "kv-platform-dev" - a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>',
    ]);
  });
});

describe('services section: rules', () => {
  test('a cpu/memory pair Azure cannot run is refused at memoryGiB, with both values', () => {
    expect(problems(withWorkloads({ services: [service({ cpu: 0.5, memoryGiB: 2 })] }))).toEqual([
      `dev.services[0].memoryGiB: {"cpu":0.5,"memoryGiB":2} - Azure Container Apps need memory = 2 x cpu (1 GiB); ${PAIRS}`,
    ]);
  });

  test('a cpu that is not a Fargate size is refused at cpu, whatever the memory', () => {
    expect(problems(withWorkloads({ services: [service({ cpu: 0.3, memoryGiB: 1 })] }))).toEqual([
      `dev.services[0].cpu: 0.3 - 0.3 vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4); ${PAIRS}`,
    ]);
  });

  test.each([-1, 0])('a cpu of %d is refused at cpu, not at memoryGiB', (cpu) => {
    expect(problems(withWorkloads({ services: [service({ cpu, memoryGiB: 1 })] }))).toEqual([
      `dev.services[0].cpu: ${cpu} - a number of vCPUs: 0.25, 0.5, 1, 2 or 4`,
    ]);
  });

  test('a memory of 0 GiB is refused at memoryGiB', () => {
    expect(problems(withWorkloads({ services: [service({ memoryGiB: 0 })] }))).toEqual([
      'dev.services[0].memoryGiB: 0 - memory in GiB, twice the cpu: 0.5, 1, 2, 4 or 8',
    ]);
  });

  test.each([0, 65536])('port %i is refused', (port) => {
    expect(problems(withWorkloads({ services: [service({ port })] }))).toEqual([
      `dev.services[0].port: ${port} - a port from 1 to 65535`,
    ]);
  });

  test('ports 1 and 65535 are accepted', () => {
    const env = defineEnvironment(
      withWorkloads({ services: [service({ name: 'one', port: 1 }), service({ name: 'two', port: 65535 })] }),
    );
    expect(env.services.map((s) => s.port)).toEqual([1, 65535]);
  });

  test('a min count above the max count is refused, once (the desired count then has no range to be in)', () => {
    expect(problems(withWorkloads({ services: [service({ minCount: 5, maxCount: 2, desiredCount: 2 })] }))).toEqual([
      'dev.services[0].minCount: 5 - at most maxCount (2)',
    ]);
  });

  test('a min count above the max count is reported once, at minCount, when desiredCount is not written', () => {
    expect(problems(withWorkloads({ services: [service({ minCount: 5, maxCount: 2 })] }))).toEqual([
      'dev.services[0].minCount: 5 - at most maxCount (2)',
    ]);
  });

  test.each([
    [6, 'above max'],
    [1, 'below min'],
  ])('a desired count of %i (%s) is refused with the range', (desiredCount) => {
    expect(problems(withWorkloads({ services: [service({ minCount: 2, maxCount: 4, desiredCount })] }))).toEqual([
      `dev.services[0].desiredCount: ${desiredCount} - from minCount (2) to maxCount (4)`,
    ]);
  });

  test('a production service with one task is refused', () => {
    expect(problems(withWorkloads({ services: [service({ minCount: 1 })] }, prodInput()))).toEqual([
      'prod.services[0].minCount: 1 - at least 2 in a production-tier environment (one per zone survives a zone)',
    ]);
  });

  test('secrets without azure.keyVaultId are refused', () => {
    expect(
      problems(withWorkloads({ services: [service({ secrets: { DB_PASSWORD: 'db-password', API_KEY: 'key' } })] })),
    ).toEqual([`dev.services[0].secrets: ["DB_PASSWORD","API_KEY"] - ${NO_KEY_VAULT}`]);
  });

  test('an empty secrets map needs no Key Vault', () => {
    expect(defineEnvironment(withWorkloads({ services: [service({ secrets: {} })] })).services[0]?.secrets).toEqual({});
  });

  test('a variable both in environment and in secrets is refused at the secret', () => {
    expect(
      problems(
        withWorkloads({
          services: [service({ environment: { DB_PASSWORD: 'x', LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: 'db' } })],
          keyVault: true,
        }),
      ),
    ).toEqual([
      'dev.services[0].secrets.DB_PASSWORD: "DB_PASSWORD" - a variable that is not also in environment (a secret never sits in plain text)',
    ]);
  });

  test('an environment variable name that is not upper snake case is refused with the rule', () => {
    expect(problems(withWorkloads({ services: [service({ environment: { 'log-level': 'info' } })] }))).toEqual([
      'dev.services[0].environment.log-level: "info" - an environment variable name such as LOG_LEVEL',
    ]);
  });

  test('an environment variable name that is not upper snake case is refused at its key', () => {
    const found = problems(withWorkloads({ services: [service({ environment: { 'log-level': 'info', OK: 'x' } })] }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^dev\.services\[0\]\.environment\.log-level: "info" - /);
  });

  test('a secret name with characters Key Vault refuses is refused', () => {
    expect(
      problems(withWorkloads({ services: [service({ secrets: { DB_PASSWORD: 'db_password' } })], keyVault: true })),
    ).toEqual([
      'dev.services[0].secrets.DB_PASSWORD: "db_password" - a secret name of 1-127 letters, digits and hyphens (valid in Secrets Manager and Key Vault)',
    ]);
  });

  test('a certificate that is not an ACM ARN is refused', () => {
    const arn = 'arn:aws:iam::111111111111:server-certificate/api';
    expect(problems(withWorkloads({ services: [service({ awsCertificateArn: arn })] }))).toEqual([
      `dev.services[0].awsCertificateArn: "${arn}" - an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<certificate id, a UUID>`,
    ]);
  });

  test('a health check path that is not absolute is refused', () => {
    expect(problems(withWorkloads({ services: [service({ healthCheckPath: 'healthz' })] }))).toEqual([
      'dev.services[0].healthCheckPath: "healthz" - an absolute URL path such as /healthz',
    ]);
  });

  test('a name that is not kebab-case is refused', () => {
    expect(problems(withWorkloads({ services: [service({ name: 'Api' })] }))).toEqual([
      `dev.services[0].name: "Api" - ${NAME_RULE}`,
    ]);
  });

  test('an image without a tag is refused with the reason', () => {
    expect(problems(withWorkloads({ services: [service({ image: 'nginx' })] }))).toEqual([
      'dev.services[0].image: "nginx" - an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest (a moving "latest" cannot be reviewed or rolled back)',
    ]);
  });

  test('an image tagged latest is refused', () => {
    expect(problems(withWorkloads({ services: [service({ image: 'nginx:latest' })] }))).toEqual([
      'dev.services[0].image: "nginx:latest" - an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest; "latest" moves, pin a version or digest',
    ]);
  });

  test('a directory image must stay inside the project and have a pinned Azure reference', () => {
    expect(
      problems(
        withWorkloads({
          services: [
            service({ name: 'one', image: { directory: '../api', azureReference: 'myacr.azurecr.io/api:1' } }),
            service({ name: 'two', image: { directory: 'apps/api', azureReference: 'myacr.azurecr.io/api' } }),
            service({ name: 'three', image: { directory: 'apps/api' } }),
          ],
        }),
      ),
    ).toEqual([
      'dev.services[0].image.directory: "../api" - a directory relative to the project root, without ..',
      'dev.services[1].image.azureReference: "myacr.azurecr.io/api" - an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest (a moving "latest" cannot be reviewed or rolled back)',
      'dev.services[2].image: {"directory":"apps/api"} - an image reference with a tag or digest, or { directory, azureReference }',
    ]);
  });

  test('two services with the same name are refused at the second', () => {
    expect(problems(withWorkloads({ services: [service(), service({ port: 9090 })] }))).toEqual([
      'dev.services[1].name: "api" - a name no other service or job has (services[0] has it)',
    ]);
  });

  test('a job with the name of a service is refused at the job', () => {
    expect(
      problems(withWorkloads({ services: [service({ name: 'report' })], jobs: [job({ name: 'report' })] })),
    ).toEqual(['dev.jobs[0].name: "report" - a name no other service or job has (services[0] has it)']);
  });

  test.each([
    [12, 'a workload stack from 0 to 11'],
    [-1, 'at least 0'],
    [1.5, 'expected a whole number'],
  ])('stack %d is refused', (stack, message) => {
    expect(problems(withWorkloads({ services: [service({ stack })] }))).toEqual([
      `dev.services[0].stack: ${stack} - ${message}`,
    ]);
  });
});

describe('workload stacks', () => {
  const pinned = (count: number, stack: number): Array<Record<string, unknown>> =>
    Array.from({ length: count }, (_, i) => service({ name: `svc-${i}`, stack }));

  const overflow = (at: string): string =>
    `dev.${at}.stack: 3 - workload stack 3 already holds ${MAX_WORKLOADS_PER_STACK} services and jobs (CloudFormation allows 500 resources per stack); pin this one to another stack with stack: <0-11>`;

  test('a stack takes 12 workloads', () => {
    const env = defineEnvironment(withWorkloads({ services: pinned(MAX_WORKLOADS_PER_STACK, 3) }));
    expect(env.services.map((s) => s.stack)).toEqual(Array.from({ length: 12 }, () => 3));
  });

  test('the 13th service pinned to one stack is refused at its stack field', () => {
    expect(problems(withWorkloads({ services: pinned(MAX_WORKLOADS_PER_STACK + 1, 3) }))).toEqual([
      overflow(`services[${MAX_WORKLOADS_PER_STACK}]`),
    ]);
  });

  test('services and jobs count together: a job after 18 services on its stack is refused', () => {
    expect(
      problems(withWorkloads({ services: pinned(MAX_WORKLOADS_PER_STACK, 3), jobs: [job({ stack: 3 })] })),
    ).toEqual([overflow('jobs[0]')]);
  });

  test('every workload beyond 18 on one stack is reported in one run', () => {
    expect(problems(withWorkloads({ services: pinned(MAX_WORKLOADS_PER_STACK + 2, 3) }))).toEqual([
      overflow(`services[${MAX_WORKLOADS_PER_STACK}]`),
      overflow(`services[${MAX_WORKLOADS_PER_STACK + 1}]`),
    ]);
  });

  test('an invalid jobs value does not hide the services stack overflow', () => {
    expect(problems(withWorkloads({ services: pinned(MAX_WORKLOADS_PER_STACK + 1, 3), jobs: 'nightly' }))).toEqual([
      'dev.jobs: "nightly" - expected a list',
      overflow(`services[${MAX_WORKLOADS_PER_STACK}]`),
    ]);
  });

  test('adding services and jobs never moves an existing one to another stack', () => {
    const stacksOf = (env: ReturnType<typeof defineEnvironment>): Map<string, number> =>
      new Map([...env.services, ...env.jobs].map((w) => [w.name, w.stack]));
    const before = stacksOf(
      defineEnvironment(
        withWorkloads({
          services: [service({ name: 'api' }), service({ name: 'web' })],
          jobs: [job({ name: 'nightly' })],
        }),
      ),
    );
    const after = stacksOf(
      defineEnvironment(
        withWorkloads({
          services: [
            service({ name: 'billing' }),
            service({ name: 'api' }),
            service({ name: 'search' }),
            service({ name: 'web' }),
          ],
          jobs: [job({ name: 'cleanup' }), job({ name: 'nightly' }), job({ name: 'report' })],
        }),
      ),
    );
    expect(before.size).toBe(3);
    for (const [name, stack] of before) expect([name, after.get(name)]).toEqual([name, stack]);
  });

  test('a service and a job take their stack from kind and name unless pinned', () => {
    const env = defineEnvironment(
      withWorkloads({ services: [service(), service({ name: 'web', stack: 0 })], jobs: [job()] }),
    );
    // `service/api` hashes to 2 and `web` is pinned to 0; `job/nightly` hashes to 0.
    expect(env.services.map((s) => s.stack)).toEqual([2, 0]);
    expect(env.jobs[0]?.stack).toBe(0);
    // The kind counts: a job named api (in an environment of its own) hashes elsewhere than the service api.
    const jobApi = defineEnvironment(withWorkloads({ jobs: [job({ name: 'api' })] }));
    expect(jobApi.jobs[0]?.stack).toBe(7);
  });
});

describe('jobs section: defaults', () => {
  test('development: a 60-minute timeout and no retry', () => {
    const env = defineEnvironment(withWorkloads({ jobs: [job()] }));
    expect(env.jobs).toEqual([
      {
        name: 'nightly',
        image: { reference: IMAGE },
        cpu: 0.5,
        memoryGiB: 1,
        environment: {},
        secrets: {},
        stack: 0,
        schedule: { cron: '0 3 * * *' },
        timeoutMinutes: 60,
        retries: 0,
      },
    ]);
  });

  test('production: a failed run is retried once', () => {
    const env = defineEnvironment(withWorkloads({ jobs: [job()] }, prodInput()));
    expect(env.jobs[0]).toMatchObject({ timeoutMinutes: 60, retries: 1 });
  });

  test('a cron schedule and a rate schedule are both kept as written', () => {
    const env = defineEnvironment(
      withWorkloads({
        jobs: [
          job({ name: 'weekdays', schedule: { cron: '30 6 * * MON-FRI' } }),
          job({ name: 'poll', schedule: { rateMinutes: 15 } }),
        ],
      }),
    );
    expect(env.jobs.map((j) => j.schedule)).toEqual([{ cron: '30 6 * * MON-FRI' }, { rateMinutes: 15 }]);
  });

  test('explicit timeout and retries win', () => {
    const env = defineEnvironment(withWorkloads({ jobs: [job({ timeoutMinutes: 1440, retries: 10 })] }));
    expect(env.jobs[0]).toMatchObject({ timeoutMinutes: 1440, retries: 10 });
  });
});

describe('jobs section: rules', () => {
  test('an invalid cron expression is refused at schedule.cron with the field', () => {
    expect(problems(withWorkloads({ jobs: [job({ schedule: { cron: '0 24 * * *' } })] }))).toEqual([
      'dev.jobs[0].schedule.cron: "0 24 * * *" - hour "24": values 0-23',
    ]);
  });

  test('a cron expression with both day fields restricted is refused', () => {
    expect(problems(withWorkloads({ jobs: [job({ schedule: { cron: '0 3 1 * MON' } })] }))).toEqual([
      'dev.jobs[0].schedule.cron: "0 3 1 * MON" - day of month and day of week cannot both be restricted (EventBridge Scheduler cannot express it); keep one "*"',
    ]);
  });

  test('a rate Azure cannot express is refused at schedule.rateMinutes with the rates allowed', () => {
    expect(problems(withWorkloads({ jobs: [job({ schedule: { rateMinutes: 7 } })] }))).toEqual([
      `dev.jobs[0].schedule.rateMinutes: 7 - ${RATE_RULE}`,
    ]);
  });

  test.each([
    [0, 'at least 1'],
    [1441, 'at most 1440 minutes (daily)'],
  ])('a rate of %i minutes is refused', (rateMinutes, message) => {
    expect(problems(withWorkloads({ jobs: [job({ schedule: { rateMinutes } })] }))).toEqual([
      `dev.jobs[0].schedule.rateMinutes: ${rateMinutes} - ${message}`,
    ]);
  });

  test('a schedule with both cron and rate, or neither, is refused', () => {
    expect(
      problems(
        withWorkloads({
          jobs: [
            job({ name: 'one', schedule: { cron: '0 3 * * *', rateMinutes: 5 } }),
            job({ name: 'two', schedule: {} }),
          ],
        }),
      ),
    ).toEqual([
      'dev.jobs[0].schedule: {"cron":"0 3 * * *","rateMinutes":5} - { cron: "<5 fields, UTC>" } or { rateMinutes }',
      'dev.jobs[1].schedule: {} - { cron: "<5 fields, UTC>" } or { rateMinutes }',
    ]);
  });

  test.each([
    [0, 'at least 1'],
    [1441, 'at most 1440 minutes'],
  ])('a timeout of %i minutes is refused', (timeoutMinutes, message) => {
    expect(problems(withWorkloads({ jobs: [job({ timeoutMinutes })] }))).toEqual([
      `dev.jobs[0].timeoutMinutes: ${timeoutMinutes} - ${message}`,
    ]);
  });

  test.each([
    [-1, 'at least 0'],
    [11, 'at most 10 retries'],
  ])('%i retries are refused', (retries, message) => {
    expect(problems(withWorkloads({ jobs: [job({ retries })] }))).toEqual([
      `dev.jobs[0].retries: ${retries} - ${message}`,
    ]);
  });

  test('the workload rules apply to jobs too', () => {
    expect(
      problems(withWorkloads({ jobs: [job({ cpu: 1, memoryGiB: 4, secrets: { TOKEN: 'report-token' } })] })),
    ).toEqual([
      `dev.jobs[0].memoryGiB: {"cpu":1,"memoryGiB":4} - Azure Container Apps need memory = 2 x cpu (2 GiB); ${PAIRS}`,
      `dev.jobs[0].secrets: ["TOKEN"] - ${NO_KEY_VAULT}`,
    ]);
  });

  test('two jobs with the same name are refused at the second', () => {
    expect(problems(withWorkloads({ jobs: [job(), job()] }))).toEqual([
      'dev.jobs[1].name: "nightly" - a name no other service or job has (jobs[0] has it)',
    ]);
  });
});

describe('services and jobs: every problem in one error', () => {
  test('problems across services and jobs are all reported, and invalid entries do not hide the valid ones', () => {
    const input = withWorkloads({
      services: [
        service({ port: 0 }),
        service({ name: 'web', cpu: 1, memoryGiB: 1, secrets: { A: 'a' } }),
        service({ name: 'admin', minCount: 3, maxCount: 2, desiredCount: 2 }),
      ],
      jobs: [
        job({ name: 'web', schedule: { cron: '0 3 * *' } }),
        job({ name: 'x', retries: 20 }),
        job({ name: 'poll', schedule: { rateMinutes: 45 } }),
      ],
    });
    const error = errorOf(() => defineEnvironment(input));
    expect(error.message).toMatch(/^Invalid environment spec \(9 problems\):\n/);
    expect(problems(input)).toEqual([
      // Each entry's own fields, first.
      'dev.services[0].port: 0 - a port from 1 to 65535',
      `dev.jobs[1].name: "x" - ${NAME_RULE}`,
      'dev.jobs[1].retries: 20 - at most 10 retries',
      // Then the rules across fields of the entries that parsed.
      `dev.services[1].memoryGiB: {"cpu":1,"memoryGiB":1} - Azure Container Apps need memory = 2 x cpu (2 GiB), and Fargate allows 2-8 GiB at 1 vCPU; ${PAIRS}`,
      `dev.services[1].secrets: ["A"] - ${NO_KEY_VAULT}`,
      'dev.services[2].minCount: 3 - at most maxCount (2)',
      'dev.jobs[0].schedule.cron: "0 3 * *" - five fields (minute hour day-of-month month day-of-week, UTC), such as "0 3 * * *"; got 4',
      `dev.jobs[2].schedule.rateMinutes: 45 - ${RATE_RULE}`,
      'dev.jobs[0].name: "web" - a name no other service or job has (services[1] has it)',
    ]);
  });
});

describe('workload limits: one set of numbers and checks for the spec and the constructs of both clouds', () => {
  const valid = {
    cpu: 0.5,
    memoryGiB: 1,
    environment: {},
    secrets: {},
    port: 8080,
    healthCheckPath: '/healthz',
    minCount: 1,
    desiredCount: 2,
    maxCount: 4,
    autoscaling: { cpuPercent: 70 },
  };

  test('the numbers', () => {
    expect(WORKLOAD_LIMITS).toEqual({
      port: { min: 1, max: 65535 },
      taskCount: { min: 1, max: 100 },
      utilizationPercent: { min: 10, max: 95 },
      concurrentRequests: { min: 1, max: 10000 },
      timeoutMinutes: { min: 1, max: 1440 },
      retries: { min: 0, max: 10 },
      healthCheckPathLength: { max: 1024 },
    });
  });

  test.each([
    ['port', 1, 65535, 0, 65536, 'a port from 1 to 65535', 'a port from 1 to 65535'],
    ['minCount', 1, 100, 0, 101, 'at least 1', 'at most 100'],
    ['autoscaling.cpuPercent', 10, 95, 9, 96, 'a target from 10 to 95 percent', 'a target from 10 to 95 percent'],
    ['autoscaling.memoryPercent', 10, 95, 9, 96, 'a target from 10 to 95 percent', 'a target from 10 to 95 percent'],
    ['autoscaling.concurrentRequests', 1, 10000, 0, 10001, 'at least 1', 'at most 10000'],
  ])('services: %s takes %d to %d, and refuses %d and %d in the spec', (field, min, max, below, above, low, high) => {
    const at = (value: number): Record<string, unknown> =>
      field.startsWith('autoscaling.')
        ? service({ autoscaling: { [field.slice('autoscaling.'.length)]: value }, minCount: 1, maxCount: 4 })
        : service({ [field]: value, ...(field === 'minCount' && { maxCount: 100, desiredCount: 100 }) });
    for (const value of [min, max])
      expect(() => defineEnvironment(withWorkloads({ services: [at(value)] }))).not.toThrow();
    expect(problems(withWorkloads({ services: [at(below)] }))).toEqual([`dev.services[0].${field}: ${below} - ${low}`]);
    expect(problems(withWorkloads({ services: [at(above)] }))).toEqual([
      `dev.services[0].${field}: ${above} - ${high}`,
    ]);
  });

  test('a number that is not whole is refused in the words of the limit, in the spec too', () => {
    expect(problems(withWorkloads({ jobs: [job({ timeoutMinutes: 2.5, retries: 0.5 })] }))).toEqual([
      'dev.jobs[0].timeoutMinutes: 2.5 - a whole number of minutes from 1 to 1440',
      'dev.jobs[0].retries: 0.5 - a whole number of retries from 0 to 10',
    ]);
    expect(portProblem(80.5)).toBe('a port from 1 to 65535');
    expect(utilizationTargetProblem(50.5)).toBe('a whole-number target from 10 to 95 percent');
    expect(taskCountProblem(1.5)).toBe('a whole number of tasks from 1 to 100');
    expect(concurrentRequestsProblem(Number.NaN)).toBe('a whole number of requests from 1 to 10000');
  });

  test('the field checks accept what is within their limits', () => {
    expect([
      portProblem(1),
      taskCountProblem(100),
      utilizationTargetProblem(95),
      concurrentRequestsProblem(10000),
      timeoutMinutesProblem(1440),
      retriesProblem(0),
      healthCheckPathProblem('/'),
    ]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(healthCheckPathProblem(`/${'h'.repeat(1024)}`)).toBe(
      'at most 1024 characters (the longest health check path a target group takes)',
    );
  });

  test('serviceProblems reports every field of a service, each at its path, with what was received', () => {
    expect(serviceProblems(valid)).toEqual([]);
    expect(
      serviceProblems({
        ...valid,
        cpu: 1,
        memoryGiB: 4,
        environment: { TOKEN: 'x' },
        secrets: { TOKEN: 'token' },
        port: 0,
        healthCheckPath: 'healthz',
        autoscaling: { cpuPercent: 99, memoryPercent: 5, concurrentRequests: 0 },
      }),
    ).toEqual([
      {
        path: 'memoryGiB',
        value: { cpu: 1, memoryGiB: 4 },
        allowed: `Azure Container Apps need memory = 2 x cpu (2 GiB); ${PAIRS}`,
      },
      {
        path: 'secrets.TOKEN',
        value: 'TOKEN',
        allowed: 'a variable that is not also in environment (a secret never sits in plain text)',
      },
      { path: 'port', value: 0, allowed: 'a port from 1 to 65535' },
      { path: 'healthCheckPath', value: 'healthz', allowed: 'an absolute URL path such as /healthz' },
      { path: 'autoscaling.cpuPercent', value: 99, allowed: 'a target from 10 to 95 percent' },
      { path: 'autoscaling.memoryPercent', value: 5, allowed: 'a target from 10 to 95 percent' },
      { path: 'autoscaling.concurrentRequests', value: 0, allowed: 'at least 1' },
    ]);
  });

  test('the order of the counts is judged only once each count is within its limits', () => {
    expect(serviceProblems({ ...valid, minCount: 5, maxCount: 2 })).toEqual([
      { path: 'minCount', value: 5, allowed: 'at most maxCount (2)' },
    ]);
    expect(serviceProblems({ ...valid, desiredCount: 9 })).toEqual([
      { path: 'desiredCount', value: 9, allowed: 'from minCount (1) to maxCount (4)' },
    ]);
    // 500 tasks is wrong in itself: the spec says so first, and nothing about maxCount.
    expect(serviceProblems({ ...valid, desiredCount: 500 })).toEqual([
      { path: 'desiredCount', value: 500, allowed: 'at most 100' },
    ]);
  });

  test('workloadProblems reports a CPU that is no size at cpu, a pair at memoryGiB', () => {
    expect(workloadProblems({ ...valid, cpu: 3, memoryGiB: 6 })).toEqual([
      { path: 'cpu', value: 3, allowed: `3 vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4); ${PAIRS}` },
    ]);
    expect(workloadProblems({ ...valid, cpu: 0.5, memoryGiB: 2 }).map((p) => p.path)).toEqual(['memoryGiB']);
  });

  test('jobProblems reports the schedule at its field, the timeout and the retries', () => {
    const ok = { cpu: 0.5, memoryGiB: 1, environment: {}, secrets: {}, timeoutMinutes: 60, retries: 1 };
    expect(jobProblems({ ...ok, schedule: { cron: '0 3 * * *' } })).toEqual([]);
    expect(jobProblems({ ...ok, schedule: { rateMinutes: 7 }, timeoutMinutes: 0, retries: 11 })).toEqual([
      { path: 'schedule.rateMinutes', value: 7, allowed: RATE_RULE },
      { path: 'timeoutMinutes', value: 0, allowed: 'at least 1' },
      { path: 'retries', value: 11, allowed: 'at most 10 retries' },
    ]);
    expect(scheduleFieldProblems({ cron: '0 24 * * *' })).toEqual([
      { path: 'schedule.cron', value: '0 24 * * *', allowed: 'hour "24": values 0-23' },
    ]);
  });

  test('addLimitProblems records each problem under the prefix of its caller', () => {
    const issues = new IssueCollector();
    addLimitProblems(issues, 'jobs.nightly', [{ path: 'retries', value: 11, allowed: 'at most 10 retries' }]);
    expect(issues.issues).toEqual([{ path: 'jobs.nightly.retries', value: 11, message: 'at most 10 retries' }]);
  });
});
