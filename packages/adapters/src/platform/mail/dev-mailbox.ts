import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

/** An email to send: one or more recipients (`a@x.org` or `Name <a@x.org>`, comma-separated). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Default: `Aura <no-reply@aura.localhost>`. */
  from?: string;
  headers?: Record<string, string>;
}

/** An email the development mailbox received. */
export interface StoredMail {
  /** Time-sortable and safe as a file name (see {@link isDevMailId}). */
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | undefined;
  sentAt: Date;
  /** The `Message-ID` header, with its angle brackets. */
  messageId: string;
}

/**
 * Where Aura "sends" emails during development and embedding, so that a person trying the
 * API can read them (verification links, password resets). Never used in production.
 */
export interface DevMailbox {
  deliver(message: MailMessage): Promise<StoredMail>;
  /** Newest first; `to` matches a recipient's address (or the whole `to` field), ignoring case; `limit` defaults to 50. */
  list(filter?: { to?: string; limit?: number }): Promise<StoredMail[]>;
  get(id: string): Promise<StoredMail | undefined>;
  /** The message as RFC 5322 text (LF line endings, as `.eml` files usually have). */
  raw(id: string): Promise<Buffer | undefined>;
}

export const DevMailbox = Symbol.for('aura.platform.DevMailbox');

export const DEFAULT_MAIL_FROM = 'Aura <no-reply@aura.localhost>';
const DEFAULT_LIMIT = 50;

/** `<13-digit epoch ms>-<6-digit sequence>-<16 hex digits>`: sorts by time as a string. */
const ID_PATTERN = /^\d{13}-\d{6}-[0-9a-f]{16}$/;

/** Whether `id` has the shape of a mailbox id (anything else is never looked up, let alone used as a path). */
export function isDevMailId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

let lastMs = 0;
let sequence = 0;

/** Monotonic within this process (even when the clock steps back), unique across processes. */
function nextId(now: number): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (sequence < 999_999) {
    sequence += 1;
  } else {
    lastMs += 1;
    sequence = 0;
  }
  return `${String(lastMs).padStart(13, '0')}-${String(sequence).padStart(6, '0')}-${randomBytes(8).toString('hex')}`;
}

let transport: ReturnType<typeof createStreamTransport> | undefined;
function createStreamTransport() {
  return nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
}

function recipientsOf(to: string): string[] {
  return addressparser(to, { flatten: true })
    .map((entry) => entry.address.toLowerCase())
    .filter((address) => address.includes('@'));
}

/** Builds the RFC 5322 message with nodemailer and the metadata stored beside it. */
async function compose(message: MailMessage): Promise<{ mail: StoredMail; raw: Buffer }> {
  if (recipientsOf(message.to).length === 0) {
    throw new TypeError(`a mail needs at least one recipient address (got to: ${JSON.stringify(message.to)})`);
  }
  const sentAt = new Date();
  const from = message.from ?? DEFAULT_MAIL_FROM;
  transport ??= createStreamTransport();
  const info = await transport.sendMail({
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    date: sentAt,
    ...(message.html === undefined ? {} : { html: message.html }),
    ...(message.headers === undefined ? {} : { headers: message.headers }),
  });
  const raw = info.message;
  if (!Buffer.isBuffer(raw)) throw new Error('nodemailer returned a stream where a buffer was asked for');
  const mail: StoredMail = {
    id: nextId(sentAt.getTime()),
    to: message.to,
    from,
    subject: message.subject,
    text: message.text,
    html: message.html,
    sentAt,
    messageId: info.messageId,
  };
  return { mail, raw };
}

const copy = (mail: StoredMail): StoredMail => ({ ...mail, sentAt: new Date(mail.sentAt.getTime()) });

function matches(mail: StoredMail, to: string | undefined): boolean {
  if (to === undefined) return true;
  const wanted = to.trim().toLowerCase();
  return mail.to.trim().toLowerCase() === wanted || recipientsOf(mail.to).includes(wanted);
}

function limitOf(filter: { limit?: number } | undefined): number {
  const limit = filter?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0 (got ${limit})`);
  return limit;
}

/** Keeps the mail in memory (AURA_DATA_DIR=memory://): gone when the process ends. */
export class InMemoryDevMailbox implements DevMailbox {
  private readonly mails = new Map<string, { mail: StoredMail; raw: Buffer }>();

  async deliver(message: MailMessage): Promise<StoredMail> {
    const { mail, raw } = await compose(message);
    this.mails.set(mail.id, { mail: copy(mail), raw });
    return mail;
  }

  async list(filter?: { to?: string; limit?: number }): Promise<StoredMail[]> {
    const limit = limitOf(filter);
    const ids = [...this.mails.keys()].sort().reverse();
    const found: StoredMail[] = [];
    for (const id of ids) {
      if (found.length >= limit) break;
      const entry = this.mails.get(id);
      if (entry !== undefined && matches(entry.mail, filter?.to)) found.push(copy(entry.mail));
    }
    return found;
  }

  async get(id: string): Promise<StoredMail | undefined> {
    if (!isDevMailId(id)) return undefined;
    const entry = this.mails.get(id);
    return entry === undefined ? undefined : copy(entry.mail);
  }

  async raw(id: string): Promise<Buffer | undefined> {
    if (!isDevMailId(id)) return undefined;
    const entry = this.mails.get(id);
    return entry === undefined ? undefined : Buffer.from(entry.raw);
  }
}

const storedJsonSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  sentAt: z.iso.datetime(),
  messageId: z.string(),
});
type StoredJson = z.infer<typeof storedJsonSchema>;

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

const isNotFound = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ENOENT';

/**
 * Writes each mail as `<id>.eml` (the raw message, openable in any mail client) and
 * `<id>.json` (its metadata), readable by the owner only. The `.json` is written last and
 * atomically, so a listing never sees a message that is only half written; several
 * processes (and mailboxes) can share one directory.
 */
export class DirectoryDevMailbox implements DevMailbox {
  constructor(readonly directory: string) {}

  async deliver(message: MailMessage): Promise<StoredMail> {
    const { mail, raw } = await compose(message);
    await mkdir(this.directory, { recursive: true, mode: DIRECTORY_MODE });
    const json: StoredJson = {
      id: mail.id,
      to: mail.to,
      from: mail.from,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html === undefined ? {} : { html: mail.html }),
      sentAt: mail.sentAt.toISOString(),
      messageId: mail.messageId,
    };
    await this.writeAtomically(`${mail.id}.eml`, raw);
    await this.writeAtomically(`${mail.id}.json`, `${JSON.stringify(json, null, 2)}\n`);
    return mail;
  }

  async list(filter?: { to?: string; limit?: number }): Promise<StoredMail[]> {
    const limit = limitOf(filter);
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const ids = names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter(isDevMailId)
      .sort()
      .reverse();
    const found: StoredMail[] = [];
    for (const id of ids) {
      if (found.length >= limit) break;
      const mail = await this.read(id);
      if (mail !== undefined && matches(mail, filter?.to)) found.push(mail);
    }
    return found;
  }

  async get(id: string): Promise<StoredMail | undefined> {
    return isDevMailId(id) ? this.read(id) : undefined;
  }

  async raw(id: string): Promise<Buffer | undefined> {
    if (!isDevMailId(id)) return undefined;
    try {
      return await readFile(path.join(this.directory, `${id}.eml`));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The metadata of a mail; undefined when absent, deleted meanwhile, or not a mailbox file. */
  private async read(id: string): Promise<StoredMail | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(this.directory, `${id}.json`), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    let parsed: ReturnType<typeof storedJsonSchema.safeParse>;
    try {
      parsed = storedJsonSchema.safeParse(JSON.parse(text));
    } catch {
      return undefined;
    }
    if (!parsed.success || parsed.data.id !== id) return undefined;
    const { html, sentAt, ...rest } = parsed.data;
    return { ...rest, html, sentAt: new Date(sentAt) };
  }

  private async writeAtomically(name: string, data: string | Buffer): Promise<void> {
    const temporary = path.join(this.directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, data, { mode: FILE_MODE, flag: 'wx' });
      await rename(temporary, path.join(this.directory, name));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/**
 * The mailbox the configuration asks for: DEV_MAILBOX_DIR when set; otherwise in memory when
 * AURA_DATA_DIR is `memory://`, else `mail/` inside AURA_DATA_DIR.
 */
export function devMailboxFor(config: { DEV_MAILBOX_DIR?: string | undefined; AURA_DATA_DIR: string }): DevMailbox {
  if (config.DEV_MAILBOX_DIR !== undefined && config.DEV_MAILBOX_DIR !== '')
    return new DirectoryDevMailbox(config.DEV_MAILBOX_DIR);
  if (config.AURA_DATA_DIR === 'memory://') return new InMemoryDevMailbox();
  return new DirectoryDevMailbox(path.join(config.AURA_DATA_DIR, 'mail'));
}
