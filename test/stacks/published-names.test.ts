import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { platformParameterNames } from '../../lib/aws';
import { FoundationStack } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { temporaryFolders } from '../util/temp';

/**
 * The SSM parameters the prod foundation publishes for application teams, as teams read them
 * (PlatformEnvironment.join). This list is a contract with every team: change it only together with them.
 */
const PUBLISHED_IN_PROD: readonly string[] = [
  '/platform/prod/containers/access-log-bucket-name',
  '/platform/prod/containers/cluster-name',
  '/platform/prod/monitoring/application-log-group-name',
  '/platform/prod/monitoring/critical-topic-arn',
  '/platform/prod/monitoring/encryption-key-arn',
  '/platform/prod/monitoring/warning-topic-arn',
  '/platform/prod/network/private-route-table-ids',
  '/platform/prod/network/private-subnet-ids',
  '/platform/prod/network/public-route-table-ids',
  '/platform/prod/network/public-subnet-ids',
  '/platform/prod/network/vpc-cidr-block',
  '/platform/prod/network/vpc-id',
];

const outdir = temporaryFolders('platform-published-names-');

describe('the names the prod foundation publishes for application teams', () => {
  const prod = loadEnvironments().find((e) => e.name === 'prod');
  if (!prod) throw new Error('no prod environment in stacks/environments');
  const foundation = new FoundationStack(new App({ outdir: outdir() }), 'foundation', prod);
  const published = Object.values(
    Template.fromStack(foundation).findResources('AWS::SSM::Parameter') as Record<
      string,
      { Properties: { Name: string } }
    >,
  )
    .map((r) => r.Properties.Name)
    .sort();

  test('no published name is removed or renamed: every team that joins prod reads them at each deployment', () => {
    const removed = PUBLISHED_IN_PROD.filter((name) => !published.includes(name));
    if (removed.length > 0) {
      throw new Error(
        `The prod foundation no longer publishes ${removed.join(', ')}. Every application team that joins prod ` +
          '(PlatformEnvironment.join) reads these parameters when it deploys: removing or renaming one breaks ' +
          "every team's next deployment. Keep publishing it, or agree the change with the teams first and then " +
          'update this list.',
      );
    }
    expect(published).toEqual([...PUBLISHED_IN_PROD]);
  });

  test('the pinned names are exactly those join reads', () => {
    expect(Object.values(platformParameterNames('prod')).sort()).toEqual([...PUBLISHED_IN_PROD]);
  });
});
