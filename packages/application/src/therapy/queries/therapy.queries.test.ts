import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../../test/therapy/fakes.js';
import { SetAvailability, SetUpTherapistProfile } from '../commands/set-up-profile.command.js';
import { GetSession, ListSessions } from './sessions.queries.js';
import { FindSlots, GetAvailability, GetTherapist, ListTherapists } from './therapists.queries.js';

let bed: TherapyTestBed;
beforeEach(() => {
  bed = therapyTestBed();
});

describe('therapist profiles', () => {
  it('sets up, reads and lists profiles with their display names, filtered and paged', async () => {
    const a = await bed.therapist({ displayName: 'Bia Lima' });
    const b = await bed.therapist(
      { displayName: 'Caio Reis' },
      {
        specialties: ['couples'],
        languages: ['de'],
        acceptingNewPatients: false,
        sessionTypes: [{ name: 'Walk', durationMinutes: 60, modality: 'in_person', priceMinor: 5000, currency: 'USD' }],
      },
    );
    const patient = bed.patient();
    expect((await bed.get(GetTherapist).execute(actor(patient), a.user.id))._unsafeUnwrap()).toMatchObject({
      therapistId: a.user.id,
      displayName: 'Bia Lima',
      specialties: ['anxiety'],
      languages: ['en', 'pt-BR'],
    });
    const list = bed.get(ListTherapists);
    const ids = async (input: Partial<Parameters<ListTherapists['execute']>[0]>) =>
      (await list.execute({ limit: 50, ...input })).items.map((t) => t.therapistId);
    expect(await ids({})).toEqual([a.user.id, b.user.id]);
    expect(await ids({ specialty: ' Couples ' })).toEqual([b.user.id]);
    expect(await ids({ language: 'pt' })).toEqual([a.user.id]);
    expect(await ids({ language: 'pt-BR' })).toEqual([a.user.id]);
    expect(await ids({ acceptingNewPatients: true })).toEqual([a.user.id]);
    expect(await ids({ modality: 'in_person' })).toEqual([b.user.id]);
    const first = await list.execute({ limit: 1 });
    expect(first).toMatchObject({ items: [{ therapistId: a.user.id }], nextCursor: a.user.id });
    expect((await list.execute({ limit: 1, cursor: first.nextCursor as string })).items.map((t) => t.therapistId)).toEqual([
      b.user.id,
    ]);
  });

  it('refuses a profile to a patient and reports invalid fields', async () => {
    const patient = bed.patient();
    expect((await bed.get(SetUpTherapistProfile).execute(actor(patient), { timeZone: 'UTC' }))._unsafeUnwrapErr().type).toBe(
      'platform.forbidden',
    );
    const therapist = bed.seedUser({ role: 'therapist' });
    expect(
      (await bed.get(SetUpTherapistProfile).execute(actor(therapist), { timeZone: 'Nowhere/Land' }))._unsafeUnwrapErr(),
    ).toMatchObject({
      type: 'therapy.invalid_time_zone',
      details: { field: 'timeZone' },
    });
    expect(
      (await bed.get(SetAvailability).execute(actor(patient), { weeklyRules: [], overrides: [] }))._unsafeUnwrapErr().type,
    ).toBe('platform.forbidden');
    expect(
      (await bed.get(SetAvailability).execute(actor(therapist), { weeklyRules: [], overrides: [] }))._unsafeUnwrapErr().type,
    ).toBe('therapy.therapist_not_found');
    expect(
      (
        await bed
          .get(SetAvailability)
          .execute(actor(therapist), { weeklyRules: [{ weekday: 9, start: '09:00', end: '10:00' }], overrides: [] })
      )._unsafeUnwrapErr().type,
    ).toBe('therapy.invalid_availability');
    expect((await bed.get(GetAvailability).execute(actor(therapist)))._unsafeUnwrapErr().type).toBe(
      'therapy.therapist_not_found',
    );
  });

  it('gives a therapist their availability, and the profile name fallback when the user is unknown', async () => {
    const t = await bed.therapist();
    const availability = (await bed.get(GetAvailability).execute(actor(t.user)))._unsafeUnwrap();
    expect(availability).toMatchObject({
      timeZone: 'UTC',
      weeklyRules: expect.arrayContaining([{ weekday: 1, start: '09:00', end: '17:00' }]),
    });
    bed.users.remove(t.user.id);
    expect((await bed.get(GetTherapist).execute(actor(t.user), t.user.id))._unsafeUnwrap().displayName).toBe('');
  });
});

describe('FindSlots', () => {
  it('lists the offered times in the caller’s zone by default, or the zone asked for', async () => {
    const t = await bed.therapist();
    const patient = bed.patient({ timeZone: 'America/Sao_Paulo' });
    const find = bed.get(FindSlots);
    const found = (
      await find.execute({
        actor: actor(patient),
        therapistId: t.user.id,
        sessionTypeId: t.typeId,
        from: new Date('2026-11-23T00:00:00Z'),
        to: new Date('2026-11-24T00:00:00Z'),
      })
    )._unsafeUnwrap();
    expect(found).toMatchObject({ timeZone: 'America/Sao_Paulo', therapistTimeZone: 'UTC', durationMinutes: 50 });
    expect(found.slots[0]).toEqual({
      startsAt: new Date('2026-11-23T09:00:00Z'),
      endsAt: new Date('2026-11-23T09:50:00Z'),
      localStartsAt: '2026-11-23T06:00:00-03:00',
      localEndsAt: '2026-11-23T06:50:00-03:00',
    });
    expect(found.slots).toHaveLength(15);
    const inTokyo = (
      await find.execute({ actor: actor(patient), therapistId: t.user.id, sessionTypeId: t.typeId, timeZone: 'asia/tokyo' })
    )._unsafeUnwrap();
    expect(inTokyo.timeZone).toBe('Asia/Tokyo');
    expect(inTokyo.to.getTime() - inTokyo.from.getTime()).toBe(7 * 86_400_000);
  });

  it('refuses a reversed or too long range, a bad zone, an unknown therapist or type', async () => {
    const t = await bed.therapist();
    const stranger = { userId: '0190bbbb-cccc-7ddd-9eee-999999999999', roles: ['patient' as const] };
    const find = (input: Partial<Parameters<FindSlots['execute']>[0]>) =>
      bed.get(FindSlots).execute({ actor: stranger, therapistId: t.user.id, sessionTypeId: t.typeId, ...input });
    expect((await find({ from: new Date('2026-12-02'), to: new Date('2026-12-01') }))._unsafeUnwrapErr()).toMatchObject({
      type: 'therapy.invalid_range',
      details: { field: 'to' },
    });
    expect((await find({ from: new Date('2026-12-01'), to: new Date('2027-01-02') }))._unsafeUnwrapErr().type).toBe(
      'therapy.invalid_range',
    );
    expect((await find({ timeZone: '+02:00' }))._unsafeUnwrapErr().type).toBe('therapy.invalid_time_zone');
    expect((await find({ therapistId: stranger.userId }))._unsafeUnwrapErr().type).toBe('therapy.therapist_not_found');
    expect((await find({ sessionTypeId: stranger.userId }))._unsafeUnwrapErr().type).toBe('therapy.session_type_not_found');
    expect((await find({}))._unsafeUnwrap().timeZone).toBe('UTC');
  });
});

describe('sessions', () => {
  it('a patient sees theirs, a therapist theirs, an admin filters; anyone else gets a 404', async () => {
    const t = await bed.therapist();
    const ana = bed.patient();
    const bob = bed.patient();
    const admin = bed.seedUser({ role: 'admin' });
    const first = await bed.book(ana, t, '2026-11-23T09:00:00.000Z');
    const second = await bed.book(bob, t, '2026-11-23T11:00:00.000Z');
    const list = (who: ReturnType<typeof actor>, filter: Partial<Parameters<ListSessions['execute']>[0]> = {}) =>
      bed
        .get(ListSessions)
        .execute({ actor: who, limit: 50, ...filter })
        .then((page) => page.items.map((s) => s.id));
    expect(await list(actor(ana), { patientId: bob.id })).toEqual([first.id]);
    expect(await list(actor(t.user), { therapistId: ana.id })).toEqual([first.id, second.id]);
    expect(await list(actor(t.user), { patientId: bob.id })).toEqual([second.id]);
    expect(await list(actor(admin), { patientId: bob.id, status: 'scheduled' })).toEqual([second.id]);
    expect(
      await list(actor(admin), {
        therapistId: t.user.id,
        from: new Date('2026-11-23T10:00:00Z'),
        to: new Date('2026-11-24T00:00:00Z'),
      }),
    ).toEqual([second.id]);
    expect(await list(actor(admin), { status: 'cancelled' })).toEqual([]);
    const page = await bed.get(ListSessions).execute({ actor: actor(admin), limit: 1 });
    expect(page.nextCursor).toBe(first.id);
    expect(
      (await bed.get(ListSessions).execute({ actor: actor(admin), limit: 1, cursor: first.id })).items.map((s) => s.id),
    ).toEqual([second.id]);
    expect((await bed.get(ListSessions).execute({ actor: actor(admin), limit: 1, cursor: admin.id })).items).toEqual([]);
    expect((await bed.get(GetSession).execute(actor(ana), first.id))._unsafeUnwrap().id).toBe(first.id);
    expect((await bed.get(GetSession).execute(actor(ana), second.id))._unsafeUnwrapErr().type).toBe('therapy.session_not_found');
    expect((await bed.get(GetSession).execute(actor(admin), second.id)).isOk()).toBe(true);
  });
});
