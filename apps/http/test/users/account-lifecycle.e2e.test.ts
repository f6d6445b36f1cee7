/**
 * An account's whole life over HTTP, embedded (PGlite + in-memory queue) and production-like
 * (PostgreSQL + BullMQ on Redis): registration, email verification through the development
 * mailbox, login, refresh-token rotation and reuse detection, logout, password reset and
 * change, logout everywhere, and the published key set.
 */
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeUser,
  bearer,
  expectProblem,
  expectUnauthorized,
  jwtParts,
  login,
  mailCode,
  nextSecond,
  OTHER_PASSWORD,
  PASSWORD,
  register,
  startAura,
  type Target,
  type TestAura,
  THIRD_PASSWORD,
  uniqueEmail,
} from './users-e2e-support.js';

describe.each<Target>(['embedded', 'postgres'])('account life cycle (%s)', (target) => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startAura(target);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers, verifies by email, logs in, rotates refresh tokens, detects reuse and logs out', async () => {
    const { app } = t;
    const email = uniqueEmail('lifecycle');

    // Register: 201, the account pending verification, nothing secret in the body.
    const registered = await request(app)
      .post('/api/auth/register')
      .send({ email, password: PASSWORD, displayName: 'Ada Lovelace', timeZone: 'Europe/London', locale: 'en-GB' });
    expect(registered.status).toBe(201);
    expect(registered.headers['content-type']).toMatch(/^application\/json/);
    expect(registered.body).toMatchObject({
      id: expect.any(String),
      email,
      displayName: 'Ada Lovelace',
      role: 'patient',
      status: 'pending_verification',
      emailVerified: false,
      timeZone: 'Europe/London',
      locale: 'en-GB',
      deactivatedAt: null,
    });
    const raw = JSON.stringify(registered.body).toLowerCase();
    expect(raw).not.toContain('hash');
    expect(raw).not.toContain('password');
    expect(raw).not.toContain(PASSWORD);
    const userId = registered.body.id as string;

    // Not verified yet: the right password is refused with 403.
    expectProblem(
      await request(app).post('/api/auth/login').send({ email, password: PASSWORD }),
      403,
      'users.email_not_verified',
    );

    // The worker emails the code after the outbox relays user.registered.
    const code = await mailCode(app, email, 'verification');
    const verified = await request(app).post('/api/auth/verify-email').send({ token: code });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: userId, status: 'active', emailVerified: true });
    // The code works once.
    const again = await request(app).post('/api/auth/verify-email').send({ token: code });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);

    // Log in (the address in another case still finds the account).
    const loggedIn = await request(app).post('/api/auth/login').send({ email: email.toUpperCase(), password: PASSWORD });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 1800,
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      refreshTokenExpiresAt: expect.any(String),
    });
    const first = loggedIn.body as { accessToken: string; refreshToken: string };
    const { header, claims } = jwtParts(first.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.any(String), typ: 'at+jwt' });
    expect(claims).toMatchObject({
      sub: userId,
      type: 'access',
      roles: ['patient'],
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      iss: 'aura',
      aud: 'aura-api',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(1800);

    const me = await request(app).get('/api/users/me').set(bearer(first.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: userId, email, status: 'active' });

    // Refresh: a new pair; the refresh token is rotated.
    const refreshed = await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.tokenType).toBe('Bearer');
    const second = refreshed.body as { accessToken: string; refreshToken: string };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await request(app).get('/api/users/me').set(bearer(second.accessToken))).status).toBe(200);

    // Replaying the old refresh token is a reuse: the whole family is revoked…
    expectProblem(
      await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }),
      401,
      'users.refresh_token_reused',
    );
    // …so the newest refresh token is refused too.
    expectProblem(
      await request(app).post('/api/auth/refresh').send({ refreshToken: second.refreshToken }),
      401,
      'users.invalid_refresh_token',
    );

    // A new login, then logout: that refresh token stops working.
    const third = await login(app, email, PASSWORD);
    const loggedOut = await request(app).post('/api/auth/logout').send({ refreshToken: third.refreshToken });
    expect(loggedOut.status).toBe(204);
    expect(loggedOut.text).toBe('');
    const afterLogout = await request(app).post('/api/auth/refresh').send({ refreshToken: third.refreshToken });
    expectProblem(afterLogout, 401);
    expect(['urn:aura:problem:users.invalid_refresh_token', 'urn:aura:problem:users.refresh_token_reused']).toContain(
      afterLogout.body.type,
    );
    // Logout is idempotent.
    expect((await request(app).post('/api/auth/logout').send({ refreshToken: third.refreshToken })).status).toBe(204);
  });

  it('resets a forgotten password with the emailed code, once', async () => {
    const { app } = t;
    const user = await activeUser(app);
    const before = await login(app, user.email, user.password);

    const requested = await request(app).post('/api/auth/password-reset/request').send({ email: user.email });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ status: 'accepted' });
    // An unknown address gets the very same answer.
    const unknown = await request(app)
      .post('/api/auth/password-reset/request')
      .send({ email: uniqueEmail('nobody') });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(requested.body);

    const code = await mailCode(app, user.email, 'reset');

    const weak = await request(app).post('/api/auth/password-reset/confirm').send({ token: code, newPassword: 'password1' });
    expectProblem(weak, 422, 'users.weak_password');
    expect(weak.body.errors?.[0]).toMatchObject({ in: 'body', pointer: '#/newPassword' });

    const confirmed = await request(app)
      .post('/api/auth/password-reset/confirm')
      .send({ token: code, newPassword: OTHER_PASSWORD });
    expect(confirmed.status).toBe(204);

    expectProblem(
      await request(app).post('/api/auth/login').send({ email: user.email, password: user.password }),
      401,
      'users.invalid_credentials',
    );
    await login(app, user.email, OTHER_PASSWORD);

    // The code is spent.
    const reused = await request(app).post('/api/auth/password-reset/confirm').send({ token: code, newPassword: THIRD_PASSWORD });
    expectProblem(reused, 422, 'users.invalid_token');
    await login(app, user.email, OTHER_PASSWORD);

    // Every earlier session ended with the reset.
    const oldRefresh = await request(app).post('/api/auth/refresh').send({ refreshToken: before.refreshToken });
    expectProblem(oldRefresh, 401);
  });

  it('changes the password with the current one and ends the sessions issued before', async () => {
    const { app } = t;
    const user = await activeUser(app);
    const tokens = await login(app, user.email, user.password);

    const wrong = await request(app)
      .post('/api/users/me/password')
      .set(bearer(tokens.accessToken))
      .send({ currentPassword: 'not my password at all', newPassword: OTHER_PASSWORD });
    expectProblem(wrong, 403, 'users.incorrect_password');
    // A refused change ends nothing.
    expect((await request(app).get('/api/users/me').set(bearer(tokens.accessToken))).status).toBe(200);

    // Tokens issued in an earlier second than the change are refused after it.
    await nextSecond();
    const changed = await request(app)
      .post('/api/users/me/password')
      .set(bearer(tokens.accessToken))
      .send({ currentPassword: user.password, newPassword: OTHER_PASSWORD });
    expect(changed.status).toBe(204);

    expectUnauthorized(await request(app).get('/api/users/me').set(bearer(tokens.accessToken)));
    expectProblem(await request(app).post('/api/auth/refresh').send({ refreshToken: tokens.refreshToken }), 401);
    expectProblem(
      await request(app).post('/api/auth/login').send({ email: user.email, password: user.password }),
      401,
      'users.invalid_credentials',
    );
    const fresh = await login(app, user.email, OTHER_PASSWORD);
    expect((await request(app).get('/api/users/me').set(bearer(fresh.accessToken))).status).toBe(200);
  });

  it('logs out everywhere: refresh tokens revoked and earlier access tokens refused', async () => {
    const { app } = t;
    const user = await activeUser(app);
    const a = await login(app, user.email, user.password);
    const b = await login(app, user.email, user.password);
    await nextSecond();

    const all = await request(app).post('/api/auth/logout-all').set(bearer(a.accessToken));
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ revokedSessions: 2 });

    expectUnauthorized(await request(app).get('/api/users/me').set(bearer(a.accessToken)));
    expectUnauthorized(await request(app).get('/api/users/me').set(bearer(b.accessToken)));
    expectProblem(await request(app).post('/api/auth/refresh').send({ refreshToken: a.refreshToken }), 401);
    expectProblem(await request(app).post('/api/auth/refresh').send({ refreshToken: b.refreshToken }), 401);
    // Logging in again works.
    const c = await login(app, user.email, user.password);
    expect((await request(app).get('/api/users/me').set(bearer(c.accessToken))).status).toBe(200);
  });

  it('publishes a key set that verifies its access tokens', async () => {
    const { app } = t;
    const user = await activeUser(app);
    const { accessToken } = await login(app, user.email, user.password);

    const res = await request(app).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const jwks = res.body as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
      algorithms: ['EdDSA'],
      issuer: 'aura',
      audience: 'aura-api',
    });
    expect(payload).toMatchObject({ sub: user.id, type: 'access', roles: ['patient'] });
    expect(jwks.keys.map((key) => key.kid)).toContain(protectedHeader.kid);
  });

  it('keeps a pending account pending and answers resend-verification with 202 either way', async () => {
    const { app } = t;
    const user = await register(app);
    await mailCode(app, user.email, 'verification', 0);
    const resent = await request(app).post('/api/auth/resend-verification').send({ email: user.email });
    expect(resent.status).toBe(202);
    const unknown = await request(app)
      .post('/api/auth/resend-verification')
      .send({ email: uniqueEmail('nobody') });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(resent.body);
    // A second code arrives and verifies the account.
    const second = await mailCode(app, user.email, 'verification', 1);
    const verified = await request(app).post('/api/auth/verify-email').send({ token: second });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('active');
  });
});
