import { App, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { acknowledgementsOn, ImagePin, RetainStatefulResources, type ImagePinProps } from '../../lib/aws';
import { OPERATING_SYSTEM_IMAGES } from '../../lib/core';

const UBUNTU = OPERATING_SYSTEM_IMAGES['ubuntu-24.04'].awsImageParameter!;
const AL2023 = OPERATING_SYSTEM_IMAGES['amazon-linux-2023'].awsImageParameter!;

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;

interface Built {
  readonly stack: Stack;
  readonly key: kms.Key;
  readonly pins: readonly ImagePin[];
  readonly template: Template;
}

/** One stack with a rotating key and one pin per entry of `pins` (parameter name and props). */
function build(pins: readonly [string, Partial<ImagePinProps>?][], retainData?: boolean): Built {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const created = pins.map(
    ([parameterName, props], i) =>
      new ImagePin(stack, `Pin${i + 1}`, {
        parameterName,
        logGroupName: '/platform/dev/image-pin',
        encryptionKey: key,
        retention: logs.RetentionDays.ONE_YEAR,
        ...props,
      }),
  );
  return { stack, key, pins: created, template: Template.fromStack(stack) };
}

function providerOf(stack: Stack): lambda.Function {
  const provider = stack.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
  if (!(provider instanceof lambda.Function)) throw new Error('no provider function');
  return provider;
}

/** The Custom::ImagePin resource behind a pin, found through the attribute its imageId reads. */
function pinResource(built: Built, pin: ImagePin): Resources[string] {
  const [logicalId] = (built.stack.resolve(pin.imageId) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return (built.template.toJSON().Resources as Resources)[logicalId]!;
}

describe('ImagePin (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build([[UBUNTU]]);
  });

  test('reads the public parameter once, when created: there is no update or delete call', () => {
    const resource = pinResource(built, built.pins[0]!);
    expect(resource.Type).toBe('Custom::ImagePin');
    expect(JSON.parse(String(resource.Properties.Create))).toEqual({
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: UBUNTU },
      physicalResourceId: { id: UBUNTU },
      outputPaths: ['Parameter.Value'],
    });
    expect(resource.Properties.Update).toBeUndefined();
    expect(resource.Properties.Delete).toBeUndefined();
    expect(resource.Properties.InstallLatestAwsSdk).toBe(false);
  });

  test('imageId is the Parameter.Value the pin returned, and machineImage() is a Linux image of it', () => {
    const pin = built.pins[0]!;
    const imageId = built.stack.resolve(pin.imageId) as { 'Fn::GetAtt': [string, string] };
    expect(imageId['Fn::GetAtt'][1]).toBe('Parameter.Value');
    const image = pin.machineImage().getImage(built.stack);
    expect(built.stack.resolve(image.imageId)).toEqual(imageId);
    expect(image.osType).toBe(ec2.OperatingSystemType.LINUX);
  });

  test('the function may read that one parameter only (its ARN has no double slash)', () => {
    const provider = providerOf(built.stack);
    const policies = Object.values(
      built.template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [built.stack.resolve(provider.role!.roleName)] },
      }),
    );
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        {
          Action: 'ssm:GetParameter',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:eu-west-1::parameter${UBUNTU}`]],
          },
        },
      ],
    ]);
  });

  test('the function logs to an encrypted log group with the given retention, retained by default', () => {
    const provider = providerOf(built.stack);
    const groups = built.template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups)).toEqual([
      {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          LogGroupName: '/platform/dev/image-pin',
          KmsKeyId: built.stack.resolve(built.key.keyArn),
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      },
    ]);
    const properties = (built.template.toJSON().Resources as Resources)[
      built.stack.getLogicalId(provider.node.defaultChild as CfnResource)
    ]!.Properties;
    expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: Object.keys(groups)[0] } });
  });

  test('in a stack whose data is not retained (RetainStatefulResources), the log group is deleted with it', () => {
    build([[UBUNTU]], false).template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('pins in one stack share one provider function and one log group, made with the first pin', () => {
    const two = build([[UBUNTU], [AL2023, { retention: logs.RetentionDays.ONE_WEEK }]]);
    const provider = providerOf(two.stack);
    expect(two.pins.map((pin) => pinResource(two, pin).Properties.ServiceToken)).toEqual([
      two.stack.resolve(provider.functionArn),
      two.stack.resolve(provider.functionArn),
    ]);
    expect(two.pins.map((pin) => JSON.parse(String(pinResource(two, pin).Properties.Create)).parameters.Name)).toEqual([
      UBUNTU,
      AL2023,
    ]);
    two.template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(
      Object.values(two.template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.RetentionInDays),
    ).toEqual([365]);
  });

  test('the AWS-managed and NIST findings of the function are acknowledged with reasons, and nothing else', () => {
    expect(Object.keys(acknowledgementsOn(providerOf(built.stack))).sort()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'NIST.800.53.R5-LambdaConcurrency',
      'NIST.800.53.R5-LambdaDLQ',
      'NIST.800.53.R5-LambdaInsideVPC',
    ]);
  });

  test('no unacknowledged AwsSolutions or NIST 800-53 R5 finding on the pin, its function or its log group', () => {
    const findings = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      pack
        .validateScope(built.stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});
