/** The sizes a server can have, smallest first. */
export const SERVER_SIZE_NAMES = ['small', 'medium', 'large', 'xlarge'] as const;
/** A server size. */
export type ServerSize = (typeof SERVER_SIZE_NAMES)[number];

/** What one size is on each cloud: the same vCPUs and memory, x86_64, general purpose. */
export interface ServerSizeMapping {
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** Memory, in GiB. */
  readonly memoryGiB: number;
  /** The EC2 instance type (m6i: general purpose, Nitro, EBS-optimized by default). */
  readonly awsInstanceType: string;
  /** The Azure VM size (Dsv5: general purpose, premium storage). */
  readonly azureVmSize: string;
  /** The Azure size supports encryption at host (every Dsv5 size does). */
  readonly azureEncryptionAtHost: boolean;
}

/**
 * The size mapping, the same shape on both clouds so that a server costs and performs alike on each:
 * m6i and Dsv5 are both current-generation, general-purpose x86_64 families with 4 GiB per vCPU.
 */
export const SERVER_SIZES: Readonly<Record<ServerSize, ServerSizeMapping>> = {
  small: {
    vcpus: 2,
    memoryGiB: 8,
    awsInstanceType: 'm6i.large',
    azureVmSize: 'Standard_D2s_v5',
    azureEncryptionAtHost: true,
  },
  medium: {
    vcpus: 4,
    memoryGiB: 16,
    awsInstanceType: 'm6i.xlarge',
    azureVmSize: 'Standard_D4s_v5',
    azureEncryptionAtHost: true,
  },
  large: {
    vcpus: 8,
    memoryGiB: 32,
    awsInstanceType: 'm6i.2xlarge',
    azureVmSize: 'Standard_D8s_v5',
    azureEncryptionAtHost: true,
  },
  xlarge: {
    vcpus: 16,
    memoryGiB: 64,
    awsInstanceType: 'm6i.4xlarge',
    azureVmSize: 'Standard_D16s_v5',
    azureEncryptionAtHost: true,
  },
};
