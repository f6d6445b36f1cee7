import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { DevMailbox, InMemoryDevMailbox } from '../../../packages/adapters/src/platform/mail/dev-mailbox.js';
import { createHttpApp, isLoopbackHost } from '../src/app.js';

let aura: Aura;
let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
const mailbox = new InMemoryDevMailbox();

beforeAll(async () => {
  aura = await createAura({ config: configFrom(), modules: [] });
  // This test reads and writes a mailbox of its own.
  aura.container.rebind(DevMailbox).toConstantValue(mailbox);
  ({ app } = await createHttpApp(aura));
});
afterAll(() => aura.close());

const expectProblem = (res: request.Response, status: number, type: string) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:aura:problem:${type}`, status, requestId: res.headers['x-request-id'] });
};

describe('the development mailbox over HTTP', () => {
  it('lists nothing before any email is sent', async () => {
    const res = await request(app).get('/dev/mailbox');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  describe('with emails', () => {
    let first: Awaited<ReturnType<InMemoryDevMailbox['deliver']>>;
    let second: Awaited<ReturnType<InMemoryDevMailbox['deliver']>>;
    beforeAll(async () => {
      first = await mailbox.deliver({ to: 'Alice@Example.com', subject: 'Verify your email', text: 'token 1' });
      second = await mailbox.deliver({
        to: 'bob@example.com',
        subject: 'Réinitialiser — ✓',
        text: 'token 2',
        html: '<p>token 2</p>',
      });
    });

    it('lists them newest first, as JSON', async () => {
      const res = await request(app).get('/dev/mailbox');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        {
          id: second.id,
          to: 'bob@example.com',
          from: 'Aura <no-reply@aura.localhost>',
          subject: 'Réinitialiser — ✓',
          text: 'token 2',
          sentAt: second.sentAt.toISOString(),
          messageId: second.messageId,
        },
        {
          id: first.id,
          to: 'Alice@Example.com',
          from: 'Aura <no-reply@aura.localhost>',
          subject: 'Verify your email',
          text: 'token 1',
          sentAt: first.sentAt.toISOString(),
          messageId: first.messageId,
        },
      ]);
    });

    it('filters by recipient, ignoring case, and limits', async () => {
      const alice = await request(app).get('/dev/mailbox').query({ to: 'alice@example.COM' });
      expect(alice.status).toBe(200);
      expect(alice.body.items.map((m: { id: string }) => m.id)).toEqual([first.id]);
      const nobody = await request(app).get('/dev/mailbox').query({ to: 'nobody@example.com' });
      expect(nobody.body).toEqual({ items: [] });
      const one = await request(app).get('/dev/mailbox').query({ limit: '1' });
      expect(one.body.items.map((m: { id: string }) => m.id)).toEqual([second.id]);
    });

    it('reads one email, with its HTML part', async () => {
      const res = await request(app).get(`/dev/mailbox/${second.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: second.id, subject: 'Réinitialiser — ✓', html: '<p>token 2</p>' });
      const plain = await request(app).get(`/dev/mailbox/${first.id}`);
      expect(plain.body).toMatchObject({ id: first.id, html: null });
    });

    it('serves the raw message as message/rfc822', async () => {
      const res = await request(app)
        .get(`/dev/mailbox/${first.id}/raw`)
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^message\/rfc822/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-disposition']).toBe(`inline; filename="${first.id}.eml"`);
      const raw = (res.body as Buffer).toString('utf8');
      expect(raw).toContain('Subject: Verify your email');
      expect(raw).toContain(`Message-ID: ${first.messageId}`);
      expect(raw).toContain('token 1');
    });
  });

  it('answers an unknown or hostile id with a 404 problem', async () => {
    const unknown = '1767225600000-000000-0000000000000000';
    expectProblem(await request(app).get(`/dev/mailbox/${unknown}`), 404, 'platform.mail_not_found');
    expectProblem(await request(app).get(`/dev/mailbox/${unknown}/raw`), 404, 'platform.mail_not_found');
    expectProblem(await request(app).get('/dev/mailbox/..%2F..%2Fetc%2Fpasswd'), 404, 'platform.mail_not_found');
    expectProblem(await request(app).get('/dev/mailbox/..%2F..%2Fetc%2Fpasswd/raw'), 404, 'platform.mail_not_found');
  });

  it('answers a bad query with a 400 problem naming the field', async () => {
    for (const query of [
      { limit: '0' },
      { limit: '201' },
      { limit: 'ten' },
      { to: 'not-an-email' },
      { to: `${'x'.repeat(310)}@example.com` },
    ]) {
      const res = await request(app).get('/dev/mailbox').query(query);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ in: 'query', pointer: `#/${Object.keys(query)[0]}` })]);
    }
    expectProblem(await request(app).get('/dev/mailbox').query({ other: '1' }), 400, 'validation_failed');
    expectProblem(await request(app).get(`/dev/mailbox/${'x'.repeat(101)}/raw`), 400, 'validation_failed');
  });

  it('documents the three routes in the OpenAPI document', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, { tags: string[]; description: string; responses: object }>>;
    for (const path of ['/dev/mailbox', '/dev/mailbox/{id}', '/dev/mailbox/{id}/raw']) {
      expect(paths[path]?.get?.tags).toEqual(['Development']);
      expect(paths[path]?.get?.description).toMatch(/NODE_ENV=production/);
    }
    expect(Object.keys(paths['/dev/mailbox/{id}/raw']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '404']),
    );
    expect(paths['/dev/mailbox/{id}/raw']?.get?.responses).toHaveProperty(['200', 'content', 'message/rfc822']);
  });
});

describe('where the development mailbox is served', () => {
  it('only outside production and on a loopback address', async () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'aura.example.org', '127.0.0.1.example.org']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    const exposed = await createAura({ config: configFrom({ HOST: '0.0.0.0' }), modules: [] });
    try {
      const { app: exposedApp } = await createHttpApp(exposed);
      expect((await request(exposedApp).get('/dev/mailbox')).status).toBe(404);
    } finally {
      await exposed.close();
    }
  });
});
