import {
  type ChannelSender,
  type OutgoingMessage,
  ProviderRejectedError,
  type SendReceipt,
} from '@aura/application/notifications';
import nodemailer, { type SMTPPoolSentMessageInfo, type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

export interface SmtpEmailSenderOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it) or `smtps://…` (TLS from the start). */
  readonly url: string;
  /** The From header, e.g. `Aura <no-reply@example.org>`. */
  readonly from: string;
  /** Bound on connecting, on the greeting, on any silence of the socket, and on one whole send. */
  readonly timeoutMs: number;
  /** Pooled connections kept open to the server. Default 5. */
  readonly maxConnections?: number;
}

/** Header naming the notification a message delivers (bounces and provider receipts carry it back). */
export const NOTIFICATION_ID_HEADER = 'X-Aura-Notification-Id';

/**
 * The Message-ID of a notification's email. Derived from the notification, so the message sent
 * again after a crash (sent, but not yet recorded as sent) carries the same Message-ID and
 * providers and mail clients can drop the duplicate.
 */
export function messageIdOf(notificationId: string): string {
  return `<${notificationId}@aura>`;
}

/** Failures that concern this message (its envelope or content), not the server or the connection. */
const MESSAGE_ERROR_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS']);

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  name?: unknown;
}

function timeoutError(timeoutMs: number, cause: unknown): Error {
  const error = new Error(`smtp: no answer within ${timeoutMs} ms`, { cause });
  error.name = 'TimeoutError';
  return error;
}

/**
 * A 5xx reply to the envelope or the data (RFC 5321: permanent; 503 excepted, a session out of
 * step) and a message nodemailer refuses before sending are permanent: retrying gets the same.
 * A 5xx to the greeting or AUTH is a configuration or server problem that every message meets:
 * it stays retryable, so the circuit breaker notices it.
 */
function classify(error: unknown, timeoutMs: number): unknown {
  if (error === null || typeof error !== 'object') return error;
  const failure = error as SmtpFailure;
  if (failure.code === 'EABORT' || failure.code === 'ETIMEDOUT' || failure.name === 'AbortError') {
    return timeoutError(timeoutMs, error);
  }
  if (typeof failure.code !== 'string' || !MESSAGE_ERROR_CODES.has(failure.code)) return error;
  const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  if (responseCode === undefined || (responseCode >= 500 && responseCode < 600 && responseCode !== 503)) {
    const reply = typeof failure.response === 'string' ? failure.response : (error as Error).message;
    return new ProviderRejectedError(`smtp refused the message: ${reply}`, { cause: error });
  }
  return error;
}

/**
 * Email through an SMTP server, over a pool of kept-open connections. The pool does not
 * re-send a message whose connection dropped (`maxRequeues: 0`): the delivery job retries it,
 * with the same Message-ID, and counts the attempt.
 */
export class SmtpEmailSender implements ChannelSender {
  readonly provider = 'smtp';
  private readonly transport: Transporter<SMTPPoolSentMessageInfo>;
  private readonly from: string;
  private readonly timeoutMs: number;

  constructor(options: SmtpEmailSenderOptions) {
    let protocol: string;
    try {
      protocol = new URL(options.url).protocol;
    } catch {
      throw new TypeError('the SMTP URL is not a URL (expected smtp://user:pass@host:port or smtps://…)');
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new TypeError(`the SMTP URL must start with smtp:// or smtps:// (got ${protocol}//)`);
    }
    if (!addressparser(options.from, { flatten: true }).some((entry) => entry.address.includes('@'))) {
      throw new TypeError(`the sender address has no email address in it (got ${JSON.stringify(options.from)})`);
    }
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be > 0 (got ${options.timeoutMs})`);
    }
    this.from = options.from;
    this.timeoutMs = options.timeoutMs;
    this.transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxRequeues: 0,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html === null ? {} : { html: message.html }),
        messageId: messageIdOf(message.notificationId),
        headers: { [NOTIFICATION_ID_HEADER]: message.notificationId },
        // The stage timeouts miss a server that trickles its replies, and the wait for a free pooled connection.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { providerMessageId: typeof info.messageId === 'string' && info.messageId !== '' ? info.messageId : null };
    } catch (error) {
      throw classify(error, this.timeoutMs);
    }
  }

  /** The circuit breaker around this sender answers that. */
  unavailableFor(): number {
    return 0;
  }

  /** Closes the pooled connections (a message being sent finishes first). */
  async close(): Promise<void> {
    this.transport.close();
  }
}
