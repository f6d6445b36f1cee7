/** Why a webhook request is refused. */
export type WebhookRefusal = 'unknown_provider' | 'missing_signature' | 'bad_signature' | 'stale';

/**
 * Checks that a delivery-receipt webhook comes from the provider it names: an HMAC-SHA256
 * signature over the timestamp and the raw body, with the provider's shared secret, and a
 * timestamp within the tolerance (a captured request cannot be replayed later).
 */
export interface WebhookAuthenticator {
  verify(provider: string, rawBody: string, signatureHeader: string | undefined, now: Date): WebhookRefusal | undefined;
  /** Providers that have a webhook secret configured. */
  providers(): readonly string[];
}
export const WebhookAuthenticator = Symbol.for('aura.notifications.WebhookAuthenticator');
