import type { UserRole, UserState, UserStatus } from '@aura/domain/users';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly status: UserStatus;
  readonly emailVerified: boolean;
  readonly timeZone: string;
  readonly locale: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deactivatedAt: Date | null;
}

/** Allow-listed: adding a field to the aggregate does not leak it. */
export function toUserView(state: UserState): UserView {
  return {
    id: state.id,
    email: state.email,
    displayName: state.displayName,
    role: state.role,
    status: state.status,
    emailVerified: state.emailVerifiedAt !== null,
    timeZone: state.timeZone,
    locale: state.locale,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    deactivatedAt: state.deactivatedAt,
  };
}
