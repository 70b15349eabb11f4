import { z } from 'zod';
import { defineSection } from './section';

/** The resolved `alerts` section: where alerts go. */
export interface AlertsSpec {
  /** Email addresses subscribed to alerts. */
  readonly emails: readonly string[];
  /** HTTPS endpoints (chat or paging webhooks) subscribed to alerts. */
  readonly webhookUrls: readonly string[];
}

const httpsUrl = z.url({ protocol: /^https$/, error: 'an https:// URL' });

/** The `alerts` section: the people and systems told when something breaks. */
export const alertsSection = defineSection({
  schema: z
    .strictObject({
      emails: z.array(z.email({ error: 'an email address such as ops@example.com' })).optional(),
      webhookUrls: z.array(httpsUrl).optional(),
    })
    .optional(),
  // Where alerts go is never defaulted: an address nobody reads is worse than none.
  defaults: { development: {}, production: {} },
  resolve: (input): AlertsSpec => ({
    emails: [...new Set(input?.emails ?? [])].sort(),
    webhookUrls: [...new Set(input?.webhookUrls ?? [])].sort(),
  }),
  check: (alerts, env, report) => {
    if (env.tier === 'production' && alerts.emails.length === 0 && alerts.webhookUrls.length === 0) {
      report('alerts', alerts, 'a production-tier environment needs at least one email or webhook URL for alerts');
    }
  },
});
