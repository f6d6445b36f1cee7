import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, MINUTE, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import { ConcurrentUserModificationError } from '../ports/user.repository.port.js';
import type { UserView } from '../user.view.js';
import { UpdateProfile } from './update-profile.command.js';

let bed: UsersTestBed;
let user: UserView;
let update: UpdateProfile;

beforeEach(async () => {
  bed = usersTestBed();
  update = bed.get(UpdateProfile);
  user = await bed.activeUser({ email: 'ana@example.com', timeZone: 'Europe/Paris', locale: 'fr' });
});

const updates = () => bed.users.published.filter((e) => e.type === 'user.updated');

describe('UpdateProfile', () => {
  it('applies the changes, in their canonical form, and records user.updated with them', async () => {
    bed.clock.advance(MINUTE);
    const view = (
      await update.execute({
        actor: actorOf(user),
        displayName: '  Ana  B. Souza ',
        timeZone: 'america/sao_paulo',
        locale: 'pt-br',
      })
    )._unsafeUnwrap();
    expect(view).toMatchObject({
      displayName: 'Ana B. Souza',
      timeZone: 'America/Sao_Paulo',
      locale: 'pt-BR',
      updatedAt: bed.clock.now(),
    });
    expect(updates()).toEqual([
      expect.objectContaining({
        aggregateId: user.id,
        occurredAt: bed.clock.now(),
        data: { userId: user.id, changes: { displayName: 'Ana B. Souza', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' } },
      }),
    ]);
    expect(await bed.users.findById(user.id)).toMatchObject({ state: expect.objectContaining({ locale: 'pt-BR' }) });
    expect(bed.auditLog.events.find((e) => e.type === 'profile_updated')).toMatchObject({
      userId: user.id,
      details: { fields: 'displayName,timeZone,locale' },
    });
  });

  it('records only the fields that changed', async () => {
    (await update.execute({ actor: actorOf(user), displayName: 'Ana Souza', timeZone: 'UTC', locale: 'fr' }))._unsafeUnwrap();
    expect(updates().map((e) => e.data)).toEqual([{ userId: user.id, changes: { timeZone: 'UTC' } }]);
  });

  it('records nothing and saves nothing when nothing changes', async () => {
    const version = (await bed.users.findById(user.id))?.state.version;
    bed.clock.advance(MINUTE);
    const view = (await update.execute({ actor: actorOf(user), displayName: 'Ana Souza', locale: 'fr' }))._unsafeUnwrap();
    expect(view).toEqual(user);
    expect((await update.execute({ actor: actorOf(user) }))._unsafeUnwrap()).toEqual(user);
    expect(updates()).toEqual([]);
    expect((await bed.users.findById(user.id))?.state.version).toBe(version);
  });

  it.each([
    [{ displayName: '' }, 'users.invalid_display_name', 'displayName'],
    [{ displayName: 'x'.repeat(101) }, 'users.invalid_display_name', 'displayName'],
    [{ timeZone: 'Nowhere/Special' }, 'users.invalid_time_zone', 'timeZone'],
    [{ locale: '12' }, 'users.invalid_locale', 'locale'],
  ])('refuses %o with the domain error naming the field, changing nothing', async (change, type, field) => {
    const error = (await update.execute({ actor: actorOf(user), displayName: 'New Name', ...change }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type, details: { field } });
    expect(updates()).toEqual([]);
    expect((await bed.users.findById(user.id))?.state.displayName).toBe('Ana Souza');
  });

  it('answers user_not_found for an actor without an account', async () => {
    const ghost = { userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999', roles: ['patient' as const] };
    expect((await update.execute({ actor: ghost, displayName: 'Ghost' }))._unsafeUnwrapErr()).toEqual({
      type: 'users.user_not_found',
      message: `no user ${ghost.userId}`,
    });
  });

  it('rejects a save of a stale copy instead of losing a concurrent update (a fault, not an outcome)', async () => {
    const [first, second] = await Promise.allSettled([
      update.execute({ actor: actorOf(user), displayName: 'First Writer' }),
      update.execute({ actor: actorOf(user), locale: 'de' }),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrentUserModificationError) });
    const error = (second as PromiseRejectedResult).reason as ConcurrentUserModificationError;
    expect(error).toMatchObject({ name: 'ConcurrentUserModificationError', userId: user.id });
    expect(error.message).toBe(`user ${user.id} was changed concurrently; load it for update and retry`);
    expect((await bed.users.findById(user.id))?.state).toMatchObject({ displayName: 'First Writer', locale: 'fr' });
    expect(updates()).toHaveLength(1);
  });
});
