import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, HOUR, SECOND, type UsersTestBed, usersSettings, usersTestBed } from '../../../test/users/fakes.js';
import { DeactivateUser } from './account-status.command.js';
import { ACCOUNT_EMAILS_QUEUE, RequestAccountEmail, SendAccountEmail } from './send-account-email.command.js';

let bed: UsersTestBed;
let send: SendAccountEmail;

beforeEach(() => {
  bed = usersTestBed();
  send = bed.get(SendAccountEmail);
});

describe('SendAccountEmail', () => {
  it('sends a verification email to a pending account, found by id', async () => {
    const user = await bed.register({ email: 'ana@example.com', locale: 'pt-BR' });
    expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('sent');
    expect(bed.messenger.sent).toEqual([
      expect.objectContaining({ kind: 'verification', userId: user.id, to: 'ana@example.com', locale: 'pt-BR' }),
    ]);
    const token = bed.messenger.lastToken(user.id, 'verification');
    expect(await bed.oneTimeTokens.findForUse(`h(${token})`)).toMatchObject({
      userId: user.id,
      purpose: 'email_verification',
      usedAt: null,
      createdAt: bed.clock.now(),
    });
    // A verification email is no security event; a reset request is.
    expect(bed.auditTypes(user.id)).toEqual(['registered']);
  });

  it('sends a one-hour password reset to an account found by its address in any case, and audits the request', async () => {
    const user = await bed.activeUser({ email: 'ana@example.com' });
    expect(await send.execute({ kind: 'password_reset', email: '  ANA@Example.com ' })).toBe('sent');
    const message = bed.messenger.sent.at(-1);
    expect(message).toMatchObject({
      kind: 'password_reset',
      userId: user.id,
      expiresAt: new Date(bed.clock.now().getTime() + HOUR),
    });
    expect(bed.auditLog.events.at(-1)).toMatchObject({ type: 'password_reset_requested', userId: user.id });
  });

  it('sends a password reset to an account still waiting for verification', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    expect(await send.execute({ kind: 'password_reset', userId: user.id })).toBe('sent');
  });

  it.each([
    { kind: 'verification' as const, email: 'nobody@example.com' },
    { kind: 'password_reset' as const, email: 'nobody@example.com' },
    { kind: 'password_reset' as const, email: 'not an address' },
    { kind: 'password_reset' as const },
    { kind: 'verification' as const, userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999' },
  ])('answers no_account for %o, sending nothing', async (job) => {
    await bed.register({ email: 'ana@example.com' });
    expect(await send.execute(job)).toBe('no_account');
    expect(bed.messenger.sent).toEqual([]);
  });

  it('does not send a verification email to a verified account', async () => {
    const user = await bed.activeUser({ email: 'ana@example.com' });
    const sent = bed.messenger.sent.length;
    bed.clock.advance(HOUR);
    expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('not_applicable');
    expect(await send.execute({ kind: 'verification', email: 'ana@example.com' })).toBe('not_applicable');
    expect(bed.messenger.sent).toHaveLength(sent);
  });

  it.each(['verification', 'password_reset'] as const)('sends no %s email to a deactivated account', async (kind) => {
    const user = await bed.register({ email: 'ana@example.com' });
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect(await send.execute({ kind, userId: user.id })).toBe('not_applicable');
    expect(bed.messenger.sent).toEqual([]);
  });

  it('refuses another email of the same kind within the interval, and sends it once the interval is over', async () => {
    const user = await bed.activeUser({ email: 'ana@example.com' });
    expect(await send.execute({ kind: 'password_reset', userId: user.id })).toBe('sent');
    bed.clock.advance(usersSettings.accountEmailIntervalMs - 1);
    expect(await send.execute({ kind: 'password_reset', email: 'ana@example.com' })).toBe('too_soon');
    expect(bed.messenger.sent.filter((m) => m.kind === 'password_reset')).toHaveLength(1);
    bed.clock.advance(1);
    expect(await send.execute({ kind: 'password_reset', userId: user.id })).toBe('sent');
    expect(bed.messenger.sent.filter((m) => m.kind === 'password_reset')).toHaveLength(2);
  });

  it('keeps the interval per kind: a verification email does not hold back a reset', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('sent');
    expect(await send.execute({ kind: 'password_reset', userId: user.id })).toBe('sent');
    expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('too_soon');
  });

  it('keeps the interval per account', async () => {
    const ana = await bed.register({ email: 'ana@example.com' });
    const bia = await bed.register({ email: 'bia@example.com', displayName: 'Bia' });
    expect(await send.execute({ kind: 'verification', userId: ana.id })).toBe('sent');
    expect(await send.execute({ kind: 'verification', userId: bia.id })).toBe('sent');
  });
});

describe('RequestAccountEmail', () => {
  it("puts the request on the account-emails queue with the address lower-cased and the request's correlation id", async () => {
    await bed.get(RequestAccountEmail).execute('password_reset', '  Ana@Example.COM ');
    expect(bed.queue.enqueued).toEqual([
      {
        queue: ACCOUNT_EMAILS_QUEUE,
        name: 'password_reset',
        data: { kind: 'password_reset', email: 'ana@example.com', correlationId: 'corr-1' },
      },
    ]);
    expect(ACCOUNT_EMAILS_QUEUE).toBe('users.account-emails');
    expect(bed.logger.entries).toEqual([
      { level: 'debug', message: 'account email requested', fields: { kind: 'password_reset' } },
    ]);
  });

  it('answers the same whether or not the address has an account, without looking it up', async () => {
    await bed.register({ email: 'ana@example.com' });
    const before = bed.messenger.sent.length;
    await bed.get(RequestAccountEmail).execute('verification', 'ana@example.com');
    await bed.get(RequestAccountEmail).execute('verification', 'nobody@example.com');
    expect(bed.queue.enqueued.map((job) => job.data)).toEqual([
      { kind: 'verification', email: 'ana@example.com', correlationId: 'corr-1' },
      { kind: 'verification', email: 'nobody@example.com', correlationId: 'corr-1' },
    ]);
    expect(bed.messenger.sent).toHaveLength(before);
  });

  it("uses correlation id 'none' outside any request", async () => {
    bed.context.scope = undefined;
    await bed.get(RequestAccountEmail).execute('verification', 'ana@example.com');
    expect(bed.queue.enqueued[0]?.data).toMatchObject({ correlationId: 'none' });
  });

  it('lets a queue failure reject', async () => {
    bed.queue.onEnqueue = async () => {
      throw new Error('redis is down');
    };
    await expect(bed.get(RequestAccountEmail).execute('verification', 'ana@example.com')).rejects.toThrow('redis is down');
  });
});

describe('the account email token', () => {
  it('is a fresh secret each time, stored only as its hash', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    await send.execute({ kind: 'verification', userId: user.id });
    bed.clock.advance(61 * SECOND);
    await send.execute({ kind: 'verification', userId: user.id });
    const [first, second] = bed.messenger.sent.map((m) => m.token);
    expect(first).not.toBe(second);
    expect(await bed.oneTimeTokens.findForUse(second ?? '')).toBeUndefined();
    expect(await bed.oneTimeTokens.findForUse(`h(${second})`)).toBeDefined();
  });
});
