/**
 * Races over a real listening server (fetch, so requests truly overlap), on PostgreSQL + Redis
 * and on PGlite: 500 concurrent bookings of one slot (from 50 patients) give exactly one 201 and
 * 499 clean 409s; a reschedule racing bookings into the same slot lets exactly one in; one
 * Idempotency-Key sent twenty times at once books once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  book,
  call,
  hoursAhead,
  type Person,
  person,
  perTarget,
  type Served,
  serveTherapy,
  TARGETS,
  type TherapistSetUp,
  therapist,
} from './therapy-e2e-support.js';

const setups = perTarget(
  async (target) => {
    // A pool large enough that 500 requests queueing for one therapist's row do not wait out the pool's connection timeout.
    const served = await serveTherapy(target, { DATABASE_POOL_SIZE: '50' });
    try {
      const t = await therapist(served);
      const patients: Person[] = [];
      for (let i = 0; i < 50; i++) patients.push(await person(served.aura, 'patient'));
      return { served, t, patients };
    } catch (error) {
      await served.close();
      throw error;
    }
  },
  ({ served }) => served.close(),
);
afterAll(() => setups.close());

async function activeSessionsAt(served: Served, t: TherapistSetUp, startsAt: string): Promise<number> {
  const { rows } = await sql<{ count: string | number }>`
    select count(*) as count from therapy.sessions
    where therapist_id = ${t.id} and starts_at = ${new Date(startsAt)} and status <> 'cancelled'`.execute(
    served.aura.database.db,
  );
  return Number(rows[0]?.count);
}

describe.each(TARGETS)('booking races (%s)', (target) => {
  let served: Served;
  let t: TherapistSetUp;
  let patients: Person[];
  beforeAll(async () => {
    ({ served, t, patients } = await setups.get(target));
  });

  it('500 concurrent requests for one slot: exactly one 201, 499 clean 409 therapy.slot_unavailable', async () => {
    const startsAt = hoursAhead(48);
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        // Half of them with an Idempotency-Key (each its own), as retry-minded clients send.
        book(
          served,
          patients[i % patients.length] as Person,
          t,
          startsAt,
          {},
          i % 2 === 0 ? { 'idempotency-key': `storm-${target}-${i}` } : {},
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(statuses.filter((s) => s !== 409 && s !== 201)),
    ).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(499);
    for (const answer of refused) {
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ type: 'urn:aura:problem:therapy.slot_unavailable', status: 409 });
      expect(['taken', 'patient_busy']).toContain((answer.body.details as { reason: string }).reason);
    }
    expect(await activeSessionsAt(served, t, startsAt)).toBe(1);
  });

  it('a reschedule racing bookings into the same slot: exactly one gets it', async () => {
    const [mover, ...others] = patients as [Person, ...Person[]];
    const mine = await book(served, mover, t, hoursAhead(72));
    expect(mine.status).toBe(201);
    const target = hoursAhead(96);
    const [moved, ...booked] = await Promise.all([
      call(served.base, 'POST', `/api/mental-health/therapy-sessions/${mine.body.id as string}/reschedule`, {
        token: mover.token,
        body: { startsAt: target },
      }),
      ...others.slice(0, 30).map((p) => book(served, p, t, target)),
    ]);
    const winners = [moved, ...booked].filter((a) => a.status === 200 || a.status === 201);
    expect(winners).toHaveLength(1);
    for (const loser of [moved, ...booked].filter((a) => a.status !== 200 && a.status !== 201)) {
      expect(loser.status).toBe(409);
      expect(loser.body.type).toBe('urn:aura:problem:therapy.slot_unavailable');
    }
    expect(await activeSessionsAt(served, t, target)).toBe(1);
  });

  it('one Idempotency-Key sent twenty times at once books once; the others replay it or are told to retry', async () => {
    const p = patients[49] as Person;
    const startsAt = hoursAhead(120);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => book(served, p, t, startsAt, {}, { 'idempotency-key': `same-${target}` })),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a.body.type).toBe('urn:aura:problem:idempotency_key_in_use');
    expect(await activeSessionsAt(served, t, startsAt)).toBe(1);
    const replay = await book(served, p, t, startsAt, {}, { 'idempotency-key': `same-${target}` });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(created[0]?.body.id);
  });
});
