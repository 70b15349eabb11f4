import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ContainerCluster, ContainerService, Monitoring, Network, PlatformStack, PolicyChecks } from '../../lib/aws';
import { defineEnvironment, type Tier } from '../../lib/core';
import { exampleKeyVaultId } from '../../stacks/environments/workloads';
import { devInput, prodInput } from '../util/fixtures';

/**
 * A team's own CDK app, outside the platform's stacks: its own App (the defaults of `new App()`), one PlatformStack,
 * a network, monitoring, a cluster and a service built from a Dockerfile directory, with the guardrails applied.
 */
function teamApp(outdir: string, imageRoot: string, tier: Tier): App {
  const base = tier === 'production' ? prodInput() : devInput();
  const env = defineEnvironment({
    ...base,
    azure: { ...base.azure, keyVaultId: exampleKeyVaultId(base.name) },
    services: [
      {
        name: 'api',
        image: { directory: 'api', azureReference: 'example.azurecr.io/api:1.0.0' },
        cpu: 0.25,
        memoryGiB: 0.5,
        port: 8080,
        ...(tier === 'production' && {
          awsCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        }),
      },
    ],
  });
  const app = new App({ outdir });
  const stack = new PlatformStack(app, 'payments', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    tier,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    monitoring,
  });
  const containers = new ContainerCluster(stack, 'Containers', { name: env.name, vpc: network.vpc });
  new ContainerService(stack, 'Api', {
    spec: env.services[0]!,
    environment: env.name,
    cluster: containers.cluster,
    vpc: network.vpc,
    monitoring,
    accessLogBucket: containers.accessLogBucket,
    imageRoot,
  });
  PolicyChecks.applyTo(app, { tier });
  return app;
}

/** Every file under a folder, by path relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe("a team's assembly (AWS)", () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'team-app-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each<Tier>(['development', 'production'])(
    '%s: no file records the repository path, the home directory or the temporary directory',
    (tier) => {
      const imageRoot = path.join(work, 'images');
      fs.mkdirSync(path.join(imageRoot, 'api'), { recursive: true });
      fs.writeFileSync(path.join(imageRoot, 'api', 'Dockerfile'), 'FROM public.ecr.aws/nginx/nginx:1.27\n');
      const outdir = path.join(work, 'cdk.out');
      teamApp(outdir, imageRoot, tier).synth();

      const machinePaths = [process.cwd(), path.resolve(__dirname, '../..'), os.homedir(), os.tmpdir(), work];
      // The asset folder is a copy of the image directory: the team's own files, not what synthesis records.
      const recorded = filesUnder(outdir).filter((file) => !file.startsWith('asset.'));
      expect(recorded).toEqual(expect.arrayContaining(['manifest.json', 'tree.json', 'payments.template.json']));
      const found = recorded.flatMap((file) => {
        const text = fs.readFileSync(path.join(outdir, file), 'utf8');
        return machinePaths.filter((p) => text.includes(p)).map((p) => `${file}: ${p}`);
      });
      expect(found).toEqual([]);
      // The image is still built from the directory: the assets manifest names the asset folder, relatively.
      const assets = fs.readFileSync(path.join(outdir, 'payments.assets.json'), 'utf8');
      expect(assets).toMatch(/"directory": "asset\.[0-9a-f]{64}"/);
    },
  );
});
