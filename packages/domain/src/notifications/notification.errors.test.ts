import { describe, expect, it } from 'vitest';
import { notificationsErrors } from './notification.errors.js';

describe('notificationsErrors', () => {
  it('builds each error with its stable type and a field pointer', () => {
    expect(notificationsErrors.invalidRecipient('bad')).toEqual({
      type: 'notifications.invalid_recipient',
      message: 'bad',
      details: { field: 'recipient' },
    });
    expect(notificationsErrors.invalidRecipient('bad', 'phoneNumber').details).toEqual({ field: 'phoneNumber' });
    expect(notificationsErrors.invalidContent('too long', 'message')).toEqual({
      type: 'notifications.invalid_content',
      message: 'too long',
      details: { field: 'message' },
    });
    expect(notificationsErrors.forbiddenContent('spam', 'subject')).toEqual({
      type: 'notifications.forbidden_content',
      message: 'the subject contains forbidden content ("spam")',
      details: { field: 'subject', word: 'spam' },
    });
    expect(notificationsErrors.notDiscreet('therapy', 'message')).toEqual({
      type: 'notifications.not_discreet',
      message:
        'SMS and push texts must not carry clinical details; the message mentions "therapy" (say "your appointment", link to the app for the rest)',
      details: { field: 'message', term: 'therapy' },
    });
    expect(notificationsErrors.invalidQuietHours('nope')).toEqual({
      type: 'notifications.invalid_quiet_hours',
      message: 'nope',
      details: { field: 'quietHours' },
    });
    expect(notificationsErrors.invalidTransition('delivered', 'cancelled')).toEqual({
      type: 'notifications.invalid_transition',
      message: 'a delivered notification cannot be cancelled',
      details: { from: 'delivered', action: 'cancelled' },
    });
  });
});
