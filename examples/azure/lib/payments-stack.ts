import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { ApplicationSpec } from 'platform-constructs';
import { Application, PlatformEnvironment, PlatformStack } from 'platform-constructs/azure';

/** Props of {@link PaymentsStack}. */
export interface PaymentsStackProps {
  /** The application, as `defineApplication` resolved it. */
  readonly spec: ApplicationSpec;
}

/**
 * The payments team's Terraform stack: it joins the platform environment (its resource group, network, Log Analytics
 * workspace, action groups and Container Apps environment, read by data sources at plan time) and runs the team's
 * services and job there with the platform's constructs, defaults, alarms and guardrails.
 */
export class PaymentsStack extends PlatformStack {
  constructor(scope: Construct, id: string, props: PaymentsStackProps) {
    const { spec } = props;
    super(scope, id, {
      // Production: every resource that holds data gets prevent_destroy, and the production rule pack runs.
      tier: spec.environment.tier,
      // The team's own state, in Azure Storage (a production stack refuses local state).
      backend: {
        resourceGroupName: 'rg-payments-tfstate',
        storageAccountName: 'stpaymentstfstate',
        containerName: 'tfstate',
      },
    });

    const platform = PlatformEnvironment.join(this, 'platform', { spec: spec.environment });
    const application = new Application(this, 'payments', { spec, platform });

    const checkout = application.services.get(`${spec.name}-checkout`);
    if (checkout) {
      new TerraformOutput(this, 'checkout_fqdn', { value: checkout.containerApp.latestRevisionFqdn });
    }
  }
}
