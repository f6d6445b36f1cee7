import { beforeEach, describe, expect, it } from 'vitest';
import { DAY, STRONG_PASSWORD, type UsersTestBed, usersTestBed } from '../../test/users/fakes.js';
import type { IntegrationEvent } from '../platform/events/index.js';
import type { JobContext } from '../platform/ports/job-queue.port.js';
import { Login } from './commands/login.command.js';
import {
  ACCOUNT_EMAILS_QUEUE,
  type AccountEmailJob,
  RequestAccountEmail,
  SendAccountEmail,
} from './commands/send-account-email.command.js';
import { AccountEmailsProcessor, PurgeExpiredCredentials, SendVerificationOnRegistration } from './users.jobs.js';

let bed: UsersTestBed;

beforeEach(() => {
  bed = usersTestBed();
});

const job = (data: AccountEmailJob): JobContext<AccountEmailJob> => ({
  id: 'job-1',
  queue: ACCOUNT_EMAILS_QUEUE,
  name: data.kind,
  data,
  attempt: 1,
  maxAttempts: 5,
});

const registeredEvent = (data: { userId: string; status: string }): IntegrationEvent<{ userId: string; status: string }> => ({
  eventId: '0190aaaa-bbbb-7ccc-8ddd-0000000000ee',
  eventType: 'user.registered',
  occurredAt: '2026-11-22T08:00:00.250Z',
  sourceModule: 'users',
  version: 1,
  data,
  metadata: { correlationId: 'corr-1', causationId: null, userId: null },
});

describe('AccountEmailsProcessor', () => {
  it('sends what RequestAccountEmail enqueued, and logs the outcome (never the address)', async () => {
    const user = await bed.activeUser({ email: 'ana@example.com' });
    await bed.get(RequestAccountEmail).execute('password_reset', 'ANA@example.com');
    const enqueued = bed.queue.enqueued[0]?.data as AccountEmailJob;
    await bed.get(AccountEmailsProcessor).process(job(enqueued));
    expect(bed.messenger.sent.at(-1)).toMatchObject({ kind: 'password_reset', userId: user.id });
    const logged = bed.logger.entries.find((e) => e.message === 'account email processed');
    expect(logged).toEqual({
      level: 'info',
      message: 'account email processed',
      fields: { kind: 'password_reset', outcome: 'sent' },
    });
    expect(JSON.stringify(bed.logger.entries)).not.toContain('ana@example.com');
  });

  it('finds the account by id when the job names one', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    await bed.get(AccountEmailsProcessor).process(job({ kind: 'verification', userId: user.id, correlationId: 'c' }));
    expect(bed.messenger.sent).toEqual([expect.objectContaining({ kind: 'verification', userId: user.id })]);
  });

  it('completes (no retry) when there is no account, logging no_account', async () => {
    await bed
      .get(AccountEmailsProcessor)
      .process(job({ kind: 'password_reset', email: 'nobody@example.com', correlationId: 'c' }));
    expect(bed.messenger.sent).toEqual([]);
    expect(bed.logger.entries.at(-1)?.fields).toEqual({ kind: 'password_reset', outcome: 'no_account' });
  });

  it('lets a failed send reject, so the queue retries the job', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    bed.messenger.sendEmailVerification = async () => {
      throw new Error('smtp is down');
    };
    await expect(
      bed.get(AccountEmailsProcessor).process(job({ kind: 'verification', userId: user.id, correlationId: 'c' })),
    ).rejects.toThrow('smtp is down');
  });
});

describe('SendVerificationOnRegistration', () => {
  it('sends the verification email of a pending registration', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    await bed.get(SendVerificationOnRegistration).handle(registeredEvent({ userId: user.id, status: 'pending_verification' }));
    expect(bed.messenger.sent).toEqual([expect.objectContaining({ kind: 'verification', userId: user.id })]);
  });

  it('sends it once when the event is delivered twice in a row (at-least-once delivery)', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    const event = registeredEvent({ userId: user.id, status: 'pending_verification' });
    await bed.get(SendVerificationOnRegistration).handle(event);
    await bed.get(SendVerificationOnRegistration).handle(event);
    expect(bed.messenger.sent).toHaveLength(1);
  });

  it('ignores registrations that need no verification (an operator-created admin is active at once)', async () => {
    const admin = await bed.admin();
    const published = bed.users.published.find((e) => e.aggregateId === admin.id);
    expect(published?.data).toMatchObject({ status: 'active' });
    await bed.get(SendVerificationOnRegistration).handle(registeredEvent({ userId: admin.id, status: 'active' }));
    expect(bed.messenger.sent).toEqual([]);
  });
});

describe('PurgeExpiredCredentials', () => {
  it('purges expired refresh tokens and codes, and idle login counters, and logs the counts', async () => {
    const user = await bed.activeUser({ email: 'ana@example.com' });
    await bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD });
    await bed.get(Login).execute({ email: 'nobody@example.com', password: 'a wrong guess' });
    await bed.get(SendAccountEmail).execute({ kind: 'password_reset', userId: user.id });
    bed.clock.advance(8 * DAY);
    await bed.get(PurgeExpiredCredentials).process();
    expect(bed.sessions.familiesOf(user.id)).toEqual([]);
    expect(await bed.oneTimeTokens.lastIssuedAt(user.id, 'password_reset')).toBeUndefined();
    expect(bed.logger.entries.find((e) => e.message === 'expired credentials purged')?.fields).toEqual({
      refreshTokens: 1,
      oneTimeTokens: 2, // the spent verification code and the reset code
      loginCounters: 1,
    });
  });
});
