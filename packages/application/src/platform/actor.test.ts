import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Actor, ROLES, type Role, requireRole } from './actor.js';

const roleSet = fc.subarray([...ROLES]);

describe('requireRole', () => {
  it('passes exactly when the actor holds one of the required roles', () => {
    fc.assert(
      fc.property(roleSet, fc.subarray([...ROLES], { minLength: 1 }), (held, required) => {
        const actor: Actor = { userId: 'u-1', roles: held };
        const allowed = held.some((role) => required.includes(role));
        expect(requireRole(actor, ...required).isOk()).toBe(allowed);
      }),
    );
  });

  it('names the required roles when it refuses', () => {
    const patient: Actor = { userId: 'u-1', roles: ['patient'] };
    expect(requireRole(patient, 'admin')._unsafeUnwrapErr()).toEqual({
      type: 'platform.forbidden',
      message: 'requires the role admin',
    });
    expect(requireRole(patient, 'therapist', 'admin')._unsafeUnwrapErr().message).toBe('requires the role therapist or admin');
  });

  it('refuses an actor without roles, and refuses everyone when no role is required', () => {
    expect(requireRole({ userId: 'u', roles: [] }, 'patient').isErr()).toBe(true);
    expect(requireRole({ userId: 'u', roles: ['admin'] }).isErr()).toBe(true);
  });

  it('knows the closed set of roles', () => {
    expect(ROLES).toEqual(['patient', 'therapist', 'admin'] satisfies Role[]);
  });
});
