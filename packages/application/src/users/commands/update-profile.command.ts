import {
  type InvalidDisplayName,
  type InvalidLocale,
  type InvalidTimeZone,
  type ProfileChanges,
  parseDisplayName,
  parseLocale,
  parseTimeZone,
} from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { Clock } from '../../platform/ports/clock.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SecurityAudit } from '../security-audit.js';
import { toUserView, type UserView } from '../user.view.js';
import { type UserNotFound, userNotFound } from './change-password.command.js';

export interface UpdateProfileInput {
  readonly actor: Actor;
  readonly displayName?: string | undefined;
  readonly timeZone?: string | undefined;
  readonly locale?: string | undefined;
}
export type UpdateProfileError = InvalidDisplayName | InvalidTimeZone | InvalidLocale | UserNotFound;

function parseChanges(input: UpdateProfileInput): Result<ProfileChanges, UpdateProfileError> {
  const changes: { -readonly [K in keyof ProfileChanges]: ProfileChanges[K] } = {};
  if (input.displayName !== undefined) {
    const name = parseDisplayName(input.displayName);
    if (name.isErr()) return err(name.error);
    changes.displayName = name.value;
  }
  if (input.timeZone !== undefined) {
    const zone = parseTimeZone(input.timeZone);
    if (zone.isErr()) return err(zone.error);
    changes.timeZone = zone.value;
  }
  if (input.locale !== undefined) {
    const locale = parseLocale(input.locale);
    if (locale.isErr()) return err(locale.error);
    changes.locale = locale.value;
  }
  return ok(changes);
}

/** The caller edits their own name, time zone and locale. */
@injectable()
export class UpdateProfile {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: UpdateProfileInput): ResultAsync<UserView, UpdateProfileError> {
    return this.uow.result(
      () =>
        new ResultAsync(
          (async (): Promise<Result<UserView, UpdateProfileError>> => {
            const changes = parseChanges(input);
            if (changes.isErr()) return err(changes.error);
            const user = await this.users.findById(input.actor.userId, { forUpdate: true });
            if (user === undefined) return err(userNotFound(input.actor.userId));
            if (user.updateProfile(changes.value, this.clock.now())) {
              await this.users.save(user);
              await this.audit.record('profile_updated', {
                userId: user.id,
                details: { fields: Object.keys(changes.value).join(',') },
              });
            }
            return ok(toUserView(user.state));
          })(),
        ),
    );
  }
}
