/**
 * What the notifications end-to-end suites share, on top of the users suites' support: fast
 * notification settings, a patient with tokens, polling a notification's status, reading
 * /metrics, signing receipts, a real SMTP sink and a real (local) SMS provider.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, type SignatureVerdict, signPayload, verifySignature } from '@aura/adapters/notifications';
import type { Express } from 'express';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { expect } from 'vitest';
import { waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import {
  activeUser,
  bearer,
  login,
  type Overrides,
  type RegisteredUser,
  startAura,
  type Target,
  type TestAura,
  type Tokens,
} from '../users/users-e2e-support.js';

export { waitUntil };

/** Both targets, as the users suites run them. */
export const TARGETS: readonly Target[] = ['embedded', 'postgres'];

/** Quick retries, a circuit that half-opens after 1 s, a short provider timeout, a sweep every second. */
export const FAST_NOTIFICATIONS: Overrides = {
  OUTBOX_POLL_INTERVAL_MS: '20',
  NOTIFICATIONS_RETRY_BACKOFF_MS: '50',
  NOTIFICATIONS_BREAKER_HALF_OPEN_S: '1',
  NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '1000',
  NOTIFICATIONS_SWEEP_INTERVAL_S: '1',
};

export const startNotificationsAura = (target: Target, overrides: Overrides = {}): Promise<TestAura> =>
  startAura(target, { ...FAST_NOTIFICATIONS, ...overrides });

/**
 * Sets up every target at once, the first time a suite asks for one: start-up (migrations,
 * password hashing) is most of a suite's time, and the targets' overlap. `close` tears down
 * whatever was set up.
 */
export function perTarget<T>(
  setUp: (target: Target) => Promise<T>,
  tearDown: (value: T) => Promise<void>,
): { get(target: Target): Promise<T>; close(): Promise<void> } {
  let started: Map<Target, Promise<T>> | undefined;
  const start = () => {
    started ??= new Map(
      TARGETS.map((target) => {
        const value = setUp(target);
        // Awaited by that target's suite; meanwhile a failure is not an unhandled rejection.
        value.catch(() => undefined);
        return [target, value];
      }),
    );
    return started;
  };
  return {
    get: (target) => start().get(target) as Promise<T>,
    close: async () => {
      if (started === undefined) return;
      const settled = await Promise.allSettled(started.values());
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? tearDown(s.value) : undefined)));
    },
  };
}

/** An active, logged-in patient (verified through the development mailbox). */
export async function loggedInPatient(app: Express): Promise<RegisteredUser & Tokens> {
  const user = await activeUser(app);
  return { ...user, ...(await login(app, user.email, user.password)) };
}

export interface NotificationJson {
  id: string;
  userId: string | null;
  channel: 'email' | 'sms' | 'push';
  recipient: string;
  subject: string | null;
  message: string | null;
  category: string;
  priority: string;
  status: 'pending' | 'sent' | 'delivered' | 'failed' | 'cancelled';
  metadata: Record<string, unknown>;
  templateKey: string | null;
  locale: string | null;
  deduplicationKey: string | null;
  sendAt: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  cancelledAt: string | null;
}

export async function getNotification(app: Express, token: string, id: string): Promise<NotificationJson> {
  const res = await request(app).get(`/api/notifications/${id}`).set(bearer(token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as NotificationJson;
}

/** Polls GET /api/notifications/{id} until `done` holds; returns the notification then. */
export async function waitForNotification(
  app: Express,
  token: string,
  id: string,
  done: (n: NotificationJson) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<NotificationJson> {
  let last: NotificationJson | undefined;
  try {
    await waitUntil(
      async () => {
        last = await getNotification(app, token, id);
        return done(last);
      },
      `notification ${id} ${what}`,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
  return last as NotificationJson;
}

export const waitForStatus = (app: Express, token: string, id: string, status: NotificationJson['status'], timeoutMs?: number) =>
  waitForNotification(app, token, id, (n) => n.status === status, `is ${status}`, timeoutMs);

/** Every notification the admin lists with these filters (all pages). */
export async function listAll(app: Express, token: string, query: Record<string, string>): Promise<NotificationJson[]> {
  const items: NotificationJson[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const res = await request(app)
      .get('/api/notifications')
      .set(bearer(token))
      .query({ limit: '100', ...query, ...(cursor === null ? {} : { cursor }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...(res.body.items as NotificationJson[]));
    cursor = res.body.nextCursor as string | null;
    if (cursor === null) return items;
  }
  throw new Error('paging never ended');
}

export interface DevMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/** Every email in the development mailbox to `email`, oldest first. */
export async function devMails(app: Express, email: string): Promise<DevMail[]> {
  const res = await request(app).get('/dev/mailbox').query({ to: email, limit: '200' });
  expect(res.status).toBe(200);
  return (res.body.items as DevMail[]).reverse();
}

/** Waits until an email with this subject reached `email` in the development mailbox. */
export async function waitForDevMail(app: Express, email: string, subject: string): Promise<DevMail> {
  let found: DevMail | undefined;
  await waitUntil(
    async () => {
      found = (await devMails(app, email)).find((mail) => mail.subject === subject);
      return found !== undefined;
    },
    `"${subject}" reached ${email}`,
    15_000,
  );
  return found as DevMail;
}

/** The Prometheus text served at /metrics. */
export async function scrape(app: Express): Promise<string> {
  const res = await request(app).get('/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

/** The sum of the series of `name` whose labels include `labels` (0 when there is none). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim());
    if (match === null || match[1] !== name) continue;
    const seriesLabels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      seriesLabels[pair[1] as string] = pair[2] as string;
    }
    if (Object.entries(labels).every(([key, value]) => seriesLabels[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

export async function metric(app: Express, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue(await scrape(app), name, labels);
}

/** A receipt body and its signature header, as a provider would post it. */
export function signedReceipt(
  secret: string,
  receipt: unknown,
  timestampSeconds = Math.floor(Date.now() / 1000),
): { body: string; signature: string } {
  const body = typeof receipt === 'string' ? receipt : JSON.stringify(receipt);
  return { body, signature: signPayload(secret, body, timestampSeconds) };
}

export const postReceipt = (
  app: Express,
  provider: string,
  body: string,
  signature: string | undefined,
  type = 'application/json',
) => {
  const req = request(app).post(`/api/notifications/webhooks/${provider}`).set('content-type', type);
  return (signature === undefined ? req : req.set(SIGNATURE_HEADER, signature)).send(body);
};

// ---------------------------------------------------------------------------------------------
// A real SMTP server on loopback that keeps every message it is given.

export interface SinkMessage {
  /** RCPT TO addresses. */
  readonly rcptTo: readonly string[];
  readonly raw: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly to: string;
  readonly subject: string;
  readonly messageId: string;
  /** The text/plain part, decoded. */
  readonly text: string;
}

export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  #server: SMTPServer | undefined;
  #port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, ...parseMail(raw) });
          callback();
        });
      },
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (server.server.address() as AddressInfo).port;
    return this;
  }

  /** Messages to `address` (RCPT TO), oldest first. */
  to(address: string): SinkMessage[] {
    return this.messages.filter((m) => m.rcptTo.some((r) => r.toLowerCase() === address.toLowerCase()));
  }

  async waitFor(address: string, subject: string): Promise<SinkMessage> {
    let found: SinkMessage | undefined;
    await waitUntil(
      () => {
        found = this.to(address).find((m) => m.subject === subject);
        return found !== undefined;
      },
      `"${subject}" reached ${address} at the SMTP sink`,
      15_000,
    );
    return found as SinkMessage;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
  }
}

function unfoldHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitHeadersAndBody(raw: string): { headers: Record<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (match === null) return { headers: unfoldHeaders(raw), body: '' };
  return { headers: unfoldHeaders(raw.slice(0, match.index)), body: raw.slice(match.index + match[0].length) };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const char = soft[i] as string;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(char, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), as nodemailer writes non-ASCII headers. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

/** The text/plain part of a (possibly multipart) message; '' when it has none. */
function textPart(headers: Record<string, string>, body: string): string {
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  if (!type.startsWith('multipart/')) return type.startsWith('text/plain') ? decodeBody(headers, body) : '';
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (boundary === undefined) return '';
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const parsed = splitHeadersAndBody(part.replace(/^\r?\n/, ''));
    const text = textPart(parsed.headers, parsed.body);
    if (text !== '') return text;
  }
  return '';
}

export function parseMail(raw: string): Omit<SinkMessage, 'rcptTo' | 'raw'> {
  const { headers, body } = splitHeadersAndBody(raw);
  return {
    headers,
    to: headers.to ?? '',
    subject: decodeWords(headers.subject ?? ''),
    messageId: headers['message-id'] ?? '',
    text: textPart(headers, body),
  };
}

// ---------------------------------------------------------------------------------------------
// A real HTTP server playing the SMS provider: checks the signature and the idempotency key,
// and answers 503 for the next k requests when told to.

export interface ProviderRequest {
  readonly body: Record<string, unknown>;
  readonly idempotencyKey: string | undefined;
  readonly verdict: SignatureVerdict;
  readonly status: number;
  /** When it arrived (ms since the epoch). */
  readonly at: number;
}

export class FakeSmsProvider {
  /** ≥ 32 characters, as the configuration requires. */
  readonly secret = 'sms-provider-shared-secret-0123456789abcdef';
  readonly requests: ProviderRequest[] = [];
  #failures = 0;
  #failStatus = 503;
  #delayMs = 0;
  /** Requests that have arrived (counted before they are answered). */
  arrivals = 0;
  #server: Server | undefined;
  #port = 0;
  #counter = 0;

  get url(): string {
    return `http://127.0.0.1:${this.#port}/messages`;
  }

  /** The next `k` requests are answered with `status` (then 200 again). */
  failNext(k: number, status = 503): void {
    this.#failures = k;
    this.#failStatus = status;
  }

  /** The next request is answered after `ms`. */
  delayNext(ms: number): void {
    this.#delayMs = ms;
  }

  /** Requests for one notification. */
  for(notificationId: string): ProviderRequest[] {
    return this.requests.filter((r) => r.body.id === notificationId);
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      void this.#handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.#port = (server.address() as AddressInfo).port;
    return this;
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const at = Date.now();
    this.arrivals += 1;
    const delayMs = this.#delayMs;
    this.#delayMs = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const verdict = verifySignature(this.secret, raw, req.headers[SIGNATURE_HEADER] as string | undefined, Date.now(), 300_000);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // recorded as it is; the test sees an empty body
    }
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    let status = 200;
    if (verdict !== 'ok' || idempotencyKey === undefined || idempotencyKey !== body.id) status = 401;
    else if (this.#failures > 0) {
      this.#failures -= 1;
      status = this.#failStatus;
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.requests.push({ body, idempotencyKey, verdict, status, at });
    if (status === 200) return { status, body: { id: `sms-${++this.#counter}` } };
    return { status, body: { error: status === 401 ? 'bad signature' : 'temporarily unavailable' } };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#server === undefined) return resolve();
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
