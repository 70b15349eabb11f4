import type { ServerSize } from './server-sizes';

/**
 * The Kubernetes minor versions both clouds offer (EKS standard support and AKS GA), checked on 2026-12-04 against the
 * EKS and AKS release calendars. An environment may name only these; the default is the middle one.
 */
export const KUBERNETES_VERSIONS = ['1.34', '1.35', '1.36'] as const;

/** A Kubernetes minor version both clouds offer. */
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** The version a cluster runs when the spec names none. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.35';

/** One node pool of a cluster, resolved. */
export interface NodePoolSpec {
  /** The pool's name: 1-12 lowercase letters and digits, starting with a letter (the AKS limit). */
  readonly name: string;
  /** The size of each node, from the server size table (`SERVER_SIZES`: the same vCPUs and memory on both clouds). */
  readonly size: ServerSize;
  /** The fewest nodes the autoscaler keeps. */
  readonly minCount: number;
  /** The most nodes the autoscaler adds. */
  readonly maxCount: number;
  /** How many of the environment's zones the pool spreads over (the first N of its zones). */
  readonly zones: number;
  /**
   * The system pool: the cluster's add-ons run there (AKS `default_node_pool` with only critical add-ons; on EKS a
   * node group labelled and tainted for them). Exactly one pool is the system pool.
   */
  readonly system: boolean;
  /** The size of each node's encrypted OS disk, in GiB. */
  readonly diskGiB: number;
}

/** The `kubernetes` section, resolved: one cluster per environment, private by default. */
export interface KubernetesSpec {
  /** The Kubernetes minor version. Upgrades move it up by one minor and never replace the cluster. */
  readonly version: KubernetesVersion;
  /** The node pools, the system pool first. */
  readonly pools: readonly NodePoolSpec[];
  /**
   * CIDR blocks that may reach the API server from the Internet. Empty: the API is private (reached from inside the
   * network). AWS only: on Azure a private cluster cannot become public without being replaced, so a non-empty list
   * is refused for Azure.
   */
  readonly publicApiCidrs: readonly string[];
  /**
   * CIDR blocks (besides the environment's own network) that workloads may reach, with the ports. AWS: the node
   * security group's egress, which otherwise allows only the network and HTTPS (the nodes pull images and reach the
   * AWS APIs through the NAT gateway). Azure: not enforced yet (the workloads subnet is shared with the container
   * apps; a Kubernetes network policy is applied inside the cluster, not by this library).
   */
  readonly egress: readonly KubernetesEgressRule[];
  /**
   * Who administers the cluster: IAM role ARNs (AWS access entries with the cluster admin policy) and Entra ID group
   * object IDs (AKS `admin_group_object_ids`, Azure RBAC Cluster Admin).
   */
  readonly admins: { readonly aws: readonly string[]; readonly azure: readonly string[] };
}

/** Where workloads may connect outside the environment's network. */
export interface KubernetesEgressRule {
  /** The destination, as a CIDR block (`0.0.0.0/0` for anywhere). */
  readonly cidr: string;
  /** The TCP ports. */
  readonly ports: readonly number[];
  /** Why (shown in the review and the security group's description). */
  readonly description: string;
}

/** A severity of a Prometheus alert rule: it routes the alert like an alarm of the same severity. */
export type PrometheusSeverity = 'critical' | 'warning';

/** One Prometheus rule, resolved: an alert rule or a recording rule, written once in PromQL for both clouds. */
export type PrometheusRuleSpec =
  | {
      readonly kind: 'alert';
      /** The alert's name (`KubeNodeNotReady`): a Prometheus metric-name-like identifier. */
      readonly name: string;
      /** The PromQL expression; it fires for each series it returns. */
      readonly expr: string;
      /** How long the expression must hold before the alert fires, as a Prometheus duration (`15m`). */
      readonly for: string;
      /** Where the alert is routed: the environment's critical or warning channel. */
      readonly severity: PrometheusSeverity;
      /** One line saying what is wrong. */
      readonly summary: string;
      /** Extra labels on the alert. */
      readonly labels: Readonly<Record<string, string>>;
      /** Extra annotations (`description`, `runbook_url`). */
      readonly annotations: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'record';
      /** The recorded series' name (`namespace:container_cpu:sum`). */
      readonly name: string;
      /** The PromQL expression whose result is recorded. */
      readonly expr: string;
      /** Extra labels on the recorded series. */
      readonly labels: Readonly<Record<string, string>>;
    };

/** The `prometheus` section, resolved: managed Prometheus for the environment's cluster and the rules it evaluates. */
export interface PrometheusSpec {
  /** How often the rules are evaluated, as a Prometheus duration from 1m to 15m (Azure's range). */
  readonly interval: string;
  /**
   * Every rule evaluated: the default rule set (as tuned, without those switched off) followed by the environment's
   * own rules.
   */
  readonly rules: readonly PrometheusRuleSpec[];
  /** The default rules switched off, each with the reason the spec gave. */
  readonly disabledDefaults: Readonly<Record<string, string>>;
}
