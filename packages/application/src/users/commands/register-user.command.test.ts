import { beforeEach, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, type UsersTestBed, usersTestBed, WEAK_SUGGESTIONS } from '../../../test/users/fakes.js';
import { RegisterUser } from './register-user.command.js';

let bed: UsersTestBed;
let register: RegisterUser;

beforeEach(() => {
  bed = usersTestBed();
  register = bed.get(RegisterUser);
});

const input = { email: '  Ana.Souza@Example.COM ', displayName: '  Ana   Souza ', password: STRONG_PASSWORD };

describe('RegisterUser', () => {
  it('creates a pending patient and answers its view, never the password hash', async () => {
    const view = (await register.execute({ ...input, timeZone: 'europe/paris', locale: 'pt-br' }))._unsafeUnwrap();
    expect(view).toEqual({
      id: bed.ids.issued[0],
      email: 'ana.souza@example.com',
      displayName: 'Ana Souza',
      role: 'patient',
      status: 'pending_verification',
      emailVerified: false,
      timeZone: 'Europe/Paris',
      locale: 'pt-BR',
      createdAt: bed.clock.now(),
      updatedAt: bed.clock.now(),
      deactivatedAt: null,
    });
    expect(Object.keys(view)).not.toContain('passwordHash');
    expect(JSON.stringify(view)).not.toContain(STRONG_PASSWORD);
    const stored = await bed.users.findById(view.id);
    expect(stored?.passwordHash).toBe(`hash:${STRONG_PASSWORD}`);
  });

  it('defaults the time zone to UTC and the locale to en, and lets a person register as a therapist', async () => {
    const view = (await register.execute({ ...input, role: 'therapist' }))._unsafeUnwrap();
    expect(view).toMatchObject({ role: 'therapist', timeZone: 'UTC', locale: 'en' });
  });

  it('records user.registered (the verification email follows from it) and audits the registration', async () => {
    const client = { ip: '203.0.113.9', userAgent: 'test-agent' };
    const view = (await register.execute({ ...input, client }))._unsafeUnwrap();
    expect(bed.users.published).toEqual([
      {
        type: 'user.registered',
        version: 1,
        aggregateId: view.id,
        occurredAt: bed.clock.now(),
        data: {
          userId: view.id,
          email: 'ana.souza@example.com',
          displayName: 'Ana Souza',
          role: 'patient',
          status: 'pending_verification',
          timeZone: 'UTC',
          locale: 'en',
        },
      },
    ]);
    expect(bed.auditLog.events).toEqual([
      expect.objectContaining({
        type: 'registered',
        userId: view.id,
        actorId: null,
        ip: '203.0.113.9',
        userAgent: 'test-agent',
        correlationId: 'corr-1',
        details: { role: 'patient' },
      }),
    ]);
  });

  it.each([
    [{ email: 'not an address' }, 'users.invalid_email', 'email'],
    [{ displayName: '   ' }, 'users.invalid_display_name', 'displayName'],
    [{ timeZone: '+01:00' }, 'users.invalid_time_zone', 'timeZone'],
    [{ timeZone: 'Mars/Olympus_Mons' }, 'users.invalid_time_zone', 'timeZone'],
    [{ locale: 'not a locale' }, 'users.invalid_locale', 'locale'],
  ])('refuses invalid account details %o with the domain error naming the field', async (change, type, field) => {
    const error = (await register.execute({ ...input, ...change }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type, details: { field } });
    expect(bed.users.published).toEqual([]);
    expect(bed.hasher.hashCalls).toBe(0);
  });

  it.each([
    ['short', 'too_short'],
    ['x'.repeat(129), 'too_long'],
  ])('refuses the password %j as weak (%s)', async (password, reason) => {
    const error = (await register.execute({ ...input, password }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'users.weak_password', details: { field: 'password', reason } });
    expect(bed.estimator.calls).toEqual([]); // length first: the estimate is not worth computing
  });

  it('refuses a guessable password, saying why and how to do better', async () => {
    const error = (await register.execute({ ...input, password: 'weak but long enough' }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      type: 'users.weak_password',
      details: { field: 'password', reason: 'too_guessable', score: 0, suggestions: WEAK_SUGGESTIONS },
    });
    expect(bed.users.published).toEqual([]);
  });

  it("estimates the password's strength against the person's own address and name", async () => {
    await register.execute(input);
    expect(bed.estimator.calls).toHaveLength(1);
    const inputs = bed.estimator.calls[0]?.userInputs ?? [];
    expect(inputs).toEqual(
      expect.arrayContaining(['ana.souza@example.com', 'ana.souza', 'ana', 'souza', 'example', 'com', 'ana souza', 'anasouza']),
    );
    expect(inputs.every((word) => word.length >= 3)).toBe(true);
  });

  it('answers email_taken for an address taken in another case, after the same hashing work as a success', async () => {
    await register.execute(input);
    expect(bed.hasher.hashCalls).toBe(1);
    bed.hasher.resetCounts();
    const error = (
      await register.execute({ ...input, email: 'ANA.SOUZA@example.com', displayName: 'Someone Else' })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'users.email_taken', details: { field: 'email' } });
    expect(bed.hasher.hashCalls).toBe(1);
    expect(bed.users.published.map((e) => e.type)).toEqual(['user.registered']);
    // One audit entry either way: the same writes on both paths.
    expect(bed.auditTypes()).toEqual(['registered', 'registration_refused']);
  });

  it('does not let anyone register as an admin', async () => {
    const error = (await register.execute({ ...input, role: 'admin' }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'users.role_not_self_assignable', details: { field: 'role' } });
    expect((await bed.users.list({ limit: 10 })).items).toEqual([]);
    expect(bed.auditTypes()).toEqual([]);
  });
});
