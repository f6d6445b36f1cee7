import { beforeEach, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import { CreateAdministrator } from './create-administrator.command.js';
import { Login } from './login.command.js';

let bed: UsersTestBed;
let create: CreateAdministrator;

beforeEach(() => {
  bed = usersTestBed();
  create = bed.get(CreateAdministrator);
});

const input = { email: 'Root@Example.com', displayName: 'Root Admin', password: STRONG_PASSWORD };

describe('CreateAdministrator', () => {
  it('creates an admin who is active and verified at once, and can log in', async () => {
    const view = (await create.execute({ ...input, timeZone: 'Europe/Lisbon', locale: 'pt-PT' }))._unsafeUnwrap();
    expect(view).toMatchObject({
      email: 'root@example.com',
      role: 'admin',
      status: 'active',
      emailVerified: true,
      timeZone: 'Europe/Lisbon',
      locale: 'pt-PT',
    });
    expect((await bed.users.findById(view.id))?.state.emailVerifiedAt).toEqual(bed.clock.now());
    expect(bed.users.published).toEqual([
      expect.objectContaining({ type: 'user.registered', data: expect.objectContaining({ role: 'admin', status: 'active' }) }),
    ]);
    expect(bed.auditLog.events).toEqual([expect.objectContaining({ type: 'administrator_created', userId: view.id })]);
    const pair = (await bed.get(Login).execute({ email: 'root@example.com', password: STRONG_PASSWORD }))._unsafeUnwrap();
    expect(pair.accessToken).toBe(`access-${view.id}-1`);
    expect(bed.accessTokens.issued[0]?.roles).toEqual(['admin']);
  });

  it('refuses an address already taken, in any case', async () => {
    await bed.register({ email: 'root@example.com' });
    expect((await create.execute(input))._unsafeUnwrapErr()).toMatchObject({ type: 'users.email_taken' });
    expect(bed.auditTypes()).not.toContain('administrator_created');
  });

  it.each([
    ['weak but long enough', 'too_guessable'],
    ['short', 'too_short'],
  ])('refuses the password %j (%s)', async (password, reason) => {
    expect((await create.execute({ ...input, password }))._unsafeUnwrapErr()).toMatchObject({
      type: 'users.weak_password',
      details: { field: 'password', reason },
    });
    expect(bed.hasher.hashCalls).toBe(0);
    expect(bed.users.published).toEqual([]);
  });

  it('refuses invalid account details', async () => {
    expect((await create.execute({ ...input, email: 'root' }))._unsafeUnwrapErr().type).toBe('users.invalid_email');
    expect((await create.execute({ ...input, locale: '!' }))._unsafeUnwrapErr().type).toBe('users.invalid_locale');
  });
});
