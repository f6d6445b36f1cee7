import { isProviderRejected, type OutgoingMessage } from '@aura/application/notifications';
import { describe, expect, it } from 'vitest';
import { DevMailboxEmailSender } from '../../src/notifications/senders/dev-mailbox-email.sender.js';
import { DEFAULT_MAIL_FROM, InMemoryDevMailbox } from '../../src/platform/mail/dev-mailbox.js';

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  notificationId: '0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e',
  channel: 'email',
  to: 'patient@example.org',
  subject: 'Your session tomorrow',
  text: 'Your session starts tomorrow at 15:00.',
  html: '<p>Your session starts tomorrow at 15:00.</p>',
  category: 'reminder',
  priority: 'normal',
  metadata: {},
  ...overrides,
});

/** The unfolded header section of a raw message (LF line endings), names lower-cased. */
function headersOf(raw: Buffer): Map<string, string> {
  const text = raw.toString('utf8');
  const section = text.slice(0, text.indexOf('\n\n'));
  const headers = new Map<string, string>();
  for (const line of section.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

describe('DevMailboxEmailSender', () => {
  it('delivers into the mailbox, with the stored mail id as the provider id', async () => {
    const mailbox = new InMemoryDevMailbox();
    const sender = new DevMailboxEmailSender(mailbox, 'Aura Dev <dev@aura.test>');
    expect(sender.provider).toBe('dev-mailbox');
    expect(sender.unavailableFor()).toBe(0);

    const receipt = await sender.send(message());

    const [stored] = await mailbox.list({ to: 'patient@example.org' });
    expect(stored).toBeDefined();
    expect(receipt).toEqual({ providerMessageId: stored?.id });
    expect(stored).toMatchObject({
      to: 'patient@example.org',
      from: 'Aura Dev <dev@aura.test>',
      subject: 'Your session tomorrow',
      text: 'Your session starts tomorrow at 15:00.',
      html: '<p>Your session starts tomorrow at 15:00.</p>',
      messageId: '<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>',
    });
    const headers = headersOf((await mailbox.raw(stored?.id ?? '')) ?? Buffer.alloc(0));
    expect(headers.get('message-id')).toBe('<0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e@aura>');
    expect(headers.get('x-aura-notification-id')).toBe('0192f0a4-7c1e-7d3a-9b2e-4f5a6b7c8d9e');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative/);
  });

  it('uses the default sender, an empty subject when there is none, and text alone without html', async () => {
    const mailbox = new InMemoryDevMailbox();
    await new DevMailboxEmailSender(mailbox).send(message({ subject: null, html: null }));
    const [stored] = await mailbox.list();
    expect(stored).toMatchObject({ from: DEFAULT_MAIL_FROM, subject: '', html: undefined });
  });

  it('refuses, permanently, a message without a usable address', async () => {
    const error = await new DevMailboxEmailSender(new InMemoryDevMailbox())
      .send(message({ to: 'not an address' }))
      .catch((caught: unknown) => caught);
    expect(isProviderRejected(error)).toBe(true);
    expect((error as Error).message).toMatch(/recipient address/);
  });

  it('lets any other mailbox failure through as retryable', async () => {
    const failing = new InMemoryDevMailbox();
    failing.deliver = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    const error = await new DevMailboxEmailSender(failing).send(message()).catch((caught: unknown) => caught);
    expect(isProviderRejected(error)).toBe(false);
    expect((error as Error).message).toMatch(/ENOSPC/);
  });
});
