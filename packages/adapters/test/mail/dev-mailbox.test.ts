import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAIL_FROM,
  type DevMailbox,
  DirectoryDevMailbox,
  devMailboxFor,
  InMemoryDevMailbox,
  isDevMailId,
} from '../../src/platform/mail/dev-mailbox.js';

const temporaryDirs: string[] = [];
async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aura-mailbox-'));
  temporaryDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The header section of a raw message, unfolded, as `name: value` pairs (names lower-cased). */
function headersOf(raw: Buffer): { section: string; headers: Map<string, string> } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\n\n');
  expect(end).toBeGreaterThan(0);
  const section = text.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of section.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    expect(colon).toBeGreaterThan(0);
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { section, headers };
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `=?UTF-8?B?…?=`) in an unfolded header value. */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_all, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

const HOSTILE_IDS = [
  '',
  '../../etc/passwd',
  '..',
  '/etc/passwd',
  'nope',
  '0000000000000-000000-0000000000000000/../x',
  '0000000000000-000000-0000000000000000.json',
  '0000000000000-000000-000000000000000G',
  `${'1'.repeat(13)}-${'0'.repeat(6)}-${'a'.repeat(16)}\n`,
  'x'.repeat(10_000),
];

interface Fixture {
  readonly name: string;
  readonly make: () => Promise<DevMailbox>;
}

const fixtures: Fixture[] = [
  { name: 'InMemoryDevMailbox', make: async () => new InMemoryDevMailbox() },
  { name: 'DirectoryDevMailbox', make: async () => new DirectoryDevMailbox(path.join(await temporaryDir(), 'nested', 'mail')) },
];

describe.each(fixtures)('$name', ({ make }) => {
  let mailbox: DevMailbox;
  beforeEach(async () => {
    mailbox = await make();
  });

  it('is empty at first', async () => {
    expect(await mailbox.list()).toEqual([]);
  });

  it('delivers a message that list, get and raw give back', async () => {
    const sent = await mailbox.deliver({
      to: 'alice@example.com',
      subject: 'Verify your email',
      text: 'Open https://aura.localhost/verify?token=abc to verify.',
      html: '<p>Open <a href="https://aura.localhost/verify?token=abc">this link</a>.</p>',
      headers: { 'X-Aura-Template': 'users.verify_email' },
    });
    expect(isDevMailId(sent.id)).toBe(true);
    expect(sent).toMatchObject({
      to: 'alice@example.com',
      from: DEFAULT_MAIL_FROM,
      subject: 'Verify your email',
      text: 'Open https://aura.localhost/verify?token=abc to verify.',
      html: '<p>Open <a href="https://aura.localhost/verify?token=abc">this link</a>.</p>',
    });
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(Math.abs(sent.sentAt.getTime() - Date.now())).toBeLessThan(5_000);
    expect(sent.messageId).toMatch(/^<[^<>@\s]+@aura\.localhost>$/);

    expect(await mailbox.list()).toEqual([sent]);
    expect(await mailbox.get(sent.id)).toEqual(sent);

    const raw = await mailbox.raw(sent.id);
    expect(raw).toBeInstanceOf(Buffer);
    const { headers } = headersOf(raw as Buffer);
    expect(headers.get('to')).toBe('alice@example.com');
    expect(headers.get('from')).toBe(DEFAULT_MAIL_FROM);
    expect(headers.get('subject')).toBe('Verify your email');
    expect(headers.get('message-id')).toBe(sent.messageId);
    expect(headers.get('x-aura-template')).toBe('users.verify_email');
    expect(headers.get('mime-version')).toBe('1.0');
    expect(new Date(headers.get('date') as string).getTime()).toBe(Math.floor(sent.sentAt.getTime() / 1000) * 1000);
    expect((raw as Buffer).toString('utf8')).toContain('https://aura.localhost/verify?token=abc');
  });

  it('keeps non-ASCII subjects and bodies intact, and the raw headers valid RFC 5322', async () => {
    const subject = `Grüße — ✓ ${'ü'.repeat(120)}`;
    const sent = await mailbox.deliver({
      to: 'Jürgen Müller <JUERGEN@example.com>',
      from: 'Aura Ünïcode <hello@aura.localhost>',
      subject,
      text: 'Grüße — ✓\nZweite Zeile: 你好',
      html: '<p>Grüße — ✓</p>',
    });
    expect(sent).toMatchObject({
      to: 'Jürgen Müller <JUERGEN@example.com>',
      from: 'Aura Ünïcode <hello@aura.localhost>',
      subject,
      text: 'Grüße — ✓\nZweite Zeile: 你好',
      html: '<p>Grüße — ✓</p>',
    });
    expect(await mailbox.get(sent.id)).toEqual(sent);
    expect((await mailbox.list())[0]).toEqual(sent);

    const raw = (await mailbox.raw(sent.id)) as Buffer;
    const { section, headers } = headersOf(raw);
    // The header section is 7-bit ASCII, in lines of at most 998 characters, every field `name: value`.
    expect([...section].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    for (const line of section.split('\n')) expect(line.length).toBeLessThanOrEqual(998);
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type'])
      expect(headers.has(name)).toBe(true);
    expect(decodeWords(headers.get('subject') as string)).toBe(subject);
    expect(decodeWords(headers.get('to') as string)).toContain('<JUERGEN@example.com>');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/);
    expect(raw.toString('latin1')).toMatch(/charset=utf-8/i);
  });

  it('refuses a message without a recipient address', async () => {
    await expect(mailbox.deliver({ to: '', subject: 's', text: 't' })).rejects.toThrow(TypeError);
    await expect(mailbox.deliver({ to: 'not an address', subject: 's', text: 't' })).rejects.toThrow(/recipient/);
    expect(await mailbox.list()).toEqual([]);
  });

  it('lists newest first, by recipient ignoring case, up to a limit (50 by default)', async () => {
    const first = await mailbox.deliver({ to: 'Alice@Example.com', subject: 'one', text: '1' });
    const second = await mailbox.deliver({ to: 'bob@example.com', subject: 'two', text: '2' });
    const third = await mailbox.deliver({ to: 'Alice <alice@example.com>', subject: 'three', text: '3' });
    const fourth = await mailbox.deliver({ to: 'carol@example.com, ALICE@example.com', subject: 'four', text: '4' });

    expect((await mailbox.list()).map((m) => m.subject)).toEqual(['four', 'three', 'two', 'one']);
    expect((await mailbox.list({ to: 'alice@EXAMPLE.com' })).map((m) => m.id)).toEqual([fourth.id, third.id, first.id]);
    expect((await mailbox.list({ to: ' BOB@example.com ' })).map((m) => m.id)).toEqual([second.id]);
    expect(await mailbox.list({ to: 'dave@example.com' })).toEqual([]);
    expect((await mailbox.list({ to: 'alice@example.com', limit: 2 })).map((m) => m.id)).toEqual([fourth.id, third.id]);
    expect((await mailbox.list({ limit: 1 })).map((m) => m.id)).toEqual([fourth.id]);
    expect(await mailbox.list({ limit: 0 })).toEqual([]);
    await expect(mailbox.list({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(mailbox.list({ limit: 1.5 })).rejects.toThrow(RangeError);

    for (let i = 0; i < 51; i += 1) await mailbox.deliver({ to: 'many@example.com', subject: `bulk ${i}`, text: '.' });
    const page = await mailbox.list();
    expect(page).toHaveLength(50);
    expect(page[0]?.subject).toBe('bulk 50');
    const ids = page.map((m) => m.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  it('returns copies: changing a returned mail changes nothing stored', async () => {
    const sent = await mailbox.deliver({ to: 'alice@example.com', subject: 'original', text: 't' });
    sent.subject = 'changed';
    sent.sentAt.setTime(0);
    const listed = await mailbox.list();
    (listed[0] as { subject: string }).subject = 'changed too';
    const raw = (await mailbox.raw(sent.id)) as Buffer;
    raw.fill(0);
    const stored = await mailbox.get(sent.id);
    expect(stored?.subject).toBe('original');
    expect(stored?.sentAt.getTime()).not.toBe(0);
    expect((await mailbox.raw(sent.id))?.toString()).toContain('Subject: original');
  });

  it('answers unknown and hostile ids with undefined', async () => {
    const sent = await mailbox.deliver({ to: 'alice@example.com', subject: 's', text: 't' });
    const unknown = `${sent.id.slice(0, -1)}${sent.id.endsWith('0') ? '1' : '0'}`;
    for (const id of [unknown, ...HOSTILE_IDS]) {
      expect(await mailbox.get(id)).toBeUndefined();
      expect(await mailbox.raw(id)).toBeUndefined();
    }
  });
});

describe('DirectoryDevMailbox on disk', () => {
  it('creates its directory and writes <id>.eml and <id>.json readable by the owner only', async () => {
    const directory = path.join(await temporaryDir(), 'a', 'b');
    const mailbox = new DirectoryDevMailbox(directory);
    expect(await mailbox.list()).toEqual([]);
    const sent = await mailbox.deliver({ to: 'alice@example.com', subject: 'Reset your password', text: 'token' });
    expect((await readdir(directory)).sort()).toEqual([`${sent.id}.eml`, `${sent.id}.json`]);
    for (const file of [`${sent.id}.eml`, `${sent.id}.json`]) {
      expect((await stat(path.join(directory, file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(directory)).mode & 0o077).toBe(0);
  });

  it('shares the directory: another mailbox lists what the first wrote, and vice versa', async () => {
    const directory = await temporaryDir();
    const one = new DirectoryDevMailbox(directory);
    const other = new DirectoryDevMailbox(directory);
    const a = await one.deliver({ to: 'alice@example.com', subject: 'from one', text: '1' });
    const b = await other.deliver({ to: 'alice@example.com', subject: 'from other', text: '2', html: '<b>2</b>' });
    expect(await other.list()).toEqual([b, a]);
    expect(await one.list()).toEqual([b, a]);
    expect(await other.get(a.id)).toEqual(a);
    expect((await one.raw(b.id))?.toString()).toContain('Subject: from other');
  });

  it('ignores files that are not complete mailbox entries', async () => {
    const directory = await temporaryDir();
    const mailbox = new DirectoryDevMailbox(directory);
    const sent = await mailbox.deliver({ to: 'alice@example.com', subject: 's', text: 't' });
    const forged = '9999999999999-000000-0000000000000000';
    const other = '9999999999999-000001-0000000000000000';
    await writeFile(path.join(directory, 'notes.json'), '{}');
    await writeFile(path.join(directory, `.${forged}.json.abc.tmp`), '{');
    await writeFile(path.join(directory, `${forged}.json`), 'not json');
    await writeFile(path.join(directory, `${other}.json`), JSON.stringify({ ...sent, id: sent.id }));
    expect(await mailbox.list()).toEqual([sent]);
    expect(await mailbox.get(forged)).toBeUndefined();
    expect(await mailbox.get(other)).toBeUndefined();
  });
});

describe('devMailboxFor', () => {
  it('uses DEV_MAILBOX_DIR when set', () => {
    const mailbox = devMailboxFor({ DEV_MAILBOX_DIR: '/tmp/somewhere', AURA_DATA_DIR: 'memory://' });
    expect(mailbox).toBeInstanceOf(DirectoryDevMailbox);
    expect((mailbox as DirectoryDevMailbox).directory).toBe('/tmp/somewhere');
  });

  it('keeps mail in memory when the data directory is memory://', () => {
    expect(devMailboxFor({ AURA_DATA_DIR: 'memory://' })).toBeInstanceOf(InMemoryDevMailbox);
    expect(devMailboxFor({ DEV_MAILBOX_DIR: undefined, AURA_DATA_DIR: 'memory://' })).toBeInstanceOf(InMemoryDevMailbox);
  });

  it('otherwise writes to mail/ inside the data directory', () => {
    const mailbox = devMailboxFor({ AURA_DATA_DIR: './.aura' });
    expect(mailbox).toBeInstanceOf(DirectoryDevMailbox);
    expect((mailbox as DirectoryDevMailbox).directory).toBe(path.join('.aura', 'mail'));
  });
});
