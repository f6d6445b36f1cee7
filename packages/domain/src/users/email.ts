import { err, ok, type Result } from 'neverthrow';
import { type InvalidEmail, invalidField } from './user.errors.js';

declare const emailBrand: unique symbol;
/** A trimmed, lower-cased, syntactically valid email address (RFC 5321 lengths, dot-atom local part, DNS domain). */
export type Email = string & { readonly [emailBrand]: true };

const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export function parseEmail(value: string, field = 'email'): Result<Email, InvalidEmail> {
  const email = value.trim().toLowerCase();
  const invalid = (why: string) => err(invalidField('users.invalid_email', field, why));
  if (email.length === 0) return invalid('must be an email address');
  if (email.length > 254) return invalid('must be at most 254 characters');
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return invalid('must be an email address like name@example.com');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (local.length > 64) return invalid('the part before @ must be at most 64 characters');
  if (!LOCAL.test(local)) return invalid('the part before @ has characters an address cannot have');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TLD.test(labels[labels.length - 1] as string)) {
    return invalid('the part after @ must be a domain name like example.com');
  }
  return ok(email as Email);
}
