import type { OperatingSystem } from './configuration';

/** Where an operating system's image comes from on each cloud, and what its root file system is. */
export interface OperatingSystemImage {
  /** The public SSM parameter holding the current AMI ID (x86_64); undefined when the OS does not run on AWS. */
  readonly awsImageParameter?: string;
  /** The Azure Marketplace image; undefined when the OS does not run on Azure. */
  readonly azureImage?: { readonly publisher: string; readonly offer: string; readonly sku: string };
  /** The smallest root disk the image boots from, in GiB, on each cloud it runs on. */
  readonly minDiskGiB: { readonly aws?: number; readonly azure?: number };
  /** The root file system type (the CloudWatch agent's `fstype` dimension). */
  readonly rootFsType: string;
  /** The AMI's root device name, which an explicit block device mapping must use. */
  readonly awsRootDevice?: string;
  /** The system log the image writes, shipped to the environment's logs (Amazon Linux 2023 logs to the journal only). */
  readonly systemLog?: string;
}

/** Images of the operating systems servers run. */
export const OPERATING_SYSTEM_IMAGES: Readonly<Record<OperatingSystem, OperatingSystemImage>> = {
  'ubuntu-24.04': {
    awsImageParameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    azureImage: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' },
    // The Azure image's OS disk is 30 GiB; the AMI's root volume is 8 GiB.
    minDiskGiB: { aws: 8, azure: 30 },
    rootFsType: 'ext4',
    awsRootDevice: '/dev/sda1',
    systemLog: '/var/log/syslog',
  },
  'amazon-linux-2023': {
    awsImageParameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    minDiskGiB: { aws: 8 },
    rootFsType: 'xfs',
    awsRootDevice: '/dev/xvda',
  },
};
