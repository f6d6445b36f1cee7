import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, SECOND, type UsersTestBed, usersTestBed, verifiedToken } from '../../test/users/fakes.js';
import { DeactivateUser } from './commands/account-status.command.js';
import { LogoutEverywhere } from './commands/logout.command.js';
import type { UserView } from './user.view.js';
import { UserAccessGuard } from './user-access.guard.js';

let bed: UsersTestBed;
let guard: UserAccessGuard;
let user: UserView;

/** JWT `iat` has whole seconds. */
const seconds = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);
const revoked = { type: 'platform.invalid_access_token', message: 'the access token was revoked' };

beforeEach(async () => {
  bed = usersTestBed();
  guard = bed.get(UserAccessGuard);
  user = await bed.activeUser({ email: 'ana@example.com' });
});

describe('UserAccessGuard', () => {
  it('admits a fresh token of an active user holding their role', async () => {
    expect((await guard.admit(verifiedToken(actorOf(user), seconds(bed.clock.now())))).isOk()).toBe(true);
  });

  it('admits a token that claims more roles than the user has, as long as it claims theirs', async () => {
    const token = verifiedToken({ userId: user.id, roles: ['therapist', 'patient'] }, seconds(bed.clock.now()));
    expect((await guard.admit(token)).isOk()).toBe(true);
  });

  it('refuses the token of an unknown user', async () => {
    const token = verifiedToken({ userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999', roles: ['patient'] }, bed.clock.now());
    expect((await guard.admit(token))._unsafeUnwrapErr()).toEqual(revoked);
  });

  it('refuses every token of a deactivated user, at once', async () => {
    const issuedAt = seconds(bed.clock.now());
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect((await guard.admit(verifiedToken(actorOf(user), issuedAt)))._unsafeUnwrapErr()).toEqual(revoked);
    bed.clock.advance(10 * SECOND);
    expect((await guard.admit(verifiedToken(actorOf(user), seconds(bed.clock.now()))))._unsafeUnwrapErr()).toEqual(revoked);
  });

  it('refuses the token of a user whose address is not verified', async () => {
    const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima' });
    expect((await guard.admit(verifiedToken(actorOf(pending), seconds(bed.clock.now())))).isErr()).toBe(true);
  });

  it('refuses a token issued before the sessions were revoked, even in the same second; admits one from then on', async () => {
    bed.clock.advance(10 * SECOND);
    (await bed.get(LogoutEverywhere).execute({ actor: actorOf(user) }))._unsafeUnwrap();
    const revokedAt = bed.clock.now();
    const before = new Date(revokedAt.getTime() - 1);
    expect((await guard.admit(verifiedToken(actorOf(user), before)))._unsafeUnwrapErr()).toEqual(revoked);
    expect((await guard.admit(verifiedToken(actorOf(user), seconds(revokedAt))))._unsafeUnwrapErr()).toEqual(revoked);
    expect((await guard.admit(verifiedToken(actorOf(user), revokedAt))).isOk()).toBe(true);
    expect((await guard.admit(verifiedToken(actorOf(user), new Date(revokedAt.getTime() + SECOND)))).isOk()).toBe(true);
  });

  it('refuses a token that does not claim the role the user has', async () => {
    const token = verifiedToken({ userId: user.id, roles: ['admin'] }, seconds(bed.clock.now()));
    expect((await guard.admit(token))._unsafeUnwrapErr()).toEqual(revoked);
    expect((await guard.admit(verifiedToken({ userId: user.id, roles: [] }, seconds(bed.clock.now())))).isErr()).toBe(true);
  });
});
