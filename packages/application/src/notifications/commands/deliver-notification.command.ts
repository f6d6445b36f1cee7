import { bypassesPreferences, type Channel, type Notification, quietHoursEnd, wants } from '@aura/domain/notifications';
import { inject, injectable } from 'inversify';
import { Clock } from '../../platform/ports/clock.port.js';
import { PostponeJob } from '../../platform/ports/job-queue.port.js';
import { Logger } from '../../platform/ports/logger.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { UsersContract } from '../../users/contract.js';
import {
  type ChannelSender,
  EmailSender,
  isProviderRejected,
  isProviderUnavailable,
  type OutgoingMessage,
  PushSender,
  type SendReceipt,
  SmsSender,
} from '../ports/channel-sender.port.js';
import { NotificationRepository } from '../ports/notification.repository.port.js';
import { NotificationsSettings } from '../ports/notifications-settings.js';
import { PreferencesRepository } from '../ports/preferences.repository.port.js';

/** The queue of delivery jobs: one job per notification, id {@link deliveryJobId}. */
export const DELIVER_QUEUE = 'notifications.deliver';

export interface DeliverJob {
  readonly notificationId: string;
  readonly correlationId: string;
}

/**
 * One deterministic job id per notification and due time: whoever enqueues it (the event
 * handler, the sweep), the queue keeps one; when the due time moves (a hold released), the new
 * time is a new job, and the old one finds nothing left to do.
 */
export function deliveryJobId(notificationId: string, sendAt: Date): string {
  return `deliver:${notificationId}:${sendAt.getTime()}`;
}

export type DeliveryOutcome =
  | 'sent'
  | 'failed'
  | 'retrying'
  | 'missing'
  | 'not_pending'
  | 'cancelled_opted_out'
  | 'cancelled_inactive';

/** Where this attempt stands in the queue's retries. */
export interface AttemptInfo {
  readonly attempt: number;
  readonly maxAttempts: number;
}

type Decision =
  | { readonly kind: 'done'; readonly outcome: DeliveryOutcome }
  | { readonly kind: 'postpone'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'send'; readonly message: OutgoingMessage };

/**
 * Hands one notification to its channel's provider, at most once at a time:
 *
 * 1. In a transaction, with the row locked: nothing to do unless it is pending and due; the
 *    recipient's current wishes apply (an opt-out since it was queued cancels it, quiet hours
 *    hold it until they end); otherwise the attempt is counted and the notification claimed
 *    for `claimMs`, so no other worker sends it meanwhile.
 * 2. The provider is called outside any transaction (with the notification id as its
 *    idempotency key).
 * 3. In a second transaction it is marked sent; or the error is kept and the job retried;
 *    or, when the provider refused it or the last attempt failed, it is marked failed.
 *
 * While the provider's circuit is open the job is postponed ({@link PostponeJob}): no
 * attempt is used up. A worker killed between 1 and 3 leaves a claim that lapses; the job runs
 * again (BullMQ's stalled-job check, or the sweep after a restart) and sends it then.
 */
@injectable()
export class DeliverNotification {
  constructor(
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(PreferencesRepository) private readonly preferences: PreferencesRepository,
    @inject(UsersContract) private readonly users: UsersContract,
    @inject(EmailSender) private readonly email: ChannelSender,
    @inject(SmsSender) private readonly sms: ChannelSender,
    @inject(PushSender) private readonly push: ChannelSender,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  sender(channel: Channel): ChannelSender {
    return channel === 'email' ? this.email : channel === 'sms' ? this.sms : this.push;
  }

  /** Throws {@link PostponeJob} to be run later, any other error to be retried. */
  async execute(notificationId: string, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const decision = await this.uow.transaction(() => this.prepare(notificationId));
    if (decision.kind === 'done') return decision.outcome;
    if (decision.kind === 'postpone') throw new PostponeJob(decision.delayMs, decision.reason);
    const sender = this.sender(decision.message.channel);
    let receipt: SendReceipt;
    try {
      receipt = await sender.send(decision.message);
    } catch (error) {
      const reason = describe(error);
      if (isProviderUnavailable(error)) {
        await this.finish(notificationId, (notification) => {
          notification.attemptAbandoned();
          return 'retrying';
        });
        throw new PostponeJob(Math.max(error.retryAfterMs, 1_000), `${sender.provider}: ${reason}`);
      }
      const last = isProviderRejected(error) || attempt.attempt >= attempt.maxAttempts;
      const outcome = await this.finish(notificationId, (notification, now) => {
        if (last) return notification.markFailed(reason, now).isOk() ? 'failed' : 'not_pending';
        notification.attemptFailed(reason);
        return 'retrying';
      });
      if (outcome === 'retrying') throw error;
      this.logger.warn('notification failed', { notificationId, provider: sender.provider, reason, attempt: attempt.attempt });
      return outcome;
    }
    // Outside the try: a fault while recording the send is not the provider's failure. The claim
    // then holds the notification until it lapses, as when a worker dies at this point.
    return this.finish(notificationId, (notification, now) => {
      const marked = notification.markSent(now, receipt.providerMessageId);
      return marked.isOk() ? 'sent' : 'not_pending';
    });
  }

  private async prepare(notificationId: string): Promise<Decision> {
    const notification = await this.notifications.findById(notificationId, { lock: true });
    if (notification === undefined) return { kind: 'done', outcome: 'missing' };
    if (!notification.isPending) return { kind: 'done', outcome: 'not_pending' };
    const now = this.clock.now();
    const due = notification.dueIn(now);
    if (due > 0) return { kind: 'postpone', delayMs: due, reason: 'not due yet' };
    const claimed = notification.claimedFor(now);
    if (claimed > 0) return { kind: 'postpone', delayMs: claimed, reason: 'another attempt holds it' };
    const state = notification.state;
    const unavailable = this.sender(state.channel).unavailableFor();
    if (unavailable > 0)
      return { kind: 'postpone', delayMs: unavailable, reason: `the ${state.channel} provider's circuit is open` };

    if (state.userId !== null) {
      const cancelled = await this.recipientWithdrew(notification, now);
      if (cancelled !== undefined) return cancelled;
    }
    notification.startAttempt(now, new Date(now.getTime() + this.settings.claimMs));
    await this.notifications.save(notification);
    return {
      kind: 'send',
      message: {
        notificationId: state.id,
        channel: state.channel,
        to: state.recipient,
        subject: state.subject,
        text: state.message,
        html: state.html,
        category: state.category,
        priority: state.priority,
        metadata: state.metadata,
      },
    };
  }

  /** The recipient's wishes now: deactivated or opted out cancels it; quiet hours hold it. */
  private async recipientWithdrew(notification: Notification, now: Date): Promise<Decision | undefined> {
    const state = notification.state;
    const userId = state.userId as string;
    const contact = await this.users.getContact(userId);
    if (contact === undefined || contact.status === 'deactivated') {
      notification.cancel('the recipient’s account is deactivated', now);
      await this.notifications.save(notification);
      return { kind: 'done', outcome: 'cancelled_inactive' };
    }
    if (bypassesPreferences(state.category, state.priority)) return undefined;
    const preferences = await this.preferences.get(userId);
    if (!wants(preferences, state.channel, state.category, state.priority)) {
      notification.cancel(`the recipient opted out of ${state.category} messages by ${state.channel}`, now);
      await this.notifications.save(notification);
      return { kind: 'done', outcome: 'cancelled_opted_out' };
    }
    const quietEnd = preferences.quietHours === null ? undefined : quietHoursEnd(now, preferences.quietHours, contact.timeZone);
    if (quietEnd === undefined) return undefined;
    notification.holdUntil(quietEnd);
    await this.notifications.save(notification);
    return { kind: 'postpone', delayMs: quietEnd.getTime() - now.getTime(), reason: 'the recipient’s quiet hours' };
  }

  /** Applies the attempt's result to the notification as it is now (locked), in a transaction of its own. */
  private finish(
    notificationId: string,
    apply: (notification: Notification, now: Date) => DeliveryOutcome,
  ): Promise<DeliveryOutcome> {
    return this.uow.transaction(async () => {
      const notification = await this.notifications.findById(notificationId, { lock: true });
      if (notification === undefined) return 'missing';
      if (!notification.isPending) {
        this.logger.warn('an attempt ended after its notification left pending', { notificationId, status: notification.status });
        return 'not_pending';
      }
      const outcome = apply(notification, this.clock.now());
      await this.notifications.save(notification);
      return outcome;
    });
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.slice(0, 1_000);
}
