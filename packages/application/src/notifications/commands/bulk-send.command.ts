import type { Category, Channel, NotificationMetadata, Priority } from '@aura/domain/notifications';
import { inject, injectable } from 'inversify';
import { ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../../platform/actor.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { type SendContent, type SendError, SendNotification } from './send-notification.command.js';

export const BULK_MAX_RECIPIENTS = 1_000;

export interface BulkSendInput {
  readonly actor: Actor;
  readonly recipients: ReadonlyArray<{ readonly userId: string } | { readonly address: string }>;
  readonly channel: Channel;
  readonly content: SendContent;
  readonly category?: Category | undefined;
  readonly priority?: Priority | undefined;
  readonly locale?: string | undefined;
  readonly metadata?: NotificationMetadata | undefined;
  readonly sendAt?: Date | undefined;
  /** Each recipient's notification gets `<key>:<index>`: the same bulk sent again adds nothing. */
  readonly deduplicationKey?: string | undefined;
}

export type BulkRecipientOutcome =
  | { readonly index: number; readonly outcome: 'queued' | 'opted_out' | 'duplicate'; readonly notificationId: string }
  | {
      readonly index: number;
      readonly outcome: 'rejected';
      readonly error: { readonly type: SendError['type']; readonly message: string };
    };

export interface BulkSendResult {
  readonly results: readonly BulkRecipientOutcome[];
  readonly summary: Readonly<Record<BulkRecipientOutcome['outcome'], number>>;
}

/**
 * Admins: one message (or template) to up to 1,000 recipients. Each recipient is validated and
 * stored on its own (a bad address refuses that recipient, not the batch); the answer lists
 * every recipient's outcome in order. All of it commits at once.
 */
@injectable()
export class BulkSend {
  constructor(
    @inject(SendNotification) private readonly send: SendNotification,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
  ) {}

  execute(input: BulkSendInput): ResultAsync<BulkSendResult, Forbidden> {
    return requireRole(input.actor, 'admin').asyncAndThen(() =>
      ResultAsync.fromSafePromise(this.uow.transaction(() => this.sendAll(input))),
    );
  }

  private async sendAll(input: BulkSendInput): Promise<BulkSendResult> {
    const results: BulkRecipientOutcome[] = [];
    for (const [index, to] of input.recipients.entries()) {
      const sent = await this.send.execute({
        to,
        channel: input.channel,
        content: input.content,
        category: input.category,
        priority: input.priority,
        locale: input.locale,
        metadata: input.metadata,
        sendAt: input.sendAt,
        deduplicationKey: input.deduplicationKey === undefined ? undefined : `${input.deduplicationKey}:${index}`,
      });
      results.push(
        sent.isOk()
          ? { index, outcome: sent.value.outcome, notificationId: sent.value.notification.id }
          : { index, outcome: 'rejected', error: { type: sent.error.type, message: sent.error.message } },
      );
    }
    const summary = { queued: 0, opted_out: 0, duplicate: 0, rejected: 0 };
    for (const result of results) summary[result.outcome] += 1;
    return { results, summary };
  }
}
