/**
 * A real SMTP server on loopback that keeps every message it receives with its Message-ID,
 * for the worker's notification tests. It can stall: the message is received in full (the
 * client has sent the final `.`) but the reply to DATA is held until `release()`, so the
 * sender is caught mid-send, exactly where a crash makes "sent or not?" unknowable.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  readonly messageId: string;
  /** The `X-Aura-Notification-Id` header. */
  readonly notificationId: string | undefined;
  readonly to: readonly string[];
  /** When the last byte of DATA arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** The SMTP session (connection) it came over. */
  readonly sessionId: string;
  /** The sink answered 250; false while stalled, and for good when the sender died first. */
  acknowledged: boolean;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  readonly url: string;
  readonly received: readonly ReceivedEmail[];
  /** From now on, hold the reply to every message until `release()`. */
  stall(): void;
  /** Answers the held messages (250) and stops stalling. */
  release(): void;
  /** Resolves as soon as a message matching `predicate` arrives (or has arrived), synchronously with its arrival. */
  next(predicate: (email: ReceivedEmail) => boolean, timeoutMs: number): Promise<ReceivedEmail>;
  /** Resolves once the connection `email` came over is closed (its sender died or hung up). */
  disconnected(email: ReceivedEmail, timeoutMs: number): Promise<void>;
  /** Copies received per Message-ID. */
  copies(): Map<string, number>;
  close(): Promise<void>;
}

function header(raw: string, name: string): string | undefined {
  const section = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = section.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedEmail[] = [];
  const held: Array<{ email: ReceivedEmail; reply: () => void }> = [];
  const waiters = new Set<(email: ReceivedEmail) => void>();
  const closedSessions = new Set<string>();
  let stalling = false;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onClose(session) {
      closedSessions.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const email: ReceivedEmail = {
          messageId: header(raw, 'Message-ID') ?? '(none)',
          notificationId: header(raw, 'X-Aura-Notification-Id'),
          to: session.envelope.rcptTo.map((address) => address.address),
          receivedAt: Date.now(),
          sessionId: session.id,
          acknowledged: false,
        };
        received.push(email);
        const reply = () => {
          // The client is gone (killed while we stalled): nobody to answer.
          if (closedSessions.has(session.id)) return;
          email.acknowledged = true;
          callback(null, `queued as ${email.messageId}`);
        };
        if (stalling) held.push({ email, reply });
        else reply();
        for (const waiter of [...waiters]) waiter(email);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stall: () => {
      stalling = true;
    },
    release: () => {
      stalling = false;
      for (const { reply } of held.splice(0)) reply();
    },
    next: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const already = received.find(predicate);
        if (already !== undefined) return resolve(already);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`the SMTP sink received no matching message within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const waiter = (email: ReceivedEmail) => {
          if (!predicate(email)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(email);
        };
        waiters.add(waiter);
      }),
    disconnected: async (email, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!closedSessions.has(email.sessionId)) {
        if (Date.now() > deadline) throw new Error(`the connection of ${email.messageId} is still open after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    copies: () => {
      const counts = new Map<string, number>();
      for (const email of received) counts.set(email.messageId, (counts.get(email.messageId) ?? 0) + 1);
      return counts;
    },
    close: () => {
      stalling = false;
      held.splice(0);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
