/**
 * Races over a real listening server (so requests truly overlap): one address registered by
 * twenty clients at once, logins racing a password change (both on PostgreSQL + Redis and on
 * PGlite), and one refresh token spent by ten at once (PostgreSQL).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, login, PASSWORD, startAura, type Target, type TestAura, uniqueEmail } from './users-e2e-support.js';

interface Served {
  readonly t: TestAura;
  readonly base: string;
  close(): Promise<void>;
}

async function serve(target: Target): Promise<Served> {
  const t = await startAura(target);
  const server: Server = await new Promise((resolve) => {
    const listening = t.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Swaps the case of some letters, differently for each `i`. */
function recase(email: string, i: number): string {
  return [...email].map((c, k) => ((i >> (k % 5)) & 1 ? c.toUpperCase() : c)).join('');
}

async function usersWithEmail(t: TestAura, email: string): Promise<number> {
  const { rows } = await sql<{
    count: string | number;
  }>`select count(*) as count from users.users where lower(email) = lower(${email})`.execute(t.aura.database.db);
  return Number(rows[0]?.count);
}

async function raceRegistrations(served: Served): Promise<void> {
  const email = uniqueEmail('race');
  const variants = Array.from({ length: 20 }, (_, i) => recase(email, i));
  expect(new Set(variants).size).toBeGreaterThan(10);
  const answers = await Promise.all(
    variants.map((variant) =>
      post(served.base, '/api/auth/register', { email: variant, password: PASSWORD, displayName: 'Racing Person' }),
    ),
  );
  const statuses = answers.map((a) => a.status);
  expect(
    statuses.filter((s) => s === 201),
    JSON.stringify(statuses),
  ).toHaveLength(1);
  const conflicts = answers.filter((a) => a.status === 409);
  expect(conflicts, JSON.stringify(statuses)).toHaveLength(19);
  for (const conflict of conflicts) expect(conflict.body.type).toBe('urn:aura:problem:users.email_taken');
  expect(await usersWithEmail(served.t, email)).toBe(1);
}

/**
 * An attacker holding the old password keeps logging in (and refreshing) while the owner
 * changes it: whatever interleaving happens, nothing issued from the old password may work
 * afterwards.
 */
async function racePasswordChange(served: Served): Promise<void> {
  const user = await activeUser(served.t.app, { password: PASSWORD });
  const owner = await login(served.t.app, user.email, PASSWORD);
  const stolen: Array<{ accessToken: string; refreshToken: string }> = [];
  let changing = true;
  const attacker = async () => {
    while (changing) {
      const answer = await post(served.base, '/api/auth/login', { email: user.email, password: PASSWORD });
      if (answer.status !== 200) continue;
      const pair = answer.body as { accessToken: string; refreshToken: string };
      const refreshed = await post(served.base, '/api/auth/refresh', { refreshToken: pair.refreshToken });
      stolen.push(refreshed.status === 200 ? (refreshed.body as { accessToken: string; refreshToken: string }) : pair);
    }
  };
  const attackers = [attacker(), attacker(), attacker()];
  await new Promise((resolve) => setTimeout(resolve, 150));
  const changed = await fetch(`${served.base}/api/users/me/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` },
    body: JSON.stringify({ currentPassword: PASSWORD, newPassword: 'a completely different passphrase' }),
  });
  expect(changed.status).toBe(204);
  changing = false;
  await Promise.all(attackers);
  expect(stolen.length).toBeGreaterThan(0);
  for (const pair of stolen) {
    expect((await post(served.base, '/api/auth/refresh', { refreshToken: pair.refreshToken })).status).toBe(401);
    const me = await fetch(`${served.base}/api/users/me`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
    expect(me.status).toBe(401);
  }
}

describe.each([
  ['on PostgreSQL + Redis', 'postgres'],
  ['on PGlite', 'embedded'],
] as const)('%s', (_, target) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(target);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('registers one account when 20 clients register the same address (in varying case) at once', async () => {
    await raceRegistrations(served);
  });

  it('leaves nothing issued from the old password working when logins race a password change', async () => {
    await racePasswordChange(served);
  });

  // The row-lock race is PostgreSQL's (PGlite serves one connection at a time).
  if (target === 'postgres') {
    it('rotates a refresh token once when 10 clients spend it at once, and revokes its family', async () => {
      const user = await activeUser(served.t.app);
      const { refreshToken } = await login(served.t.app, user.email, user.password);
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => post(served.base, '/api/auth/refresh', { refreshToken })),
      );
      const statuses = answers.map((a) => a.status);
      const winners = answers.filter((a) => a.status === 200);
      expect(winners, JSON.stringify(statuses)).toHaveLength(1);
      const losers = answers.filter((a) => a.status === 401);
      expect(losers, JSON.stringify(statuses)).toHaveLength(9);
      for (const loser of losers) {
        expect(['urn:aura:problem:users.refresh_token_reused', 'urn:aura:problem:users.invalid_refresh_token']).toContain(
          loser.body.type,
        );
      }
      expect(losers.some((l) => l.body.type === 'urn:aura:problem:users.refresh_token_reused')).toBe(true);

      // The reuse revoked the whole family: the winner's new refresh token is refused.
      const next = await post(served.base, '/api/auth/refresh', { refreshToken: winners[0]?.body.refreshToken });
      expect(next.status).toBe(401);
      expect(next.body.type).toBe('urn:aura:problem:users.invalid_refresh_token');
    });
  }
});
