/** What a check asserts about the response body. */
export type BodyAssertion =
  /** The body contains this text. */
  | { readonly contains: string }
  /** The body is JSON and the field at this dotted path (`status`, `data.items.0.id`) equals the value. */
  | { readonly jsonPath: string; readonly equals: string | number | boolean | null };

/** One synthetic API check, cloud-neutral and resolved: every default applied. */
export interface ApiCheckDefinition {
  /** The check's name, kebab-case (`api-health`); it goes into resource names and alarm ids (`check/<name>/...`). */
  readonly name: string;
  /** The URL to request: `https://` for a public endpoint; `http://` only when `internal`. */
  readonly url: string;
  /** Whether the endpoint is reachable only inside the environment's network. */
  readonly internal: boolean;
  /** The HTTP method. */
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  /** Headers sent as they are. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Headers whose values are secrets, by header name: the secret's name (AWS Secrets Manager secret name, or Azure
   * Key Vault secret name). Never written into the script or the template.
   */
  readonly secretHeaders: Readonly<Record<string, string>>;
  /** The status code a healthy endpoint answers with. */
  readonly expectedStatus: number;
  /** What the body must hold, if anything. */
  readonly body?: BodyAssertion;
  /** The most milliseconds a healthy response may take. */
  readonly latencyBudgetMs: number;
  /** How often the check runs, 1-60 minutes. */
  readonly intervalMinutes: number;
  /** Days before the TLS certificate expires at which the check warns (https only). */
  readonly tlsExpiryWarningDays: number;
}

/** What a check requests: a URL, or a service of the environment (its address plus a path) by name. */
export type CheckTarget =
  /** A URL given in the spec. */
  | { readonly url: string }
  /** A service of the environment: the cloud resolves its address (load balancer, Container App) at synthesis. */
  | { readonly service: string; readonly path: string };

/**
 * One check of the resolved `checks` section: a definition without its URL, which each cloud completes from the
 * target with {@link apiCheckDefinition}.
 */
export interface CheckSpec extends Omit<ApiCheckDefinition, 'url'> {
  /** What the check requests. */
  readonly target: CheckTarget;
}

/** A service whose default health check the spec switched off, with the reason it gave. */
export interface CheckOptOut {
  /** The service's name. */
  readonly service: string;
  /** Why the service needs no check (for the review and the docs). */
  readonly reason: string;
}

/** The resolved `checks` section. */
export interface ChecksSpec {
  /**
   * Every check, in order: first one per service of its health path (named after the service), unless opted out
   * or tuned, then the spec's own checks.
   */
  readonly checks: readonly CheckSpec[];
  /** The services whose default check is switched off, with the reasons. */
  readonly optedOut: readonly CheckOptOut[];
}

/** Completes a check with the URL its cloud resolved for the target (the URL itself for a URL target); pure. */
export function apiCheckDefinition(check: CheckSpec, url: string): ApiCheckDefinition {
  return {
    name: check.name,
    url,
    internal: check.internal,
    method: check.method,
    headers: check.headers,
    secretHeaders: check.secretHeaders,
    expectedStatus: check.expectedStatus,
    ...(check.body !== undefined && { body: check.body }),
    latencyBudgetMs: check.latencyBudgetMs,
    intervalMinutes: check.intervalMinutes,
    tlsExpiryWarningDays: check.tlsExpiryWarningDays,
  };
}

/** The alarm ids of one check, the same on both clouds. */
export function apiCheckAlarmIds(check: string): {
  readonly success: string;
  readonly latency: string;
  readonly tls: string;
} {
  return { success: `check/${check}/success`, latency: `check/${check}/latency`, tls: `check/${check}/tls` };
}

/** A server's HTTP health endpoint, probed on the server itself every minute. */
export interface ServerHealthCheck {
  /** The TCP port the endpoint listens on, 1-65535. */
  readonly port: number;
  /** The path requested, starting with `/` (`/healthz`). */
  readonly path: string;
}
