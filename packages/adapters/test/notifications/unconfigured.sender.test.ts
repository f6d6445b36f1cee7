import { isProviderRejected, type OutgoingMessage } from '@aura/application/notifications';
import { describe, expect, it } from 'vitest';
import { UnconfiguredSender } from '../../src/notifications/senders/unconfigured.sender.js';

const message: OutgoingMessage = {
  notificationId: 'n-1',
  channel: 'push',
  to: 'device-token',
  subject: null,
  text: 'hello',
  html: null,
  category: 'reminder',
  priority: 'normal',
  metadata: {},
};

describe('UnconfiguredSender', () => {
  it('refuses every message permanently, naming the channel, and is never "unavailable"', async () => {
    const sender = new UnconfiguredSender('push');
    expect(sender.provider).toBe('unconfigured');
    expect(sender.unavailableFor()).toBe(0);
    const error = await sender.send(message).catch((caught: unknown) => caught);
    expect(isProviderRejected(error)).toBe(true);
    expect((error as Error).message).toBe('no push provider is configured');
  });
});
