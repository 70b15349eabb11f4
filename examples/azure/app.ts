import { App } from 'cdktf';
import { payments } from './lib/payments';
import { PaymentsStack } from './lib/payments-stack';

const app = new App();
// PlatformStack runs the platform's Azure rule pack for the tier: synthesis fails on any finding that is not
// acknowledged with a reason.
new PaymentsStack(app, `${payments.name}-${payments.environment.name}`, { spec: payments });
app.synth();
