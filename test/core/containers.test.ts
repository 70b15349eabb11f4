import {
  CONTAINER_SIZES,
  containerSizeProblem,
  MAX_WORKLOADS_PER_STACK,
  parseImageReference,
  WORKLOAD_STACKS,
  workloadStackOf,
} from '../../lib/core';

const PAIRS = 'use a cpu/memoryGiB pair both clouds run: 0.25/0.5, 0.5/1, 1/2, 2/4, 4/8';
const IMAGE_ALLOWED =
  'an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest';
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('container sizes', () => {
  test('the sizes both clouds run are the five pairs with memory = 2 x cpu', () => {
    expect(CONTAINER_SIZES).toEqual([
      { cpu: 0.25, memoryGiB: 0.5 },
      { cpu: 0.5, memoryGiB: 1 },
      { cpu: 1, memoryGiB: 2 },
      { cpu: 2, memoryGiB: 4 },
      { cpu: 4, memoryGiB: 8 },
    ]);
  });

  test.each(CONTAINER_SIZES.map((s) => [s.cpu, s.memoryGiB]))('%d vCPU with %d GiB is accepted', (cpu, memoryGiB) => {
    expect(containerSizeProblem(cpu, memoryGiB)).toBeUndefined();
  });

  test('a Fargate size with memory other than 2 x cpu is refused for Azure, with the pairs allowed', () => {
    expect(containerSizeProblem(0.5, 2)).toBe(`Azure Container Apps need memory = 2 x cpu (1 GiB); ${PAIRS}`);
  });

  test('a cpu that is not a Fargate size is refused with the Fargate sizes', () => {
    expect(containerSizeProblem(0.3, 1)).toBe(`0.3 vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4); ${PAIRS}`);
  });

  test('4 vCPU with 30 GiB runs on Fargate but not on Azure, and only Azure is named', () => {
    expect(containerSizeProblem(4, 30)).toBe(`Azure Container Apps need memory = 2 x cpu (8 GiB); ${PAIRS}`);
  });

  test('memory outside the Fargate range names both clouds', () => {
    expect(containerSizeProblem(1, 10)).toBe(
      `Azure Container Apps need memory = 2 x cpu (2 GiB), and Fargate allows 2-8 GiB at 1 vCPU; ${PAIRS}`,
    );
  });
});

describe('parseImageReference', () => {
  test('a reference of 255 characters is accepted, and a digest does not count towards them', () => {
    const reference = `myacr.azurecr.io/${'a'.repeat(236)}:1`;
    expect(reference).toHaveLength(255);
    expect(parseImageReference(reference)).toMatchObject({ registry: 'myacr.azurecr.io', tag: '1' });
    expect(parseImageReference(`${reference}@${DIGEST}`)).toMatchObject({ digest: DIGEST });
  });

  test('a reference of more than 255 characters before the digest is refused with the ECS limit, at once', () => {
    const reference = `myacr.azurecr.io/${'a'.repeat(100000)}:1`;
    const started = Date.now();
    expect(parseImageReference(reference)).toBe(
      `${IMAGE_ALLOWED}, of at most 255 characters before any @digest (the ECS limit for a container image; Docker's reference grammar allows no longer name); this one has 100,019`,
    );
    expect(Date.now() - started).toBeLessThan(100);
  });

  test('a registry is detected from a dot in the first part', () => {
    expect(parseImageReference('public.ecr.aws/nginx/nginx:1.27')).toEqual({
      registry: 'public.ecr.aws',
      repository: 'nginx/nginx',
      tag: '1.27',
    });
  });

  test('a first part without a dot, port or localhost is part of the repository (Docker Hub)', () => {
    expect(parseImageReference('library/nginx:1')).toEqual({ repository: 'library/nginx', tag: '1' });
  });

  test('a single-part repository has no registry', () => {
    expect(parseImageReference('nginx:1.27')).toEqual({ repository: 'nginx', tag: '1.27' });
  });

  test('a registry with a port is detected', () => {
    expect(parseImageReference('localhost:5000/app:1')).toEqual({
      registry: 'localhost:5000',
      repository: 'app',
      tag: '1',
    });
    expect(parseImageReference('registry.example.com:443/a/b/c:v1')).toEqual({
      registry: 'registry.example.com:443',
      repository: 'a/b/c',
      tag: 'v1',
    });
  });

  test('localhost is a registry without a port', () => {
    expect(parseImageReference('localhost/app:1')).toEqual({ registry: 'localhost', repository: 'app', tag: '1' });
  });

  test('a digest without a tag is accepted', () => {
    expect(parseImageReference(`myacr.azurecr.io/app@${DIGEST}`)).toEqual({
      registry: 'myacr.azurecr.io',
      repository: 'app',
      digest: DIGEST,
    });
  });

  test('a tag and a digest are both kept', () => {
    expect(parseImageReference(`myacr.azurecr.io/team/app:1.2@${DIGEST}`)).toEqual({
      registry: 'myacr.azurecr.io',
      repository: 'team/app',
      tag: '1.2',
      digest: DIGEST,
    });
  });

  test('latest pinned by a digest is accepted: the digest says which image runs', () => {
    expect(parseImageReference(`nginx:latest@${DIGEST}`)).toEqual({
      repository: 'nginx',
      tag: 'latest',
      digest: DIGEST,
    });
  });

  test('a reference without tag or digest is refused: latest moves', () => {
    expect(parseImageReference('nginx')).toBe(`${IMAGE_ALLOWED} (a moving "latest" cannot be reviewed or rolled back)`);
  });

  test('an explicit latest tag is refused', () => {
    expect(parseImageReference('public.ecr.aws/nginx/nginx:latest')).toBe(
      `${IMAGE_ALLOWED}; "latest" moves, pin a version or digest`,
    );
  });

  test.each([
    ['an upper-case repository', 'Nginx:1'],
    ['an empty reference', ''],
    ['an empty tag', 'nginx:'],
    ['a tag starting with a hyphen', 'nginx:-x'],
    ['a short digest', 'nginx:1@sha256:abc'],
    ['an upper-case digest', `nginx@sha256:${'A'.repeat(64)}`],
    ['an empty path component', 'a//b:1'],
    ['trailing whitespace', 'nginx:1 '],
  ])('%s is refused: %j', (_, reference) => {
    expect(parseImageReference(reference)).toBe(IMAGE_ALLOWED);
  });

  test('an upper-case first part that is not a registry is refused', () => {
    expect(parseImageReference('Acme/app:1')).toBe(`${IMAGE_ALLOWED} (repository names are lowercase)`);
  });
});

describe('workloadStackOf', () => {
  const names = Array.from({ length: 200 }, (_, i) => `svc-${i}`);

  test('is stable: the same kind and name always give the same stack (a move would replace the workload)', () => {
    expect(workloadStackOf('service', 'api')).toBe(2);
    expect(workloadStackOf('service', 'web')).toBe(7);
    expect(workloadStackOf('job', 'nightly')).toBe(0);
  });

  test('is an integer from 0 to WORKLOAD_STACKS - 1, and spreads over every stack', () => {
    const stacks = names.map((n) => workloadStackOf('service', n));
    for (const stack of stacks) {
      expect(Number.isInteger(stack)).toBe(true);
      expect(stack).toBeGreaterThanOrEqual(0);
      expect(stack).toBeLessThan(WORKLOAD_STACKS);
    }
    expect(new Set(stacks).size).toBe(WORKLOAD_STACKS);
  });

  test('depends on the kind: a service and a job of the same name may land apart', () => {
    expect(workloadStackOf('service', 'api')).toBe(2);
    expect(workloadStackOf('job', 'api')).toBe(7);
  });

  test('a pinned stack wins, 0 included', () => {
    expect(workloadStackOf('service', 'api', 9)).toBe(9);
    expect(workloadStackOf('job', 'api', 0)).toBe(0);
  });

  test('adding other names never changes the stack of an existing one', () => {
    const before = ['api', 'web', 'worker'].map((n) => workloadStackOf('service', n));
    const after = new Map(
      ['billing', 'api', 'search', 'web', 'mailer', 'worker'].map((n) => [n, workloadStackOf('service', n)]),
    );
    expect(['api', 'web', 'worker'].map((n) => after.get(n))).toEqual(before);
  });

  test('12 stacks of at most 18 hold over 100 workloads', () => {
    expect(WORKLOAD_STACKS).toBe(12);
    expect(MAX_WORKLOADS_PER_STACK).toBe(12);
    expect(WORKLOAD_STACKS * MAX_WORKLOADS_PER_STACK).toBeGreaterThan(100);
  });
});
