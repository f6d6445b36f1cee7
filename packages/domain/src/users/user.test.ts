import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  newUserArbitrary,
  type UserCommand,
  userCommandArbitrary,
  userRoleArbitrary,
  userStateArbitrary,
} from '../testing/index.js';
import type { PasswordHash } from './password.js';
import { usersErrors } from './user.errors.js';
import type { UserEvent } from './user.events.js';
import { type NewUser, User, type UserState } from './user.js';
import { USER_STATUSES } from './user-role.js';

const startArbitrary = fc.integer({
  min: new Date('2020-01-01T00:00:00.000Z').getTime(),
  max: new Date('2100-01-01T00:00:00.000Z').getTime(),
});

/** A hash that cannot appear in event data by accident. */
const sentinelHash = (n: number, raw: string) => `$argon2id$v=19$sentinel-${n}$${raw}` as PasswordHash;

/** Every key of a JSON-like value, at any depth. */
const keysDeep = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]) : [];

function expectNoSecret(events: readonly UserEvent[], hashes: readonly string[]): void {
  for (const event of events) {
    const json = JSON.stringify(event.data);
    expect(keysDeep(event.data)).not.toContain('passwordHash');
    for (const hash of hashes) {
      expect(json).not.toContain(hash);
      expect(json).not.toContain(JSON.stringify(hash).slice(1, -1));
    }
  }
}

const seconds = (at: Date) => Math.floor(at.getTime() / 1000) * 1000;

/** The invariants every state of the machine keeps. */
function expectInvariants(user: User): void {
  const { state } = user;
  expect(USER_STATUSES).toContain(state.status);
  expect(user.status).toBe(state.status);
  expect(user.emailVerified).toBe(state.emailVerifiedAt !== null);
  expect(user.canLogin()).toBe(state.status === 'active' && user.emailVerified);
  expect(user.loginRefusal()).toEqual(
    state.status === 'deactivated'
      ? usersErrors.accountDeactivated()
      : user.canLogin()
        ? undefined
        : usersErrors.emailNotVerified(),
  );
  expect(state.deactivatedAt === null).toBe(state.status !== 'deactivated');
  if (state.status === 'active') expect(user.emailVerified).toBe(true);
  if (state.status === 'pending_verification') expect(user.emailVerified).toBe(false);
  if (state.status === 'deactivated') expect(state.sessionsRevokedAt).not.toBeNull();

  // Tokens: none while the user cannot log in; otherwise those issued from the revocation's millisecond on.
  const revokedAt = state.sessionsRevokedAt;
  const probes = revokedAt === null ? [state.createdAt, state.updatedAt] : [revokedAt];
  for (const issuedAt of probes) {
    expect(user.honoursTokenIssuedAt(issuedAt)).toBe(user.canLogin());
    expect(user.honoursTokenIssuedAt(new Date(issuedAt.getTime() + 1))).toBe(user.canLogin());
  }
  if (revokedAt !== null) {
    expect(user.honoursTokenIssuedAt(new Date(revokedAt.getTime() - 1))).toBe(false);
    expect(user.honoursTokenIssuedAt(new Date(seconds(revokedAt)))).toBe(
      revokedAt.getTime() === seconds(revokedAt) && user.canLogin(),
    );
  } else {
    expect(user.honoursTokenIssuedAt(new Date(0))).toBe(user.canLogin());
  }
}

/**
 * Applies `command` to `user` and to an independent model of its state, then checks that they
 * agree, that exactly the expected event was recorded, and that the invariants hold.
 */
function step(
  user: User,
  model: UserState,
  command: UserCommand,
  at: Date,
  hash: PasswordHash,
): { state: UserState; events: UserEvent[] } {
  const { id } = model;
  let expected: UserState = model;
  let event: UserEvent | undefined;
  const change = (changes: Partial<UserState>) => {
    expected = { ...model, ...changes, updatedAt: at };
  };

  switch (command.kind) {
    case 'verifyEmail': {
      const result = user.verifyEmail(at);
      if (model.status === 'deactivated') expect(result._unsafeUnwrapErr()).toEqual(usersErrors.accountDeactivated());
      else if (model.emailVerifiedAt !== null) expect(result._unsafeUnwrapErr()).toEqual(usersErrors.emailAlreadyVerified());
      else {
        expect(result.isOk()).toBe(true);
        change({ status: 'active', emailVerifiedAt: at });
        event = {
          type: 'user.email_verified',
          version: 1,
          aggregateId: id,
          occurredAt: at,
          data: { userId: id, email: model.email },
        };
      }
      break;
    }
    case 'deactivate': {
      const result = user.deactivate(at, command.by, command.reason);
      if (model.status === 'deactivated') expect(result._unsafeUnwrapErr()).toEqual(usersErrors.alreadyDeactivated());
      else {
        expect(result.isOk()).toBe(true);
        change({ status: 'deactivated', deactivatedAt: at, sessionsRevokedAt: at });
        event = {
          type: 'user.deactivated',
          version: 1,
          aggregateId: id,
          occurredAt: at,
          data: { userId: id, deactivatedBy: command.by, reason: command.reason },
        };
      }
      break;
    }
    case 'reactivate': {
      const result = user.reactivate(at, command.by);
      if (model.status !== 'deactivated') expect(result._unsafeUnwrapErr()).toEqual(usersErrors.notDeactivated());
      else {
        expect(result.isOk()).toBe(true);
        const status = model.emailVerifiedAt !== null ? 'active' : 'pending_verification';
        change({ status, deactivatedAt: null });
        event = {
          type: 'user.reactivated',
          version: 1,
          aggregateId: id,
          occurredAt: at,
          data: { userId: id, reactivatedBy: command.by, status },
        };
      }
      break;
    }
    case 'updateProfile': {
      const changed = Object.fromEntries(
        (['displayName', 'timeZone', 'locale'] as const).flatMap((key) => {
          const value = command.changes[key];
          return value !== undefined && value !== model[key] ? [[key, value]] : [];
        }),
      );
      expect(user.updateProfile(command.changes, at)).toBe(Object.keys(changed).length > 0);
      if (Object.keys(changed).length > 0) {
        change(changed);
        event = { type: 'user.updated', version: 1, aggregateId: id, occurredAt: at, data: { userId: id, changes: changed } };
      }
      break;
    }
    case 'changePassword': {
      user.changePassword(hash, command.reason, at);
      change({ passwordHash: hash, sessionsRevokedAt: at });
      event = {
        type: 'user.password_changed',
        version: 1,
        aggregateId: id,
        occurredAt: at,
        data: { userId: id, reason: command.reason },
      };
      break;
    }
    case 'revokeSessions': {
      user.revokeSessions(at);
      change({ sessionsRevokedAt: at });
      break;
    }
  }

  expect(user.state).toEqual(expected);
  const events = user.pullEvents();
  expect(events).toEqual(event === undefined ? [] : [event]);
  if (model.emailVerifiedAt !== null) expect(user.emailVerified).toBe(true);
  expect(user.state.updatedAt.getTime()).toBeGreaterThanOrEqual(model.updatedAt.getTime());
  expectInvariants(user);
  return { state: expected, events };
}

/** Runs `commands` on `user`, `afterMs` apart from `from`, checking each step against the model. */
function run(user: User, commands: readonly UserCommand[], from: Date): void {
  let model = user.state;
  let now = from.getTime();
  const hashes: string[] = [model.passwordHash];
  expectInvariants(user);
  for (const [n, command] of commands.entries()) {
    now += command.afterMs;
    const hash = sentinelHash(n, command.kind === 'changePassword' ? command.hash : '');
    hashes.push(hash);
    const { state, events } = step(user, model, command, new Date(now), hash);
    expectNoSecret(events, hashes);
    model = state;
  }
}

const withSentinel = (input: NewUser): NewUser => ({ ...input, passwordHash: sentinelHash(-1, input.passwordHash) });

describe('User.register', () => {
  it('creates a pending, unverified user and records user.registered without the hash', () => {
    fc.assert(
      fc.property(
        newUserArbitrary.map(withSentinel),
        fc.constantFrom('patient' as const, 'therapist' as const),
        startArbitrary,
        (input, role, ms) => {
          const at = new Date(ms);
          const user = User.register({ ...input, role }, at)._unsafeUnwrap();
          expect(user.id).toBe(input.id);
          expect(user.state).toEqual({
            ...input,
            role,
            status: 'pending_verification',
            emailVerifiedAt: null,
            createdAt: at,
            updatedAt: at,
            deactivatedAt: null,
            sessionsRevokedAt: null,
            version: 0,
          });
          const events = user.pullEvents();
          expect(events).toEqual([
            {
              type: 'user.registered',
              version: 1,
              aggregateId: input.id,
              occurredAt: at,
              data: {
                userId: input.id,
                email: input.email,
                displayName: input.displayName,
                role,
                status: 'pending_verification',
                timeZone: input.timeZone,
                locale: input.locale,
              },
            },
          ]);
          expectNoSecret(events, [input.passwordHash]);
          expect(user.canLogin()).toBe(false);
          expect(user.loginRefusal()).toEqual(usersErrors.emailNotVerified());
        },
      ),
    );
  });

  it('refuses the admin role', () => {
    fc.assert(
      fc.property(newUserArbitrary, startArbitrary, (input, ms) => {
        expect(User.register({ ...input, role: 'admin' }, new Date(ms))._unsafeUnwrapErr()).toEqual({
          type: 'users.role_not_self_assignable',
          message: 'the role admin cannot be chosen at registration',
          details: { field: 'role' },
        });
      }),
    );
  });
});

describe('User.createByOperator', () => {
  it('creates an active, verified user of any role and records user.registered', () => {
    fc.assert(
      fc.property(newUserArbitrary.map(withSentinel), userRoleArbitrary, startArbitrary, (input, role, ms) => {
        const at = new Date(ms);
        const user = User.createByOperator({ ...input, role }, at);
        expect(user.state).toMatchObject({
          role,
          status: 'active',
          emailVerifiedAt: at,
          createdAt: at,
          updatedAt: at,
          version: 0,
        });
        expect(user.canLogin()).toBe(true);
        expect(user.loginRefusal()).toBeUndefined();
        expect(user.honoursTokenIssuedAt(new Date(0))).toBe(true);
        const events = user.pullEvents();
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ type: 'user.registered', version: 1, data: { role, status: 'active' } });
        expectNoSecret(events, [input.passwordHash]);
      }),
    );
  });
});

describe('User status machine', () => {
  it('keeps its invariants and records the right events through any commands after register', () => {
    fc.assert(
      fc.property(
        newUserArbitrary.map(withSentinel),
        fc.constantFrom('patient' as const, 'therapist' as const),
        startArbitrary,
        userCommandArbitrary,
        (input, role, ms, commands) => {
          const user = User.register({ ...input, role }, new Date(ms))._unsafeUnwrap();
          user.pullEvents();
          run(user, commands, new Date(ms));
        },
      ),
    );
  });

  it('keeps its invariants and records the right events through any commands after createByOperator', () => {
    fc.assert(
      fc.property(newUserArbitrary.map(withSentinel), startArbitrary, userCommandArbitrary, (input, ms, commands) => {
        const user = User.createByOperator(input, new Date(ms));
        user.pullEvents();
        run(user, commands, new Date(ms));
      }),
    );
  });

  it('keeps its invariants through any commands after restore', () => {
    fc.assert(
      fc.property(userStateArbitrary, userCommandArbitrary, (state, commands) => {
        const user = User.restore({ ...state, passwordHash: sentinelHash(-1, state.passwordHash) });
        run(user, commands, state.updatedAt);
      }),
    );
  });

  it('walks the documented transitions', () => {
    const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
    const input = fc.sample(newUserArbitrary, { numRuns: 1, seed: 42 })[0] as NewUser;
    const user = User.register({ ...input, role: 'patient' }, t(0))._unsafeUnwrap();
    expect(user.deactivate(t(1), 'op', 'spam').isOk()).toBe(true);
    expect(user.deactivate(t(2), 'op', null)._unsafeUnwrapErr().type).toBe('users.already_deactivated');
    expect(user.verifyEmail(t(2))._unsafeUnwrapErr().type).toBe('users.account_deactivated');
    expect(user.loginRefusal()?.type).toBe('users.account_deactivated');
    expect(user.reactivate(t(3), null).isOk()).toBe(true);
    expect(user.status).toBe('pending_verification');
    expect(user.reactivate(t(4), null)._unsafeUnwrapErr().type).toBe('users.not_deactivated');
    expect(user.verifyEmail(t(5)).isOk()).toBe(true);
    expect(user.verifyEmail(t(6))._unsafeUnwrapErr().type).toBe('users.email_already_verified');
    expect(user.deactivate(t(7), null, null).isOk()).toBe(true);
    expect(user.reactivate(t(8), 'op').isOk()).toBe(true);
    expect(user.status).toBe('active');
    expect(user.canLogin()).toBe(true);
    expect(user.pullEvents().map((e) => e.type)).toEqual([
      'user.registered',
      'user.deactivated',
      'user.reactivated',
      'user.email_verified',
      'user.deactivated',
      'user.reactivated',
    ]);
  });
});

describe('User sessions', () => {
  const at = new Date('2030-01-01T10:00:00.750Z');
  const operator = () => User.createByOperator(fc.sample(newUserArbitrary, { numRuns: 1, seed: 7 })[0] as NewUser, new Date(0));

  it.each([
    ['changePassword', (u: User) => u.changePassword('$argon2id$new' as PasswordHash, 'reset', at)],
    ['revokeSessions', (u: User) => u.revokeSessions(at)],
    ['deactivate', (u: User) => u.deactivate(at, null, null)],
  ])('%s ends the sessions issued before the revocation, to the millisecond', (_, act) => {
    const user = operator();
    act(user);
    expect(user.state.sessionsRevokedAt).toEqual(at);
    expect(user.state.updatedAt).toEqual(at);
    const canLogin = user.canLogin();
    expect(user.honoursTokenIssuedAt(new Date('2030-01-01T10:00:00.750Z'))).toBe(canLogin);
    expect(user.honoursTokenIssuedAt(new Date('2030-01-01T10:00:01.000Z'))).toBe(canLogin);
    // Earlier in the same second: refused (a JWT's whole-second iat could not tell).
    expect(user.honoursTokenIssuedAt(new Date('2030-01-01T10:00:00.749Z'))).toBe(false);
    expect(user.honoursTokenIssuedAt(new Date('2030-01-01T10:00:00.000Z'))).toBe(false);
  });

  it('records user.password_changed but no event for revokeSessions', () => {
    const user = operator();
    user.pullEvents();
    user.revokeSessions(at);
    expect(user.pullEvents()).toEqual([]);
    user.changePassword('$argon2id$secret' as PasswordHash, 'changed', at);
    const events = user.pullEvents();
    expect(events).toEqual([
      {
        type: 'user.password_changed',
        version: 1,
        aggregateId: user.id,
        occurredAt: at,
        data: { userId: user.id, reason: 'changed' },
      },
    ]);
    expect(user.passwordHash).toBe('$argon2id$secret');
    expectNoSecret(events, ['$argon2id$secret']);
  });
});

describe('User.updateProfile', () => {
  it('records nothing and keeps updatedAt when nothing changes', () => {
    fc.assert(
      fc.property(newUserArbitrary, fc.boolean(), fc.boolean(), fc.boolean(), (input, name, zone, locale) => {
        const user = User.createByOperator(input, new Date(0));
        user.pullEvents();
        const same = {
          ...(name ? { displayName: input.displayName } : {}),
          ...(zone ? { timeZone: input.timeZone } : {}),
          ...(locale ? { locale: input.locale } : {}),
        };
        expect(user.updateProfile(same, new Date(1000))).toBe(false);
        expect(user.pullEvents()).toEqual([]);
        expect(user.state.updatedAt).toEqual(new Date(0));
      }),
    );
  });
});

describe('User.restore', () => {
  it('rebuilds the state as given and records nothing', () => {
    fc.assert(
      fc.property(userStateArbitrary, (state) => {
        const user = User.restore(state);
        expect(user.state).toBe(state);
        expect(user.id).toBe(state.id);
        expect(user.email).toBe(state.email);
        expect(user.role).toBe(state.role);
        expect(user.status).toBe(state.status);
        expect(user.passwordHash).toBe(state.passwordHash);
        expect(user.pendingEvents).toEqual([]);
      }),
    );
  });

  it('refuses login to an active user whose email is not verified (legacy data)', () => {
    fc.assert(
      fc.property(userStateArbitrary, (state) => {
        const user = User.restore({ ...state, status: 'active', emailVerifiedAt: null, deactivatedAt: null });
        expect(user.canLogin()).toBe(false);
        expect(user.loginRefusal()).toEqual(usersErrors.emailNotVerified());
        expect(user.honoursTokenIssuedAt(state.updatedAt)).toBe(false);
        expect(user.verifyEmail(state.updatedAt).isOk()).toBe(true);
        expect(user.canLogin()).toBe(true);
      }),
    );
  });
});
