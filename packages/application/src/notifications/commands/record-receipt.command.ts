import type { DomainError } from '@aura/domain/platform';
import { isWellFormedText } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import { errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { NotificationRepository } from '../ports/notification.repository.port.js';
import { ReceiptStore } from '../ports/receipt.store.port.js';
import { WebhookAuthenticator, type WebhookRefusal } from '../ports/webhook-authenticator.port.js';

/** What a provider posts to `/api/notifications/webhooks/{provider}`. */
export const deliveryReceiptSchema = z.strictObject({
  /** The provider's id of this receipt: a receipt seen twice is applied once. */
  id: z.string().min(1).max(200).refine(isWellFormedText, { error: 'must be text without NUL' }),
  /** Our notification id (sent to the provider as its idempotency key). */
  notificationId: z.uuid(),
  status: z.enum(['delivered', 'bounced', 'failed']),
  reason: z.string().max(1_000).refine(isWellFormedText, { error: 'must be text without NUL' }).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type DeliveryReceipt = z.infer<typeof deliveryReceiptSchema>;

export type WebhookUnauthenticated = DomainError<'notifications.webhook_unauthenticated'>;
export type InvalidReceipt = DomainError<'notifications.invalid_receipt'>;
export type ReceiptError = WebhookUnauthenticated | InvalidReceipt;

export type ReceiptOutcome = 'applied' | 'replayed' | 'unknown_notification' | 'ignored';

const REFUSALS: Readonly<Record<WebhookRefusal, string>> = {
  unknown_provider: 'no webhook secret is configured for this provider',
  missing_signature: 'the X-Aura-Signature header is missing',
  bad_signature: 'the signature does not match the body',
  stale: 'the signature timestamp is outside the tolerance (a replay?)',
};

/**
 * A provider's delivery receipt: the signature (over the raw body) is checked first, then the
 * receipt is applied once — `delivered` moves a sent notification to delivered, `bounced` or
 * `failed` marks it failed with the reason. Receipts that no longer apply (already delivered,
 * unknown notification) are acknowledged and ignored, so the provider stops retrying.
 */
@injectable()
export class RecordDeliveryReceipt {
  constructor(
    @inject(WebhookAuthenticator) private readonly authenticator: WebhookAuthenticator,
    @inject(ReceiptStore) private readonly receipts: ReceiptStore,
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: {
    provider: string;
    rawBody: string;
    signature: string | undefined;
  }): ResultAsync<ReceiptOutcome, ReceiptError> {
    const refusal = this.authenticator.verify(input.provider, input.rawBody, input.signature, this.clock.now());
    if (refusal !== undefined) {
      return errAsync({
        type: 'notifications.webhook_unauthenticated',
        message: REFUSALS[refusal],
        details: { reason: refusal },
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(input.rawBody);
    } catch {
      json = undefined;
    }
    const parsed = deliveryReceiptSchema.safeParse(json);
    if (!parsed.success) {
      return errAsync({
        type: 'notifications.invalid_receipt',
        message: `not a delivery receipt: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ')}`,
        ...(parsed.error.issues[0]?.path.length ? { details: { field: parsed.error.issues[0].path.join('.') } } : {}),
      });
    }
    return this.uow.result(() => new ResultAsync(this.apply(input.provider, parsed.data)));
  }

  private async apply(provider: string, receipt: DeliveryReceipt): Promise<Result<ReceiptOutcome, ReceiptError>> {
    const now = this.clock.now();
    if (!(await this.receipts.recordOnce(provider, receipt.id, now))) return ok('replayed');
    const notification = await this.notifications.findById(receipt.notificationId, { lock: true });
    if (notification === undefined) return ok('unknown_notification');
    // One provider speaks for its own channel only: an SMS receipt cannot mark an email bounced.
    if (notification.state.channel !== provider) return ok('ignored');
    const at = receipt.occurredAt === undefined ? now : new Date(receipt.occurredAt);
    const changed =
      receipt.status === 'delivered'
        ? notification.markDelivered(at)
        : notification.markFailed(`${receipt.status} (${provider})${receipt.reason ? `: ${receipt.reason}` : ''}`, at);
    if (changed.isErr()) return ok('ignored');
    await this.notifications.save(notification);
    return ok('applied');
  }
}
