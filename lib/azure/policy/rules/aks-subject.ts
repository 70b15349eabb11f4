import type { ResourceView } from '../rule';

/** The noun the Kubernetes rules use for each resource type they check. */
const AKS_KINDS: Readonly<Record<string, string>> = {
  azurerm_kubernetes_cluster: 'AKS cluster',
  azurerm_kubernetes_cluster_node_pool: 'AKS node pool',
};

/** How a Kubernetes rule's message starts: `<address> (AKS cluster <name>)`. */
export function aksSubject(resource: ResourceView): string {
  return `${resource.address} (${AKS_KINDS[resource.type] ?? resource.type} ${String(resource.config.name)})`;
}
