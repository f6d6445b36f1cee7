import type { Category, Channel, NotificationMetadata, Priority } from '@aura/domain/notifications';

/** What a provider is handed. `notificationId` doubles as the provider-side idempotency key. */
export interface OutgoingMessage {
  readonly notificationId: string;
  readonly channel: Channel;
  readonly to: string;
  readonly subject: string | null;
  readonly text: string;
  readonly html: string | null;
  readonly category: Category;
  readonly priority: Priority;
  readonly metadata: NotificationMetadata;
}

export interface SendReceipt {
  /** The provider's id for the message (for its receipts), when it gives one. */
  readonly providerMessageId: string | null;
}

/**
 * One channel's provider, as the delivery job sees it. Adapters wrap the real provider in a
 * timeout and a circuit breaker. `send` throws:
 * - {@link ProviderRejectedError} when retrying cannot help (the provider refused this message);
 * - {@link ProviderUnavailableError} with `circuitOpen` when the breaker refused to call it;
 * - anything else for a failure worth retrying (timeout, connection, 5xx).
 */
export interface ChannelSender {
  /** Name of the provider (metrics, logs, receipts): `smtp`, `dev-mailbox`, `sms-webhook` … */
  readonly provider: string;
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /** Milliseconds until the breaker lets a call through again (0 when it does now). */
  unavailableFor(): number;
}

export const EmailSender = Symbol.for('aura.notifications.EmailSender');
export const SmsSender = Symbol.for('aura.notifications.SmsSender');
export const PushSender = Symbol.for('aura.notifications.PushSender');

/** The provider refused the message itself (bad address, content refused): failed at once, no retry. */
export class ProviderRejectedError extends Error {
  override readonly name = 'ProviderRejectedError';
}

/** The provider was not called: its circuit is open. Try again in `retryAfterMs`. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

export function isProviderRejected(error: unknown): error is ProviderRejectedError {
  return error instanceof Error && error.name === 'ProviderRejectedError';
}

export function isProviderUnavailable(error: unknown): error is ProviderUnavailableError {
  return error instanceof Error && error.name === 'ProviderUnavailableError';
}
