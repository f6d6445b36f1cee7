import { type DomainError, domainError } from '../platform/domain-error.js';
import type { NotificationStatus } from './kinds.js';

export type InvalidRecipient = DomainError<'notifications.invalid_recipient'>;
export type InvalidContent = DomainError<'notifications.invalid_content'>;
export type ForbiddenContent = DomainError<'notifications.forbidden_content'>;
export type NotDiscreet = DomainError<'notifications.not_discreet'>;
export type InvalidQuietHours = DomainError<'notifications.invalid_quiet_hours'>;
export type InvalidTransition = DomainError<'notifications.invalid_transition'>;

/** Why a notification cannot be created. `details.field` names the field (HTTP renders it as a pointer). */
export type NotificationRejected = InvalidRecipient | InvalidContent | ForbiddenContent | NotDiscreet;

export const notificationsErrors = {
  invalidRecipient: (message: string, field = 'recipient'): InvalidRecipient =>
    domainError('notifications.invalid_recipient', message, { field }),
  invalidContent: (message: string, field: string): InvalidContent =>
    domainError('notifications.invalid_content', message, { field }),
  forbiddenContent: (word: string, field: string): ForbiddenContent =>
    domainError('notifications.forbidden_content', `the ${field} contains forbidden content ("${word}")`, { field, word }),
  notDiscreet: (term: string, field: string): NotDiscreet =>
    domainError(
      'notifications.not_discreet',
      `SMS and push texts must not carry clinical details; the ${field} mentions "${term}" (say "your appointment", link to the app for the rest)`,
      { field, term },
    ),
  invalidQuietHours: (message: string, field = 'quietHours'): InvalidQuietHours =>
    domainError('notifications.invalid_quiet_hours', message, { field }),
  invalidTransition: (from: NotificationStatus, action: string): InvalidTransition =>
    domainError('notifications.invalid_transition', `a ${from} notification cannot be ${action}`, { from, action }),
};
