import { inject, injectable } from 'inversify';
import type { IntegrationEvent, IntegrationEventHandler } from '../platform/events/index.js';
import type { JobProcessor } from '../platform/modules/module-definition.js';
import { Clock } from '../platform/ports/clock.port.js';
import type { JobContext, JobToEnqueue } from '../platform/ports/job-queue.port.js';
import { JobQueue } from '../platform/ports/job-queue.port.js';
import { Logger } from '../platform/ports/logger.port.js';
import { UnitOfWork } from '../platform/ports/unit-of-work.port.js';
import { CancelUserNotifications } from './commands/cancel-notification.command.js';
import { DELIVER_QUEUE, type DeliverJob, DeliverNotification, deliveryJobId } from './commands/deliver-notification.command.js';
import { SendNotification } from './commands/send-notification.command.js';
import { NotificationRepository } from './ports/notification.repository.port.js';
import { NotificationsSettings } from './ports/notifications-settings.js';

/** The queue of the periodic sweep that re-derives due notifications from the database. */
export const SWEEP_QUEUE = 'notifications.sweep';
/** Container token of the sweep's interval in milliseconds (from configuration). */
export const SweepIntervalMs = Symbol.for('aura.notifications.SweepIntervalMs');
/** Container token of the delivery jobs' concurrency per worker (from configuration). */
export const DeliveryConcurrency = Symbol.for('aura.notifications.DeliveryConcurrency');
/** Due notifications handed to the queue per sweep batch. */
const SWEEP_BATCH = 500;

/** The delivery job of one notification, as the event handler and the sweep both enqueue it. */
export function deliveryJob(
  notificationId: string,
  sendAt: Date,
  now: Date,
  settings: NotificationsSettings,
  correlationId: string,
  /** The sweep's: a delivery job that failed for good (e.g. its workers died twice) is replaced, not a wall. */
  replaceFailed = false,
): JobToEnqueue<DeliverJob> {
  return {
    queue: DELIVER_QUEUE,
    name: 'deliver',
    data: { notificationId, correlationId },
    options: {
      jobId: deliveryJobId(notificationId, sendAt),
      ...(replaceFailed ? { replaceFailed } : {}),
      delayMs: Math.max(0, sendAt.getTime() - now.getTime()),
      attempts: settings.maxAttempts,
      backoff: { type: 'exponential', delayMs: settings.retryBackoffMs },
    },
  };
}

/** Worker side of `notifications.deliver`. */
@injectable()
export class DeliverNotificationProcessor implements JobProcessor<DeliverJob> {
  constructor(
    @inject(DeliverNotification) private readonly deliver: DeliverNotification,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async process(job: JobContext<DeliverJob>): Promise<void> {
    const outcome = await this.deliver.execute(job.data.notificationId, { attempt: job.attempt, maxAttempts: job.maxAttempts });
    this.logger.debug('notification delivery job done', { notificationId: job.data.notificationId, outcome });
  }
}

/**
 * `notification.queued` → its delivery job, unless it is due beyond the next sweep (a
 * scheduled send days ahead waits in the database, not in the queue). The job is enqueued
 * once the handler's transaction has committed, so no transaction waits on the queue; if
 * that enqueue fails (Redis away), the sweep enqueues the notification within an interval.
 */
@injectable()
export class EnqueueDelivery implements IntegrationEventHandler<{ notificationId: string; sendAt: string }> {
  constructor(
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
  ) {}

  async handle(event: IntegrationEvent<{ notificationId: string; sendAt: string }>): Promise<void> {
    const now = this.clock.now();
    const sendAt = new Date(event.data.sendAt);
    if (sendAt.getTime() - now.getTime() > 2 * this.settings.sweepIntervalMs) return;
    const job = deliveryJob(event.data.notificationId, sendAt, now, this.settings, event.metadata.correlationId);
    this.uow.afterCommit(() => this.queue.enqueue(job));
  }
}

/**
 * Every `sweepIntervalMs`: every pending notification due before the next sweep, whose claim
 * (if any) has lapsed, gets its delivery job — with the same job id as ever, so a job already
 * queued is not doubled. This is what makes scheduled sends survive a restart or a lost Redis.
 */
@injectable()
export class SweepDueNotifications implements JobProcessor {
  constructor(
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async process(job: JobContext<{ correlationId?: string }>): Promise<void> {
    const now = this.clock.now();
    const dueBy = new Date(now.getTime() + 2 * this.settings.sweepIntervalMs);
    const correlationId = job.data?.correlationId ?? job.id;
    let handed = 0;
    let after: { readonly sendAt: Date; readonly id: string } | undefined;
    for (;;) {
      const due = await this.notifications.findDue(dueBy, now, SWEEP_BATCH, after);
      if (due.length === 0) break;
      await this.queue.enqueueMany(due.map((d) => deliveryJob(d.id, d.sendAt, now, this.settings, correlationId, true)));
      handed += due.length;
      after = due[due.length - 1];
      if (due.length < SWEEP_BATCH) break;
    }
    this.logger.info('due notifications swept', { handed });
  }
}

/** `user.registered` → a welcome email (once per event, whatever happens to the event). */
@injectable()
export class SendWelcomeEmail implements IntegrationEventHandler<{ userId: string; displayName: string }> {
  constructor(@inject(SendNotification) private readonly send: SendNotification) {}

  async handle(event: IntegrationEvent<{ userId: string; displayName: string }>): Promise<void> {
    const sent = await this.send.execute({
      to: { userId: event.data.userId },
      channel: 'email',
      content: { template: 'user.welcome', variables: { displayName: event.data.displayName } },
      deduplicationKey: `${event.eventId}:user.welcome:email`,
    });
    // A deactivated or vanished account gets no welcome; anything else is a bug worth retrying loudly.
    if (
      sent.isErr() &&
      sent.error.type !== 'notifications.recipient_inactive' &&
      sent.error.type !== 'notifications.recipient_not_found'
    )
      throw new Error(`the welcome email could not be queued: ${sent.error.message}`);
  }
}

/** `user.deactivated` → their pending and scheduled notifications are withdrawn. */
@injectable()
export class CancelOnDeactivation implements IntegrationEventHandler<{ userId: string }> {
  constructor(@inject(CancelUserNotifications) private readonly cancel: CancelUserNotifications) {}

  async handle(event: IntegrationEvent<{ userId: string }>): Promise<void> {
    await this.cancel.execute(event.data.userId);
  }
}

/** `https://x.org/aura` → `https://x.org/aura/`, so relative paths keep the prefix. */
export function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
