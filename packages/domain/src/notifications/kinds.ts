/** How a notification travels. */
export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a notification is about. `security` (verification codes, password resets) always goes
 * out; the others respect the recipient's opt-outs and quiet hours.
 */
export const CATEGORIES = ['security', 'transactional', 'reminder', 'announcement'] as const;
export type Category = (typeof CATEGORIES)[number];

/** `critical` goes out whatever the recipient's opt-outs and quiet hours. */
export const PRIORITIES = ['normal', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 *   pending ──markSent──► sent ──markDelivered──► delivered
 *   pending ──markFailed─► failed ◄──markFailed (a bounce)── sent
 *   pending ──cancel─────► cancelled
 */
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'delivered', 'failed', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Whether a notification goes out whatever the recipient's opt-outs and quiet hours. */
export function bypassesPreferences(category: Category, priority: Priority): boolean {
  return category === 'security' || priority === 'critical';
}
