import { type RoleNotSelfAssignable, User, type UserRole, type WeakPassword } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { IdGenerator } from '../../platform/ports/id-generator.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { checkNewAccount, PasswordPolicy } from '../password-policy.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import type { SessionClient } from '../ports/session.store.port.js';
import { type EmailTaken, UserRepository } from '../ports/user.repository.port.js';
import type { AccountInput, InvalidAccountInput, ParsedAccount } from '../profile-input.js';
import { SecurityAudit } from '../security-audit.js';
import { toUserView, type UserView } from '../user.view.js';

export interface RegisterUserInput extends AccountInput {
  readonly password: string;
  /** `patient` (default) or `therapist`. */
  readonly role?: UserRole | undefined;
  readonly client?: SessionClient;
}

export type RegisterUserError = InvalidAccountInput | WeakPassword | RoleNotSelfAssignable | EmailTaken;

/**
 * Self-registration. The password is hashed before the address is checked, and a taken
 * address is discovered by the unique index, so a 409 costs the same work as a 201 and the
 * endpoint cannot be timed to find accounts. The verification email follows from the
 * `user.registered` event (sent by the worker), never inside the request.
 */
@injectable()
export class RegisterUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(PasswordPolicy) private readonly policy: PasswordPolicy,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(SecurityAudit) private readonly audit: SecurityAudit,
  ) {}

  execute(input: RegisterUserInput): ResultAsync<UserView, RegisterUserError> {
    return checkNewAccount(this.policy, input).andThen((account) => new ResultAsync(this.register(input, account)));
  }

  private async register(input: RegisterUserInput, account: ParsedAccount): Promise<Result<UserView, RegisterUserError>> {
    const passwordHash = await this.hasher.hash(input.password);
    const user = User.register(
      { ...account, id: this.ids.next(), role: input.role ?? 'patient', passwordHash },
      this.clock.now(),
    );
    if (user.isErr()) return err(user.error);
    const added = await this.uow.result(() => new ResultAsync(this.users.add(user.value)));
    // Both outcomes leave one audit entry: the same writes either way (and a refused
    // registration of a taken address is worth knowing about).
    if (added.isErr()) {
      await this.audit.record('registration_refused', { client: input.client, details: { reason: 'email_taken' } });
      return err(added.error);
    }
    await this.audit.record('registered', { userId: user.value.id, client: input.client, details: { role: user.value.role } });
    return ok(toUserView(user.value.state));
  }
}
