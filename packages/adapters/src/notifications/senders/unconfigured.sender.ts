import {
  type ChannelSender,
  type OutgoingMessage,
  ProviderRejectedError,
  type SendReceipt,
} from '@aura/application/notifications';
import type { Channel } from '@aura/domain/notifications';

/**
 * The sender of a channel that has no provider configured. The use cases refuse such sends
 * before anything is queued; this is the safety net for a message that slips through (one
 * queued before the provider was removed): it fails at once instead of being retried.
 */
export class UnconfiguredSender implements ChannelSender {
  readonly provider = 'unconfigured';

  constructor(readonly channel: Channel) {}

  async send(_message: OutgoingMessage): Promise<SendReceipt> {
    throw new ProviderRejectedError(`no ${this.channel} provider is configured`);
  }

  unavailableFor(): number {
    return 0;
  }
}
