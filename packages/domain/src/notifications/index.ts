export type { ContentPolicy, ContentRejected, MessageContent } from './content-policy.js';
export {
  checkContent,
  DEFAULT_CLINICAL_TERMS,
  DEFAULT_CONTENT_POLICY,
  DEFAULT_FORBIDDEN_WORDS,
  findTerm,
  MESSAGE_MAX_LENGTH,
  SUBJECT_MAX_LENGTH,
} from './content-policy.js';
export type { Category, Channel, NotificationStatus, Priority } from './kinds.js';
export { bypassesPreferences, CATEGORIES, CHANNELS, NOTIFICATION_STATUSES, PRIORITIES } from './kinds.js';
export type * from './notification.errors.js';
export { notificationsErrors } from './notification.errors.js';
export type * from './notification.events.js';
export type { NewNotification, NotificationContent, NotificationMetadata, NotificationState } from './notification.js';
export { checkDeduplicationKey, DEDUPLICATION_KEY_MAX_LENGTH, Notification, SCRUBBED } from './notification.js';
export type { ChannelChoices, NotificationPreferences, OptionalCategory, PreferencesInput } from './preferences.js';
export { changePreferences, defaultPreferences, OPTIONAL_CATEGORIES, wants } from './preferences.js';
export type { QuietHours } from './quiet-hours.js';
export { isQuietAt, localMinuteOfDay, parseQuietHours, quietHoursEnd } from './quiet-hours.js';
export { parseDeviceToken, parsePhoneNumber, parseRecipient } from './recipient.js';
export { escapeHtml, fillPlaceholders, placeholdersOf } from './template-text.js';
