import { User, type WeakPassword } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { IdGenerator } from '../../platform/ports/id-generator.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { checkNewAccount, PasswordPolicy } from '../password-policy.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { type EmailTaken, UserRepository } from '../ports/user.repository.port.js';
import type { AccountInput, InvalidAccountInput } from '../profile-input.js';
import { SecurityAudit } from '../security-audit.js';
import { toUserView, type UserView } from '../user.view.js';

export type CreateAdministratorError = InvalidAccountInput | WeakPassword | EmailTaken;

/** An operator creates an admin account (the first one, from the command line): active and verified at once. */
@injectable()
export class CreateAdministrator {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(PasswordPolicy) private readonly policy: PasswordPolicy,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: AccountInput & { readonly password: string }): ResultAsync<UserView, CreateAdministratorError> {
    return checkNewAccount(this.policy, input)
      .andThen((account) =>
        ResultAsync.fromSafePromise(this.hasher.hash(input.password)).map((passwordHash) => ({ account, passwordHash })),
      )
      .map(({ account, passwordHash }) =>
        User.createByOperator({ ...account, id: this.ids.next(), role: 'admin', passwordHash }, this.clock.now()),
      )
      .andThen((user) => this.uow.result(() => new ResultAsync(this.users.add(user)).map(() => user)))
      .andThen((user) =>
        ResultAsync.fromSafePromise(this.audit.record('administrator_created', { userId: user.id })).map(() =>
          toUserView(user.state),
        ),
      );
  }
}
