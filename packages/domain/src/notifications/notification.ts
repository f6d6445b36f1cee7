import { err, ok, type Result } from 'neverthrow';
import { AggregateRoot } from '../platform/aggregate-root.js';
import { isWellFormedText } from '../platform/text.js';
import { type ContentPolicy, checkContent } from './content-policy.js';
import type { Category, Channel, NotificationStatus, Priority } from './kinds.js';
import {
  type InvalidContent,
  type InvalidTransition,
  type NotificationRejected,
  notificationsErrors,
} from './notification.errors.js';
import type { NotificationEvent, NotificationFacts } from './notification.events.js';
import { parseRecipient } from './recipient.js';

/** Small, flat facts a sender attaches (ids of what it is about); JSON, never secrets. */
export type NotificationMetadata = Readonly<Record<string, string | number | boolean | null>>;

/** What a message says; kept until it is sent (security messages are scrubbed then). */
export interface NotificationContent {
  readonly subject: string | null;
  readonly message: string;
  /** HTML alternative of an email, already escaped by its template. */
  readonly html: string | null;
}

export interface NotificationState extends NotificationContent {
  readonly id: string;
  /** Set when the recipient is a user (their preferences, quiet hours and deactivation apply). */
  readonly userId: string | null;
  readonly channel: Channel;
  /** Email address, E.164 number or push device token. */
  readonly recipient: string;
  readonly category: Category;
  readonly priority: Priority;
  readonly status: NotificationStatus;
  readonly metadata: NotificationMetadata;
  readonly templateKey: string | null;
  readonly locale: string | null;
  /** Makes a repeated request (a redelivered event, a retried call) one notification. */
  readonly deduplicationKey: string | null;
  /** Not before this instant (a scheduled send, or the end of the recipient's quiet hours). */
  readonly sendAt: Date;
  /**
   * Set while it waits for the end of the recipient's quiet hours (then `sendAt` is that end):
   * a change of the recipient's preferences releases it, to be judged again at once.
   */
  readonly heldUntil: Date | null;
  /** Attempts started to hand it to the provider. */
  readonly attempts: number;
  readonly lastError: string | null;
  /** While an attempt is under way, no other worker may start one (a lease, so a dead worker's claim lapses). */
  readonly claimedUntil: Date | null;
  readonly providerMessageId: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly cancelledAt: Date | null;
  /** Optimistic concurrency: bumped by every save. */
  readonly version: number;
}

export interface NewNotification {
  readonly id: string;
  readonly userId: string | null;
  readonly channel: Channel;
  readonly recipient: string;
  readonly subject: string | null;
  readonly message: string;
  readonly html?: string | null;
  readonly category: Category;
  readonly priority: Priority;
  readonly metadata?: NotificationMetadata;
  readonly templateKey?: string | null;
  readonly locale?: string | null;
  readonly deduplicationKey?: string | null;
  /** Default: now. A past instant means now. */
  readonly sendAt?: Date | null;
}

/** Longest de-duplication key (it is a unique index entry). */
export const DEDUPLICATION_KEY_MAX_LENGTH = 255;

/** A de-duplication key is 1 to 255 characters (code points) of text (it is a unique index entry). */
export function checkDeduplicationKey(key: string): Result<string, InvalidContent> {
  const length = [...key].length;
  return length === 0 || length > DEDUPLICATION_KEY_MAX_LENGTH || !isWellFormedText(key)
    ? err(
        notificationsErrors.invalidContent(
          `the de-duplication key must be 1 to ${DEDUPLICATION_KEY_MAX_LENGTH} characters of text`,
          'deduplicationKey',
        ),
      )
    : ok(key);
}

/** What replaces the content of a security message once it has gone out (it held a code). */
export const SCRUBBED = '[removed after sending]';

/**
 * One message to one recipient on one channel. Status machine:
 *
 *   pending ──markSent──► sent ──markDelivered──► delivered
 *   pending | sent ──markFailed──► failed   (from sent: the provider reported a bounce)
 *   pending ──cancel──► cancelled
 *
 * Only a pending notification can be marked sent (the seeds' rule); marking failed keeps the
 * error. A security message's content (it carries a one-time code) is removed once it leaves
 * the pending state.
 */
export class Notification extends AggregateRoot<string, NotificationEvent> {
  #state: NotificationState;

  private constructor(state: NotificationState) {
    super(state.id);
    this.#state = state;
  }

  /** Validates the recipient for the channel and the content against the policy; records `notification.queued`. */
  static request(input: NewNotification, policy: ContentPolicy, at: Date): Result<Notification, NotificationRejected> {
    const recipient = parseRecipient(input.channel, input.recipient);
    if (recipient.isErr()) return err(recipient.error);
    const content = checkContent(input.channel, { subject: input.subject, message: input.message }, policy);
    if (content.isErr()) return err(content.error);
    const key = input.deduplicationKey ?? null;
    if (key !== null) {
      const checked = checkDeduplicationKey(key);
      if (checked.isErr()) return err(checked.error);
    }
    const metadata = input.metadata ?? {};
    if (
      !Object.entries(metadata).every(
        ([name, value]) => isWellFormedText(name) && (typeof value !== 'string' || isWellFormedText(value)),
      )
    )
      return err(notificationsErrors.invalidContent('metadata names and values must be text without NUL', 'metadata'));
    const sendAt = input.sendAt && input.sendAt.getTime() > at.getTime() ? input.sendAt : at;
    const notification = new Notification({
      id: input.id,
      userId: input.userId,
      channel: input.channel,
      recipient: recipient.value,
      subject: input.subject,
      message: input.message,
      html: input.channel === 'email' ? (input.html ?? null) : null,
      category: input.category,
      priority: input.priority,
      status: 'pending',
      metadata,
      templateKey: input.templateKey ?? null,
      locale: input.locale ?? null,
      deduplicationKey: key,
      sendAt,
      heldUntil: null,
      attempts: 0,
      lastError: null,
      claimedUntil: null,
      providerMessageId: null,
      createdAt: at,
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
      cancelledAt: null,
      version: 0,
    });
    notification.record({
      type: 'notification.queued',
      version: 1,
      aggregateId: input.id,
      occurredAt: at,
      data: { ...notification.facts(), sendAt: sendAt.toISOString() },
    });
    return ok(notification);
  }

  /** Rebuilds a notification from storage; records nothing. */
  static restore(state: NotificationState): Notification {
    return new Notification(state);
  }

  get state(): NotificationState {
    return this.#state;
  }
  get status(): NotificationStatus {
    return this.#state.status;
  }
  get isPending(): boolean {
    return this.#state.status === 'pending';
  }

  /** Milliseconds until it may be sent (0 when due). */
  dueIn(at: Date): number {
    return Math.max(0, this.#state.sendAt.getTime() - at.getTime());
  }

  /** Milliseconds until another worker's claim lapses (0 when nobody holds one). */
  claimedFor(at: Date): number {
    const until = this.#state.claimedUntil;
    return until === null ? 0 : Math.max(0, until.getTime() - at.getTime());
  }

  /**
   * Starts an attempt to hand it over: counts it and claims it until `claimedUntil`, so no other
   * worker starts one meanwhile. Only a pending notification whose claim (if any) has lapsed.
   */
  startAttempt(at: Date, claimedUntil: Date): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'sent'));
    if (this.claimedFor(at) > 0) return err(notificationsErrors.invalidTransition(this.#state.status, 'claimed twice'));
    this.#state = { ...this.#state, attempts: this.#state.attempts + 1, claimedUntil };
    return ok(undefined);
  }

  /** An attempt failed and another will follow: keep the error, release the claim. */
  attemptFailed(error: string): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'retried'));
    this.#state = { ...this.#state, lastError: error, claimedUntil: null };
    return ok(undefined);
  }

  /** An attempt that never reached the provider (its circuit was open): not counted, claim released. */
  attemptAbandoned(): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'released'));
    this.#state = { ...this.#state, attempts: Math.max(0, this.#state.attempts - 1), claimedUntil: null };
    return ok(undefined);
  }

  /** Holds it until `until` (the end of the recipient's quiet hours). */
  holdUntil(until: Date): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'held'));
    this.#state = { ...this.#state, sendAt: until, heldUntil: until, claimedUntil: null };
    return ok(undefined);
  }

  /**
   * The recipient changed their preferences: a notification held for their quiet hours is due
   * again `at` (it was due when it was held), to be judged against the new preferences. `true`
   * when it was held, `false` when there was nothing to release (a scheduled send keeps its time).
   */
  releaseHold(at: Date): Result<boolean, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'released from quiet hours'));
    if (this.#state.heldUntil === null) return ok(false);
    this.#state = { ...this.#state, sendAt: at, heldUntil: null };
    return ok(true);
  }

  /** The provider accepted it. Only a pending notification can be marked sent. */
  markSent(at: Date, providerMessageId: string | null): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'marked sent'));
    this.#state = { ...this.scrubbed(), status: 'sent', sentAt: at, providerMessageId, claimedUntil: null };
    this.record({
      type: 'notification.sent',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), sentAt: at.toISOString(), attempts: this.#state.attempts },
    });
    return ok(undefined);
  }

  /** The provider reported it delivered. A receipt can overtake our own "sent": then it is marked sent first. */
  markDelivered(at: Date): Result<void, InvalidTransition> {
    if (this.#state.status === 'pending') this.markSent(at, this.#state.providerMessageId);
    if (this.#state.status !== 'sent') return err(notificationsErrors.invalidTransition(this.#state.status, 'marked delivered'));
    this.#state = { ...this.#state, status: 'delivered', deliveredAt: at };
    this.record({
      type: 'notification.delivered',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), deliveredAt: at.toISOString() },
    });
    return ok(undefined);
  }

  /**
   * It cannot be delivered: every attempt failed, the provider refused it, or (from sent) it
   * bounced. The error is kept.
   */
  markFailed(error: string, at: Date): Result<void, InvalidTransition> {
    const from = this.#state.status;
    if (from !== 'pending' && from !== 'sent') return err(notificationsErrors.invalidTransition(from, 'marked failed'));
    this.#state = { ...this.scrubbed(), status: 'failed', failedAt: at, lastError: error, claimedUntil: null };
    this.record({
      type: 'notification.failed',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: {
        ...this.facts(),
        failedAt: at.toISOString(),
        attempts: this.#state.attempts,
        reason: error,
        bounced: from === 'sent',
      },
    });
    return ok(undefined);
  }

  /** Withdrawn before it went out (a cancelled scheduled send, the recipient deactivated or opted out). */
  cancel(reason: string, at: Date): Result<void, InvalidTransition> {
    if (!this.isPending) return err(notificationsErrors.invalidTransition(this.#state.status, 'cancelled'));
    this.#state = { ...this.scrubbed(), status: 'cancelled', cancelledAt: at, lastError: reason, claimedUntil: null };
    this.record({
      type: 'notification.cancelled',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { ...this.facts(), cancelledAt: at.toISOString(), reason },
    });
    return ok(undefined);
  }

  private facts(): NotificationFacts {
    const s = this.#state;
    return {
      notificationId: s.id,
      userId: s.userId,
      channel: s.channel,
      category: s.category,
      priority: s.priority,
      templateKey: s.templateKey,
    };
  }

  /** The state with a security message's content removed (it carried a one-time code). */
  private scrubbed(): NotificationState {
    const s = this.#state;
    return s.category === 'security' ? { ...s, message: SCRUBBED, html: null } : s;
  }
}
