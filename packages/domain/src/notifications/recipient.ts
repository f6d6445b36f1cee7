import { err, ok, type Result } from 'neverthrow';
import { normaliseEmailAddress } from '../platform/email-address.js';
import type { Channel } from './kinds.js';
import { type InvalidRecipient, notificationsErrors } from './notification.errors.js';

/** E.164: a plus, a country code that does not start with 0, 8 to 15 digits in all (the seeds' "+ or 0, ≥ 10 characters", made strict). */
const E164 = /^\+[1-9]\d{7,14}$/;
/** A push device token: what the push provider issued, opaque to us. */
const DEVICE_TOKEN = /^[\x21-\x7e]{16,4096}$/;

/** A phone number in E.164. Spaces, dots, dashes and brackets people type are dropped first. */
export function parsePhoneNumber(value: string, field = 'recipient'): Result<string, InvalidRecipient> {
  const compact = value.trim().replace(/[\s.()-]/g, '');
  return E164.test(compact)
    ? ok(compact)
    : err(
        notificationsErrors.invalidRecipient('must be an international phone number in E.164 form, like +4915112345678', field),
      );
}

export function parseDeviceToken(value: string, field = 'recipient'): Result<string, InvalidRecipient> {
  const token = value.trim();
  return DEVICE_TOKEN.test(token)
    ? ok(token)
    : err(notificationsErrors.invalidRecipient('must be a push device token (16 to 4096 printable ASCII characters)', field));
}

/** The recipient address a channel needs: an email address, an E.164 number or a device token. */
export function parseRecipient(channel: Channel, value: string, field = 'recipient'): Result<string, InvalidRecipient> {
  switch (channel) {
    case 'email':
      return normaliseEmailAddress(value).mapErr((why) => notificationsErrors.invalidRecipient(why, field));
    case 'sms':
      return parsePhoneNumber(value, field);
    case 'push':
      return parseDeviceToken(value, field);
  }
}
