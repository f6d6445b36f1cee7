import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { isProviderRejected, type OutgoingMessage, ProviderRejectedError } from '@aura/application/notifications';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpEmailSender } from '../../src/notifications/senders/smtp-email.sender.js';

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** An SMTP server on loopback that keeps what it receives; refuses recipients as the local part says. */
async function startServer(options: Partial<SMTPServerOptions> = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('refused@')) {
        return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      }
      if (address.address.startsWith('busy@')) {
        return callback(Object.assign(new Error('4.2.0 try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((address) => address.address),
          user: session.user as string | undefined,
          raw,
        });
        if (raw.includes('REFUSE-THIS-CONTENT')) {
          return callback(Object.assign(new Error('5.7.1 message content refused'), { responseCode: 554 }));
        }
        callback(null, 'queued as Q123');
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port, received };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sender(url: string, timeoutMs = 2_000): SmtpEmailSender {
  const smtp = new SmtpEmailSender({ url, from: 'Aura <no-reply@aura.test>', timeoutMs });
  cleanups.push(() => smtp.close());
  return smtp;
}

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  notificationId: '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
  channel: 'email',
  to: 'patient@example.org',
  subject: 'Your session tomorrow',
  text: 'Your session with Dr Rivera starts tomorrow at 15:00.',
  html: '<p>Your session with <b>Dr Rivera</b> starts tomorrow at 15:00.</p>',
  category: 'reminder',
  priority: 'normal',
  metadata: {},
  ...overrides,
});

/** The header section of a raw message, unfolded, names lower-cased. */
function headersOf(raw: string): Map<string, string> {
  const section = raw.slice(0, raw.indexOf('\r\n\r\n'));
  const headers = new Map<string, string>();
  for (const line of section.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string; responseCode?: number }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error(`expected the send to fail, got ${String(error)}`);
  return error;
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
async function startSilentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

describe('SmtpEmailSender', () => {
  it('delivers text with an html alternative, a Message-ID derived from the notification, From and To', async () => {
    const { port, received } = await startServer();
    const smtp = sender(`smtp://127.0.0.1:${port}`);
    expect(smtp.provider).toBe('smtp');
    expect(smtp.unavailableFor()).toBe(0);

    const receipt = await smtp.send(message());

    expect(receipt).toEqual({ providerMessageId: '<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>' });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.from).toBe('no-reply@aura.test');
    expect(mail?.to).toEqual(['patient@example.org']);
    const headers = headersOf(mail?.raw ?? '');
    expect(headers.get('message-id')).toBe('<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>');
    expect(headers.get('x-aura-notification-id')).toBe('0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e');
    expect(headers.get('from')).toBe('Aura <no-reply@aura.test>');
    expect(headers.get('to')).toBe('patient@example.org');
    expect(headers.get('subject')).toBe('Your session tomorrow');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative; boundary=/);
    const body = mail?.raw ?? '';
    expect(body).toMatch(/Content-Type: text\/plain[\s\S]*Your session with Dr Rivera starts tomorrow at 15:00\./);
    expect(body).toMatch(/Content-Type: text\/html[\s\S]*<p>Your session with <b>Dr Rivera<\/b> starts tomorrow at 15:00\.<\/p>/);
    expect(body.indexOf('text/plain')).toBeLessThan(body.indexOf('text/html'));
  });

  it('sends a message sent again with the same Message-ID, over the pooled connection', async () => {
    const connections: string[] = [];
    const { port, received } = await startServer({
      onConnect(session, callback) {
        connections.push(session.id);
        callback();
      },
    });
    const smtp = sender(`smtp://127.0.0.1:${port}`);
    await smtp.send(message());
    await smtp.send(message());
    expect(received.map((mail) => headersOf(mail.raw).get('message-id'))).toEqual([
      '<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>',
      '<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>',
    ]);
    expect(connections).toHaveLength(1);
  });

  it('sends text only when there is no html, and an empty subject when there is none', async () => {
    const { port, received } = await startServer();
    await sender(`smtp://127.0.0.1:${port}`).send(message({ html: null, subject: null }));
    const headers = headersOf(received[0]?.raw ?? '');
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
    expect(headers.get('subject') ?? '').toBe('');
  });

  it('maps a recipient refused with 550 to ProviderRejectedError', async () => {
    const { port, received } = await startServer();
    const error = await failureOf(sender(`smtp://127.0.0.1:${port}`).send(message({ to: 'refused@example.org' })));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error.message).toMatch(/^smtp refused the message: 550/);
    expect(error.message).toContain('mailbox unavailable');
    expect(received).toHaveLength(0);
  });

  it('maps content refused with 554 after DATA to ProviderRejectedError', async () => {
    const { port } = await startServer();
    const error = await failureOf(sender(`smtp://127.0.0.1:${port}`).send(message({ text: 'REFUSE-THIS-CONTENT' })));
    expect(isProviderRejected(error)).toBe(true);
    expect(error.message).toMatch(/554/);
  });

  it('keeps a 451 temporary failure retryable', async () => {
    const { port } = await startServer();
    const error = await failureOf(sender(`smtp://127.0.0.1:${port}`).send(message({ to: 'busy@example.org' })));
    expect(isProviderRejected(error)).toBe(false);
    expect(error.responseCode).toBe(451);
  });

  it('authenticates with the user and password of the URL', async () => {
    const attempts: Array<{ username: string | undefined; password: string | null | undefined }> = [];
    const { port, received } = await startServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        attempts.push({ username: auth.username, password: auth.password });
        if (auth.username === 'aura' && auth.password === 's3cret/pass') return callback(null, { user: 'aura' });
        callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
      },
    });
    await sender(`smtp://aura:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${port}`).send(message());
    expect(attempts).toEqual([{ username: 'aura', password: 's3cret/pass' }]);
    expect(received[0]?.user).toBe('aura');

    // Wrong credentials hit every message: a server problem to retry (and to open the circuit), not a refusal of this one.
    const error = await failureOf(sender(`smtp://aura:wrong@127.0.0.1:${port}`).send(message()));
    expect(isProviderRejected(error)).toBe(false);
    expect(error.code).toBe('EAUTH');
  });

  it('reports a server that is not listening as retryable', async () => {
    const port = await startSilentServer();
    // A port that was just free: nothing listens there once the silent server is gone.
    await cleanups.pop()?.();
    const error = await failureOf(sender(`smtp://127.0.0.1:${port}`).send(message()));
    expect(isProviderRejected(error)).toBe(false);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a server that accepts the connection and never answers, within about timeoutMs', async () => {
    const port = await startSilentServer();
    const started = Date.now();
    const error = await failureOf(sender(`smtp://127.0.0.1:${port}`, 300).send(message()));
    const elapsed = Date.now() - started;
    expect(isProviderRejected(error)).toBe(false);
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toBe('smtp: no answer within 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('fails a send after close without hanging', async () => {
    const { port } = await startServer();
    const smtp = sender(`smtp://127.0.0.1:${port}`);
    await smtp.close();
    const error = await failureOf(smtp.send(message()));
    expect(isProviderRejected(error)).toBe(false);
  });

  it('refuses a configuration it cannot use', () => {
    const from = 'Aura <no-reply@aura.test>';
    expect(() => new SmtpEmailSender({ url: 'not a url', from, timeoutMs: 1_000 })).toThrow(TypeError);
    expect(() => new SmtpEmailSender({ url: 'http://mail.example.org', from, timeoutMs: 1_000 })).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
    expect(() => new SmtpEmailSender({ url: 'smtp://127.0.0.1:25', from: 'Aura', timeoutMs: 1_000 })).toThrow(TypeError);
    expect(() => new SmtpEmailSender({ url: 'smtp://127.0.0.1:25', from, timeoutMs: 0 })).toThrow(RangeError);
  });
});
