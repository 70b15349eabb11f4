import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { checkProps } from '../core';
import { acknowledge } from './acknowledge';
import { RetainStatefulResources } from './protection';

/** Props of {@link ImagePin}. */
export interface ImagePinProps {
  /** The public SSM parameter naming the current image (`/aws/service/canonical/ubuntu/...`). */
  readonly parameterName: string;
  /** The log group of the function that reads the parameter (one per stack, shared by every pin). */
  readonly logGroupName: string;
  /** The key encrypting that log group; its policy must let CloudWatch Logs use it for the group. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long the function's logs are kept. The log group is retained when it leaves the stack;
   * `RetainStatefulResources` decides per stack.
   */
  readonly retention: logs.RetentionDays;
}

const ACKNOWLEDGEMENTS: readonly (readonly [string, string])[] = [
  [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The AWS-managed basic execution policy only lets the function write its own logs; aws-cdk-lib sets it',
  ],
  [
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'The inline policy allows ssm:GetParameter on the public image parameters only and lives and dies with the function role',
  ],
  [
    'NIST.800.53.R5-LambdaConcurrency',
    'CloudFormation invokes the function once when a server definition is created; it takes no other traffic',
  ],
  [
    'NIST.800.53.R5-LambdaDLQ',
    'CloudFormation invokes the function synchronously and reports a failure in the stack events; nothing is queued',
  ],
  [
    'NIST.800.53.R5-LambdaInsideVPC',
    'The function calls only the public SSM GetParameter API; it reaches no resource in the VPC',
  ],
];

/**
 * The image a server definition was created with, kept for its lifetime. Reading the public "current image"
 * parameter on every deployment (a CloudFormation SSM parameter or dynamic reference) would give a new AMI ID
 * whenever the publisher releases one, and a changed ImageId replaces the instance and deletes its root volume.
 * This custom resource reads the parameter once, when it is created; its properties never change afterwards,
 * so CloudFormation never calls it again and the ID it returned stays. To move to a newer image, pin one in the
 * spec (`image.awsImageId`): the change is then explicit in the diff.
 */
export class ImagePin extends Construct {
  /** The pinned AMI ID (a token resolved at deployment). */
  public readonly imageId: string;

  constructor(scope: Construct, id: string, props: ImagePinProps) {
    super(scope, id);
    checkProps('ImagePin', this.node.path, props, {
      parameterName: { kind: 'string', allowed: 'the public SSM parameter naming the image' },
      logGroupName: { kind: 'string', allowed: "the function's log group name" },
      encryptionKey: { kind: 'object', allowed: 'the KMS key of the log group (kms.IKey)' },
      retention: { kind: 'number', allowed: 'a logs.RetentionDays' },
    });
    const stack = Stack.of(this);
    const parameterArn = stack.formatArn({
      service: 'ssm',
      account: '',
      resource: 'parameter',
      resourceName: props.parameterName.replace(/^\//, ''),
    });
    const logGroup = ImagePin.logGroupOf(stack, props);
    const resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::ImagePin',
      onCreate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: props.parameterName },
        physicalResourceId: cr.PhysicalResourceId.of(props.parameterName),
        outputPaths: ['Parameter.Value'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
      installLatestAwsSdk: false,
      logGroup,
    });
    this.imageId = resource.getResponseField('Parameter.Value');
    const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
    for (const [rule, reason] of ACKNOWLEDGEMENTS) {
      acknowledge(this, rule, reason);
      if (provider) acknowledge(provider, rule, reason);
    }
  }

  /** A machine image of this pin, for `ec2.Instance`. */
  public machineImage(): ec2.IMachineImage {
    const imageId = this.imageId;
    return {
      getImage: () => ({ imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() }),
    };
  }

  /** One encrypted log group per stack for the shared function. */
  private static logGroupOf(stack: Stack, props: ImagePinProps): logs.ILogGroup {
    const id = 'ImagePinLogGroup';
    const existing = stack.node.tryFindChild(id);
    if (existing instanceof logs.LogGroup) return existing;
    return new logs.LogGroup(stack, id, {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retention,
      removalPolicy: RetainStatefulResources.removalPolicyOf(stack),
    });
  }
}
