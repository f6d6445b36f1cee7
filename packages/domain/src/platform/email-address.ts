import { err, ok, type Result } from 'neverthrow';

const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * The one rule for an email address, shared by every module: trimmed and lower-cased, RFC 5321
 * lengths, a dot-atom local part, a DNS domain. `err` carries why, in words for a person.
 */
export function normaliseEmailAddress(value: string): Result<string, string> {
  const email = value.trim().toLowerCase();
  if (email.length === 0) return err('must be an email address');
  if (email.length > 254) return err('must be at most 254 characters');
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return err('must be an email address like name@example.com');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (local.length > 64) return err('the part before @ must be at most 64 characters');
  if (!LOCAL.test(local)) return err('the part before @ has characters an address cannot have');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TLD.test(labels[labels.length - 1] as string)) {
    return err('the part after @ must be a domain name like example.com');
  }
  return ok(email);
}
