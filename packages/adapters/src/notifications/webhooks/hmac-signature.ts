import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (lower case, as Node's `req.headers` has it). */
export const SIGNATURE_HEADER = 'x-aura-signature';

export type SignatureVerdict = 'ok' | 'missing_signature' | 'bad_signature' | 'stale';

const TIMESTAMP = /^\d{1,12}$/;
const DIGEST = /^[0-9a-f]{64}$/i;

function digest(secret: string, rawBody: string, timestampSeconds: number): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest();
}

/**
 * The signature header for `rawBody` (Stripe's scheme): the timestamp is signed with the body,
 * so a captured request cannot be replayed once it is older than the receiver's tolerance.
 */
export function signPayload(secret: string, rawBody: string, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`the timestamp must be whole seconds since the epoch (got ${timestampSeconds})`);
  }
  return `t=${timestampSeconds},v1=${digest(secret, rawBody, timestampSeconds).toString('hex')}`;
}

/** `t` and every `v1` of a header; undefined when it is malformed. Other schemes (`v0=`) are ignored. */
function parse(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    const key = part.slice(0, equals).trim();
    const value = part.slice(equals + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!DIGEST.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/**
 * Checks a signature header against `rawBody` (the bytes as received, before any JSON parsing).
 * Several `v1=` values are accepted (a sender rotating its secret signs with both); the
 * signature is checked before the age, so `stale` is only said of a genuine request.
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  nowMs: number,
  toleranceMs: number,
): SignatureVerdict {
  if (header === undefined || header.trim() === '') return 'missing_signature';
  const parsed = parse(header);
  if (parsed === undefined) return 'bad_signature';
  const expected = digest(secret, rawBody, parsed.timestamp);
  // Every candidate is compared, in constant time each: the time taken says nothing about which matched.
  let matched = false;
  for (const signature of parsed.signatures) {
    if (timingSafeEqual(signature, expected)) matched = true;
  }
  if (!matched) return 'bad_signature';
  return Math.abs(nowMs - parsed.timestamp * 1000) > toleranceMs ? 'stale' : 'ok';
}
