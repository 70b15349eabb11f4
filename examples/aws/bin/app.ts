import { App } from 'aws-cdk-lib';
import { PolicyChecks } from 'platform-constructs/aws';
import { payments } from '../lib/payments';
import { PaymentsStack } from '../lib/payments-stack';

const app = new App();
new PaymentsStack(app, `${payments.name}-${payments.environment.name}`, { spec: payments });
// The platform's guardrails (cdk-nag AwsSolutions, NIST 800-53 R5 in production, the Platform rules) for the
// environment's tier: synthesis fails, writing nothing, on any finding that is not acknowledged with a reason.
PolicyChecks.applyTo(app, { tier: payments.environment.tier });
app.synth();
