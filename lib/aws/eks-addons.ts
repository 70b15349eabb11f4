import type { KubernetesVersion } from '../core/kubernetes';

/** The EKS add-ons every cluster gets, in the order they are created. */
export const EKS_ADDONS = [
  'vpc-cni',
  'kube-proxy',
  'eks-pod-identity-agent',
  'coredns',
  'aws-ebs-csi-driver',
  'kube-state-metrics',
] as const;

/** The name of an EKS add-on the platform installs. */
export type EksAddonName = (typeof EKS_ADDONS)[number];

/**
 * The pinned version of each add-on for each Kubernetes minor (`aws eks describe-addon-versions
 * --kubernetes-version <minor> --addon-name <name>`). Pinned, never "latest": a new add-on build reaches a cluster
 * only through a reviewed change of this table, and synthesis looks nothing up. A version upgrade of the cluster
 * moves every add-on to the row of the new minor in the same deployment (EKS updates add-ons in place).
 *
 * Checked 2026-12-04 against clusters and configurations of those minors, not against the EKS API (no AWS access
 * at build time): re-check each row with `describe-addon-versions` before its first deployment. The
 * `kube-state-metrics` entries are the EKS community add-on (since 2025), whose build numbers were not seen
 * anywhere: confirm them first.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<KubernetesVersion, Readonly<Record<EksAddonName, string>>>> = {
  '1.34': {
    'vpc-cni': 'v1.21.1-eksbuild.1',
    'kube-proxy': 'v1.34.1-eksbuild.2',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
    coredns: 'v1.12.4-eksbuild.1',
    'aws-ebs-csi-driver': 'v1.54.0-eksbuild.1',
    'kube-state-metrics': 'v2.17.0-eksbuild.1',
  },
  '1.35': {
    'vpc-cni': 'v1.21.1-eksbuild.3',
    'kube-proxy': 'v1.35.0-eksbuild.2',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
    coredns: 'v1.13.2-eksbuild.1',
    'aws-ebs-csi-driver': 'v1.54.0-eksbuild.1',
    'kube-state-metrics': 'v2.18.0-eksbuild.1',
  },
  '1.36': {
    'vpc-cni': 'v1.22.3-eksbuild.1',
    'kube-proxy': 'v1.36.0-eksbuild.13',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
    coredns: 'v1.14.3-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.63.1-eksbuild.1',
    'kube-state-metrics': 'v2.19.0-eksbuild.1',
  },
};

/** The pinned version of an add-on for a Kubernetes minor ({@link EKS_ADDON_VERSIONS}). */
export function eksAddonVersion(version: KubernetesVersion, addon: EksAddonName): string {
  return EKS_ADDON_VERSIONS[version][addon];
}
