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
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
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
 * SMS and push messages go to. Applies to everything not yet sent, scheduled sends included.
 */
@injectable()
export class UpdatePreferences {
  constructor(
    @inject(PreferencesRepository) private readonly preferences: PreferencesRepository,
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
    const changed = changePreferences(current, input, this.clock.now());
    if (changed.isErr()) return err(changed.error);
    await this.preferences.save(changed.value);
    return ok(changed.value);
  }
}
