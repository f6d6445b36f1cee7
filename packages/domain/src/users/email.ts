import type { Result } from 'neverthrow';
import { normaliseEmailAddress } from '../platform/email-address.js';
import { type InvalidEmail, invalidField } from './user.errors.js';

declare const emailBrand: unique symbol;
/** A trimmed, lower-cased, syntactically valid email address (RFC 5321 lengths, dot-atom local part, DNS domain). */
export type Email = string & { readonly [emailBrand]: true };

export function parseEmail(value: string, field = 'email'): Result<Email, InvalidEmail> {
  return normaliseEmailAddress(value)
    .map((email) => email as Email)
    .mapErr((why) => invalidField('users.invalid_email', field, why));
}
