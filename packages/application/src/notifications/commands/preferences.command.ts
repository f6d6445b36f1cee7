import {
  changePreferences,
  type InvalidQuietHours,
  type InvalidRecipient,
  type NotificationPreferences,
  type PreferencesInput,
} from '@aura/domain/notifications';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { ExecutionContext } from '../../platform/ports/execution-context.port.js';
import { JobQueue } from '../../platform/ports/job-queue.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { deliveryJob } from '../notifications.jobs.js';
import { NotificationRepository } from '../ports/notification.repository.port.js';
import { NotificationsSettings } from '../ports/notifications-settings.js';
import { PreferencesRepository } from '../ports/preferences.repository.port.js';

/** A person's own notification preferences (defaults until they change something). */
@injectable()
export class GetPreferences {
  constructor(@inject(PreferencesRepository) private readonly preferences: PreferencesRepository) {}

  execute(actor: Actor): ResultAsync<NotificationPreferences, never> {
    return ResultAsync.fromSafePromise(this.preferences.get(actor.userId));
  }
}

/**
 * Changes a person's own preferences: opt in or out per channel and category (security
 * messages cannot be opted out of), quiet hours, and the phone number and push device their
 * SMS and push messages go to. Applies to everything not yet sent, scheduled sends included:
 * messages held for the old quiet hours are released at once (their delivery judges them
 * against the new preferences, holding them again if they are still quiet), and their
 * delivery jobs are enqueued once the change has committed (the sweep would find them too).
 */
@injectable()
export class UpdatePreferences {
  constructor(
    @inject(PreferencesRepository) private readonly preferences: PreferencesRepository,
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
    @inject(ExecutionContext) private readonly context: ExecutionContext,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(actor: Actor, input: PreferencesInput): ResultAsync<NotificationPreferences, InvalidQuietHours | InvalidRecipient> {
    return this.uow.result(() => new ResultAsync(this.update(actor.userId, input)));
  }

  private async update(
    userId: string,
    input: PreferencesInput,
  ): Promise<Result<NotificationPreferences, InvalidQuietHours | InvalidRecipient>> {
    const current = await this.preferences.get(userId);
    const now = this.clock.now();
    const changed = changePreferences(current, input, now);
    if (changed.isErr()) return err(changed.error);
    await this.preferences.save(changed.value);
    const released: string[] = [];
    for (const id of await this.notifications.findPendingIdsOfUser(userId)) {
      const notification = await this.notifications.findById(id, { lock: true });
      if (notification?.releaseHold(now).unwrapOr(false) !== true) continue;
      await this.notifications.save(notification);
      released.push(id);
    }
    if (released.length > 0) {
      const correlationId = this.context.current()?.correlationId ?? `preferences:${userId}`;
      this.uow.afterCommit(() =>
        this.queue.enqueueMany(released.map((id) => deliveryJob(id, now, now, this.settings, correlationId))),
      );
    }
    return ok(changed.value);
  }
}
