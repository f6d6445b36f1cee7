import type { Channel, ContentPolicy } from '@aura/domain/notifications';

/** The notifications module's configuration, as its use cases need it. */
export interface NotificationsSettings {
  readonly contentPolicy: ContentPolicy;
  /** Channels with a provider configured; sends on others are refused. */
  readonly channels: Readonly<Record<Channel, boolean>>;
  /** Attempts to hand a notification to its provider before it is marked failed. */
  readonly maxAttempts: number;
  /** First retry delay (doubled each attempt). */
  readonly retryBackoffMs: number;
  /** How long an attempt holds its notification (longer than the provider timeout). */
  readonly claimMs: number;
  /** How often the sweep re-derives due notifications from the database. */
  readonly sweepIntervalMs: number;
  /** Where links in messages point (the public address of the API or app). */
  readonly publicBaseUrl: string;
}
export const NotificationsSettings = Symbol.for('aura.notifications.NotificationsSettings');
