import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, type UsersTestBed, usersTestBed } from '../../test/users/fakes.js';
import { DeactivateUser } from './commands/account-status.command.js';
import type { UserView } from './user.view.js';
import { UsersContractService } from './users-contract.service.js';

let bed: UsersTestBed;
let contract: UsersContractService;
let therapist: UserView;

const GHOST = '0190aaaa-bbbb-7ccc-8ddd-999999999999';

beforeEach(async () => {
  bed = usersTestBed();
  contract = bed.get(UsersContractService);
  therapist = await bed.activeUser({
    email: 'caio@example.com',
    displayName: 'Caio Reis',
    role: 'therapist',
    timeZone: 'America/Sao_Paulo',
    locale: 'pt-BR',
  });
});

const profile = () => ({
  id: therapist.id,
  displayName: 'Caio Reis',
  role: 'therapist',
  timeZone: 'America/Sao_Paulo',
  locale: 'pt-BR',
});

describe('UsersContractService', () => {
  it("answers a user's profile, and nothing more", async () => {
    expect(await contract.getProfile(therapist.id)).toEqual(profile());
  });

  it("answers a user's contact: the profile plus the address and its state", async () => {
    expect(await contract.getContact(therapist.id)).toEqual({
      ...profile(),
      email: 'caio@example.com',
      emailVerified: true,
      status: 'active',
    });
    const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima' });
    expect(await contract.getContact(pending.id)).toMatchObject({ emailVerified: false, status: 'pending_verification' });
  });

  it('answers undefined for an unknown user', async () => {
    expect(await contract.getProfile(GHOST)).toBeUndefined();
    expect(await contract.getContact(GHOST)).toBeUndefined();
  });

  describe('requireActive', () => {
    it('answers the profile of an active, verified user, with or without a role to match', async () => {
      expect((await contract.requireActive(therapist.id))._unsafeUnwrap()).toEqual(profile());
      expect((await contract.requireActive(therapist.id, ['therapist']))._unsafeUnwrap()).toEqual(profile());
      expect((await contract.requireActive(therapist.id, ['patient', 'therapist']))._unsafeUnwrap()).toEqual(profile());
    });

    it('answers user_not_found for an unknown user', async () => {
      expect((await contract.requireActive(GHOST))._unsafeUnwrapErr()).toEqual({
        type: 'users.user_not_found',
        message: `no user ${GHOST}`,
      });
    });

    it('answers user_inactive for an account waiting for verification, and for a deactivated one', async () => {
      const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima', role: 'therapist' });
      expect((await contract.requireActive(pending.id, ['therapist']))._unsafeUnwrapErr()).toEqual({
        type: 'users.user_inactive',
        message: `user ${pending.id} is not active`,
      });
      const admin = await bed.admin();
      (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: therapist.id }))._unsafeUnwrap();
      expect((await contract.requireActive(therapist.id))._unsafeUnwrapErr().type).toBe('users.user_inactive');
    });

    it('answers role_mismatch for a user without any of the roles', async () => {
      expect((await contract.requireActive(therapist.id, ['patient', 'admin']))._unsafeUnwrapErr()).toEqual({
        type: 'users.role_mismatch',
        message: `user ${therapist.id} is not a patient or admin`,
      });
    });
  });
});
