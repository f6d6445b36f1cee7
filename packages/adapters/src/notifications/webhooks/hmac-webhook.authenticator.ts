import type { WebhookAuthenticator, WebhookRefusal } from '@aura/application/notifications';
import { verifySignature } from './hmac-signature.js';

export interface HmacWebhookAuthenticatorOptions {
  /** Shared secret per provider (`sms`, `push`, `email`); a provider without one is refused. */
  readonly secrets: Readonly<Record<string, string | undefined>>;
  /** How far a request's timestamp may be from now, either way. */
  readonly toleranceMs: number;
}

/** Receipt webhooks signed with the scheme of `signPayload`, one secret per provider. */
export class HmacWebhookAuthenticator implements WebhookAuthenticator {
  private readonly secrets: ReadonlyMap<string, string>;
  private readonly toleranceMs: number;

  constructor(options: HmacWebhookAuthenticatorOptions) {
    if (!Number.isFinite(options.toleranceMs) || options.toleranceMs < 0) {
      throw new RangeError(`toleranceMs must be ≥ 0 (got ${options.toleranceMs})`);
    }
    // A Map, not the record: a provider named `constructor` or `__proto__` finds nothing.
    this.secrets = new Map(
      Object.entries(options.secrets).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
    );
    this.toleranceMs = options.toleranceMs;
  }

  verify(provider: string, rawBody: string, signatureHeader: string | undefined, now: Date): WebhookRefusal | undefined {
    const secret = this.secrets.get(provider);
    if (secret === undefined) return 'unknown_provider';
    const verdict = verifySignature(secret, rawBody, signatureHeader, now.getTime(), this.toleranceMs);
    return verdict === 'ok' ? undefined : verdict;
  }

  providers(): readonly string[] {
    return [...this.secrets.keys()];
  }
}
