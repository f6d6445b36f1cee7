import type { Email } from '@aura/domain/users';

export interface AccountMessage {
  readonly userId: string;
  readonly to: Email;
  readonly displayName: string;
  readonly locale: string;
  /** The one-time token the person sends back. */
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * Gets account messages to their owner. Development: the development mailbox; later the
 * notifications module. Called from the worker (never inside an HTTP request), at least once.
 */
export interface AccountMessenger {
  sendEmailVerification(message: AccountMessage): Promise<void>;
  sendPasswordReset(message: AccountMessage): Promise<void>;
}
export const AccountMessenger = Symbol.for('aura.users.AccountMessenger');
