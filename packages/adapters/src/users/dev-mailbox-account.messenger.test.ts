import type { AccountMessage } from '@aura/application/users';
import type { Email } from '@aura/domain/users';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../platform/db/database.js';
import { TransactionManager } from '../platform/db/transactions.js';
import { InMemoryDevMailbox } from '../platform/mail/dev-mailbox.js';
import { createPinoLogger, PinoLogger } from '../platform/observability/logger.js';
import { AsyncLocalExecutionContext } from '../platform/runtime/async-local-execution-context.js';
import { DevMailboxAccountMessenger } from './dev-mailbox-account.messenger.js';

const message = (overrides: Partial<AccountMessage> = {}): AccountMessage => ({
  userId: '0190aaaa-bbbb-7ccc-8ddd-000000000003',
  to: 'grace.hopper@example.com' as Email,
  displayName: 'Grace Hopper',
  locale: 'en-US',
  token: 'Xq3v_8mZ-one-time-token-0123456789abcdefABC',
  expiresAt: new Date('2026-11-23T10:15:00.000Z'),
  ...overrides,
});

let database: DatabaseHandle;
let transactions: TransactionManager;
const logger = new PinoLogger(createPinoLogger({ level: 'silent', context: new AsyncLocalExecutionContext() }));
const messengerOver = (mailbox: InMemoryDevMailbox, publicBaseUrl: string) =>
  new DevMailboxAccountMessenger(mailbox, { publicBaseUrl }, transactions, logger);

beforeAll(async () => {
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  transactions = new TransactionManager(database.db);
});
afterAll(() => database.close());

describe('DevMailboxAccountMessenger', () => {
  let mailbox: InMemoryDevMailbox;
  let messenger: DevMailboxAccountMessenger;

  beforeEach(() => {
    mailbox = new InMemoryDevMailbox();
    messenger = messengerOver(mailbox, 'https://aura.example.org');
  });

  it('inside a unit of work, writes the message once it commits, and never for one that rolls back', async () => {
    await transactions.transaction(async () => {
      await messenger.sendEmailVerification(message());
      expect(await mailbox.list()).toHaveLength(0);
    });
    await expect.poll(() => mailbox.list().then((mails) => mails.length)).toBe(1);
    await expect(
      transactions.transaction(async () => {
        await messenger.sendPasswordReset(message());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await mailbox.list()).toHaveLength(1);
  });

  async function onlyMail() {
    const mails = await mailbox.list();
    expect(mails).toHaveLength(1);
    return mails[0] as NonNullable<(typeof mails)[0]>;
  }

  it('sends the email verification to the person, with the code, where to send it, and when it expires', async () => {
    await messenger.sendEmailVerification(message());
    const mail = await onlyMail();
    expect(mail.to).toBe('grace.hopper@example.com');
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('Hello Grace Hopper,');
    expect(mail.text).toContain('Your code: Xq3v_8mZ-one-time-token-0123456789abcdefABC');
    expect(mail.text).toContain('POST https://aura.example.org/api/auth/verify-email');
    expect(mail.text).toContain('{"token":"Xq3v_8mZ-one-time-token-0123456789abcdefABC"}');
    expect(mail.text).toContain('expires at 2026-11-23T10:15:00.000Z');
    expect(mail.text).toContain('If you did not create an account, ignore this email.');
    expect(mail.html).toBeUndefined();
    expect(await mailbox.list({ to: 'grace.hopper@example.com' })).toHaveLength(1);
  });

  it('sends the password reset to the person, with the code, where to send it with the new password, and when it expires', async () => {
    await messenger.sendPasswordReset(message({ token: 'reset-token-abc', expiresAt: new Date('2026-11-22T11:00:00Z') }));
    const mail = await onlyMail();
    expect(mail.to).toBe('grace.hopper@example.com');
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('Hello Grace Hopper,');
    expect(mail.text).toContain('Your code: reset-token-abc');
    expect(mail.text).toContain('POST https://aura.example.org/api/auth/password-reset/confirm');
    expect(mail.text).toContain('{"token":"reset-token-abc","newPassword":"<your new password>"}');
    expect(mail.text).toContain('expires at 2026-11-22T11:00:00.000Z');
    expect(mail.text).toContain('your password stays as it is');
  });

  it('writes the whole message to the mailbox (an .eml with the headers and the text)', async () => {
    await messenger.sendEmailVerification(message());
    const mail = await onlyMail();
    const raw = (await mailbox.raw(mail.id))?.toString('utf8') ?? '';
    expect(raw).toMatch(/^To: grace\.hopper@example\.com$/m);
    expect(raw).toMatch(/^Subject: Confirm your email address$/m);
  });

  it('builds the links from the public base URL, with its port and with or without a trailing slash', async () => {
    const local = messengerOver(mailbox, 'http://localhost:3000/');
    await local.sendEmailVerification(message());
    expect((await onlyMail()).text).toContain('POST http://localhost:3000/api/auth/verify-email');
  });

  it('keeps the path of a public base URL served under a prefix (behind a reverse proxy)', async () => {
    const prefixed = messengerOver(mailbox, 'https://example.org/aura');
    await prefixed.sendPasswordReset(message());
    expect((await onlyMail()).text).toContain('POST https://example.org/aura/api/auth/password-reset/confirm');
  });

  it('addresses each person by their own display name', async () => {
    await messenger.sendEmailVerification(message({ to: 'ada@example.com' as Email, displayName: 'Ada Lovelace' }));
    await messenger.sendPasswordReset(message({ to: 'alan@example.com' as Email, displayName: 'Alan Turing' }));
    const [ada] = await mailbox.list({ to: 'ada@example.com' });
    const [alan] = await mailbox.list({ to: 'alan@example.com' });
    expect(ada?.text).toContain('Hello Ada Lovelace,');
    expect(ada?.subject).toBe('Confirm your email address');
    expect(alan?.text).toContain('Hello Alan Turing,');
    expect(alan?.subject).toBe('Reset your password');
  });
});
