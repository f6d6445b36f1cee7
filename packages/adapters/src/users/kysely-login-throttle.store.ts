import { createHash } from 'node:crypto';
import type { LoginThrottleStore } from '@aura/application/users';
import { claimLoginAttempt, type LockoutPolicy, type LoginAttemptClaim } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { UsersDb } from './users.tables.js';

/** The table holds a SHA-256 of the login key, never the address someone typed. */
const storedKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * Failed-login counters. `claim` locks the key's row (creating it at zero first), applies the
 * domain's `claimLoginAttempt` and writes the result in one transaction, so concurrent
 * attempts are counted one after the other and never get past the threshold together.
 */
@injectable()
export class KyselyLoginThrottleStore implements LoginThrottleStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<UsersDb>();
  }

  claim(key: string, now: Date, policy: LockoutPolicy): Promise<LoginAttemptClaim> {
    const hashed = storedKey(key);
    return this.transactions.transaction(async () => {
      await this.db
        .insertInto('users.login_throttle')
        .values({ key: hashed, failures: 0, window_started_at: null, last_failure_at: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await this.db
        .selectFrom('users.login_throttle')
        .select(['failures', 'window_started_at', 'last_failure_at'])
        .where('key', '=', hashed)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const claim = claimLoginAttempt(
        { failures: row.failures, windowStartedAt: row.window_started_at, lastFailureAt: row.last_failure_at },
        now,
        policy,
      );
      if (claim.allowed) {
        await this.db
          .updateTable('users.login_throttle')
          .set({
            failures: claim.state.failures,
            window_started_at: claim.state.windowStartedAt,
            last_failure_at: claim.state.lastFailureAt,
          })
          .where('key', '=', hashed)
          .execute();
      }
      return claim;
    });
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('users.login_throttle').where('key', '=', storedKey(key)).execute();
  }

  async purgeIdleSince(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('users.login_throttle')
      .where((eb) => eb.or([eb('last_failure_at', 'is', null), eb('last_failure_at', '<', before)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
