import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isProviderRejected, type OutgoingMessage, ProviderRejectedError } from '@aura/application/notifications';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../src/notifications/senders/webhook.sender.js';
import { SIGNATURE_HEADER, verifySignature } from '../../src/notifications/webhooks/hmac-signature.js';

const SECRET = 'sms-shared-secret';

interface Received {
  method: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
  verdict: ReturnType<typeof verifySignature>;
}

type Handler = (request: Received, response: ServerResponse) => void;

/** The provider: checks the signature as a real one would, records the request, answers as told. */
let server: Server;
let url: string;
let received: Received[] = [];
let handler: Handler;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers[SIGNATURE_HEADER];
      const verdict = verifySignature(SECRET, body, typeof header === 'string' ? header : undefined, Date.now(), 60_000);
      const entry = { method: request.method, headers: request.headers, body, verdict };
      received.push(entry);
      handler(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  handler = (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'sms_123' }));
  };
});

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  notificationId: '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
  channel: 'sms',
  to: '+447700900123',
  subject: null,
  text: 'Your session with Dr Rivera starts at 15:00.',
  html: null,
  category: 'reminder',
  priority: 'normal',
  metadata: { sessionId: 's-1', attempt: 2, urgent: false, note: null },
  ...overrides,
});

const sender = (options: { url?: string; timeoutMs?: number; secret?: string } = {}) =>
  new WebhookSender({
    channel: 'sms',
    provider: 'sms-webhook',
    url: options.url ?? url,
    secret: options.secret ?? SECRET,
    timeoutMs: options.timeoutMs ?? 2_000,
  });

describe('WebhookSender', () => {
  it('POSTs the message as signed JSON with the notification id as Idempotency-Key', async () => {
    const webhook = sender();
    expect(webhook.provider).toBe('sms-webhook');
    expect(webhook.unavailableFor()).toBe(0);

    await expect(webhook.send(message())).resolves.toEqual({ providerMessageId: 'sms_123' });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e');
    expect(request?.headers[SIGNATURE_HEADER]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(request?.verdict).toBe('ok');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      id: '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
      channel: 'sms',
      to: '+447700900123',
      text: 'Your session with Dr Rivera starts at 15:00.',
      subject: null,
      category: 'reminder',
      priority: 'normal',
      metadata: { sessionId: 's-1', attempt: 2, urgent: false, note: null },
    });
  });

  it('signs with the configured secret: a provider with another secret sees a bad signature', async () => {
    await sender({ secret: 'not the provider’s secret' }).send(message());
    expect(received[0]?.verdict).toBe('bad_signature');
  });

  it('sends the same Idempotency-Key when the same notification is sent again', async () => {
    const webhook = sender();
    await webhook.send(message());
    await webhook.send(message());
    expect(received.map((request) => request.headers['idempotency-key'])).toEqual([
      '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
      '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
    ]);
  });

  it('sends push the same way, with its channel', async () => {
    const push = new WebhookSender({ channel: 'push', provider: 'push-webhook', url, secret: SECRET, timeoutMs: 2_000 });
    await push.send(message({ channel: 'push', to: 'device-token-1', subject: 'Reminder' }));
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ channel: 'push', to: 'device-token-1', subject: 'Reminder' });
  });

  it('takes the provider id from `messageId` when there is no `id`', async () => {
    handler = (_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ messageId: 'push-9' }));
    };
    await expect(sender().send(message())).resolves.toEqual({ providerMessageId: 'push-9' });
  });

  it('accepts a numeric id', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 42 }));
    };
    await expect(sender().send(message())).resolves.toEqual({ providerMessageId: '42' });
  });

  it.each([
    ['202 without a body', 202, ''],
    ['200 with a body that is not JSON', 200, 'queued'],
    ['200 with a JSON array', 200, '[1,2]'],
    ['200 with a JSON object without an id', 200, '{"status":"queued","id":""}'],
  ])('is ok with no provider id on %s', async (_case, status, body) => {
    handler = (_request, response) => {
      response.writeHead(status).end(body);
    };
    await expect(sender().send(message())).resolves.toEqual({ providerMessageId: null });
  });

  it('treats a 400 as the provider refusing the message (permanent), with status and an excerpt of the body', async () => {
    handler = (_request, response) => {
      response
        .writeHead(400, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ error: 'invalid_number', detail: `+447700900123 is not a mobile number ${'x'.repeat(400)}` }));
    };
    const error = await sender()
      .send(message())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as Error).message).toMatch(/^sms-webhook answered 400: \{"error":"invalid_number"/);
    expect((error as Error).message.length).toBeLessThan(260);
    expect((error as Error).message.endsWith('…')).toBe(true);
  });

  it.each([401, 403, 404, 413, 422])('treats %i as a refusal', async (status) => {
    handler = (_request, response) => {
      response.writeHead(status).end();
    };
    await expect(sender().send(message())).rejects.toThrow(new ProviderRejectedError(`sms-webhook answered ${status}`));
  });

  it.each([408, 429, 500, 502, 503])('treats %i as worth retrying', async (status) => {
    handler = (_request, response) => {
      response.writeHead(status, { 'Retry-After': '30' }).end('try again later');
    };
    const error = await sender()
      .send(message())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(isProviderRejected(error)).toBe(false);
    expect((error as Error).message).toBe(`sms-webhook answered ${status}: try again later`);
  });

  it('does not follow a redirect with the signed body: worth retrying, and reported', async () => {
    handler = (_request, response) => {
      response.writeHead(307, { Location: 'http://127.0.0.1:1/elsewhere' }).end();
    };
    const error = await sender()
      .send(message())
      .catch((caught: unknown) => caught);
    expect(isProviderRejected(error)).toBe(false);
    expect((error as Error).message).toBe('sms-webhook answered 307');
    expect(received).toHaveLength(1);
  });

  it('gives up on a provider that does not answer within timeoutMs', async () => {
    handler = () => {
      // never answers
    };
    const started = Date.now();
    const error = await sender({ timeoutMs: 150 })
      .send(message())
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(isProviderRejected(error)).toBe(false);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toBe('sms-webhook: no answer within 150 ms');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('gives up on a provider that sends its headers and then stalls in the body', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"id":');
    };
    const error = await sender({ timeoutMs: 150 })
      .send(message())
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('reports a refused connection as worth retrying', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await sender({ url: `http://127.0.0.1:${port}/messages` })
      .send(message())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(isProviderRejected(error)).toBe(false);
    expect((error as Error).message).toBe('sms-webhook unreachable: ECONNREFUSED');
  });

  it('refuses a configuration it cannot use', () => {
    expect(() => sender({ url: 'not a url' })).toThrow(TypeError);
    expect(() => sender({ url: 'ftp://provider.example/messages' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => sender({ secret: '' })).toThrow(TypeError);
    expect(() => sender({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
