import {
  type ChannelSender,
  type OutgoingMessage,
  ProviderRejectedError,
  type SendReceipt,
} from '@aura/application/notifications';
import { signPayload } from '../webhooks/hmac-signature.js';

export interface WebhookSenderOptions {
  readonly channel: 'sms' | 'push';
  /** Name in metrics, logs and receipts, e.g. `sms-webhook`. */
  readonly provider: string;
  /** The provider's endpoint; every message is one POST to it. */
  readonly url: string;
  /** Shared with the provider: it checks the `X-Aura-Signature` header with it. */
  readonly secret: string;
  /** Bound on one whole request, the response body included. */
  readonly timeoutMs: number;
}

/** The JSON body posted for one message. */
export interface WebhookPayload {
  readonly id: string;
  readonly channel: 'sms' | 'push';
  readonly to: string;
  readonly text: string;
  readonly subject: string | null;
  readonly category: OutgoingMessage['category'];
  readonly priority: OutgoingMessage['priority'];
  readonly metadata: OutgoingMessage['metadata'];
}

const EXCERPT_LENGTH = 200;

/** The start of a response body, on one line, for an error message. */
function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_LENGTH ? `${line.slice(0, EXCERPT_LENGTH)}…` : line;
}

/** The provider's id for the message: `id` or `messageId` of a JSON body, when there is one. */
function providerMessageIdOf(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  for (const key of ['id', 'messageId']) {
    const value = (parsed as Record<string, unknown>)[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
  }
  return null;
}

const isTimeout = (error: unknown) => error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/**
 * SMS and push through an HTTP provider (or a relay in front of one): the message is POSTed as
 * JSON, signed like the receipts the provider sends back (`t=…,v1=<HMAC-SHA256>`), with the
 * notification id as `Idempotency-Key` so the provider can drop a retry of a message it
 * already took.
 *
 * A 4xx (408 and 429 excepted) refuses this message: permanent. 408, 429, 5xx, anything
 * else, a network failure and a timeout are worth retrying.
 */
export class WebhookSender implements ChannelSender {
  readonly provider: string;

  constructor(private readonly options: WebhookSenderOptions) {
    let protocol: string;
    try {
      protocol = new URL(options.url).protocol;
    } catch {
      throw new TypeError(`the ${options.provider} URL is not a URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new TypeError(`the ${options.provider} URL must be http:// or https:// (got ${protocol}//)`);
    }
    if (options.secret === '') throw new TypeError(`the ${options.provider} secret is empty`);
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be > 0 (got ${options.timeoutMs})`);
    }
    this.provider = options.provider;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const payload: WebhookPayload = {
      id: message.notificationId,
      channel: this.options.channel,
      to: message.to,
      text: message.text,
      subject: message.subject,
      category: message.category,
      priority: message.priority,
      metadata: message.metadata,
    };
    const body = JSON.stringify(payload);
    const signature = signPayload(this.options.secret, body, Math.floor(Date.now() / 1000));
    let status: number;
    let answer: string;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': message.notificationId,
          'X-Aura-Signature': signature,
        },
        body,
        // A redirect is a misconfigured URL: reported, not followed with the signed body.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      answer = await response.text();
    } catch (error) {
      throw this.failure(error);
    }
    if (status >= 200 && status < 300) return { providerMessageId: providerMessageIdOf(answer) };
    const reply = excerpt(answer);
    const description = `${this.provider} answered ${status}${reply === '' ? '' : `: ${reply}`}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new ProviderRejectedError(description);
    throw new Error(description);
  }

  /** The circuit breaker around this sender answers that. */
  unavailableFor(): number {
    return 0;
  }

  private failure(error: unknown): Error {
    if (isTimeout(error)) {
      const timeout = new Error(`${this.provider}: no answer within ${this.options.timeoutMs} ms`, { cause: error });
      timeout.name = 'TimeoutError';
      return timeout;
    }
    // undici says `fetch failed` and puts the reason (ECONNREFUSED, a TLS error…) in the cause.
    const cause = error instanceof Error ? error.cause : undefined;
    const reason =
      (cause as { code?: unknown } | undefined)?.code ?? (cause instanceof Error ? cause.message : undefined) ?? String(error);
    return new Error(`${this.provider} unreachable: ${String(reason)}`, { cause: error });
  }
}
