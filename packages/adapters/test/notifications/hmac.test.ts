import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signPayload, verifySignature } from '../../src/notifications/webhooks/hmac-signature.js';
import { HmacWebhookAuthenticator } from '../../src/notifications/webhooks/hmac-webhook.authenticator.js';

const SECRET = 'whsec_test_0123456789';
const BODY = '{"notificationId":"n-1","status":"delivered"}';
const NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const TOLERANCE_MS = 5 * 60_000;

const hex = (secret: string, t: number, body: string) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('signPayload / verifySignature', () => {
  it('names the header in lower case, as Node reports incoming headers', () => {
    expect(SIGNATURE_HEADER).toBe('x-aura-signature');
  });

  it('signs Stripe-style: t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    expect(signPayload(SECRET, BODY, NOW_S)).toBe(`t=${NOW_S},v1=${hex(SECRET, NOW_S, BODY)}`);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signPayload(SECRET, BODY, 1.5)).toThrow(RangeError);
    expect(() => signPayload(SECRET, BODY, -1)).toThrow(RangeError);
  });

  it('verifies what it signed', () => {
    expect(verifySignature(SECRET, BODY, signPayload(SECRET, BODY, NOW_S), NOW_MS, TOLERANCE_MS)).toBe('ok');
  });

  it('refuses a tampered body and a wrong secret', () => {
    const header = signPayload(SECRET, BODY, NOW_S);
    expect(verifySignature(SECRET, BODY.replace('delivered', 'failed'), header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
    expect(verifySignature('another secret', BODY, header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
  });

  it('refuses a signature whose timestamp was changed (the timestamp is signed)', () => {
    const header = signPayload(SECRET, BODY, NOW_S).replace(`t=${NOW_S}`, `t=${NOW_S + 1}`);
    expect(verifySignature(SECRET, BODY, header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
  });

  it('calls a genuine request older or newer than the tolerance stale, and accepts the edge', () => {
    const tolerance = 300_000;
    const old = signPayload(SECRET, BODY, NOW_S - 301);
    const future = signPayload(SECRET, BODY, NOW_S + 301);
    const edge = signPayload(SECRET, BODY, NOW_S - 300);
    expect(verifySignature(SECRET, BODY, old, NOW_MS, tolerance)).toBe('stale');
    expect(verifySignature(SECRET, BODY, future, NOW_MS, tolerance)).toBe('stale');
    expect(verifySignature(SECRET, BODY, edge, NOW_MS, tolerance)).toBe('ok');
  });

  it('says bad_signature, not stale, for an old request with a wrong signature', () => {
    const header = signPayload('another secret', BODY, NOW_S - 3600);
    expect(verifySignature(SECRET, BODY, header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
  });

  it('says missing_signature for an absent or blank header', () => {
    expect(verifySignature(SECRET, BODY, undefined, NOW_MS, TOLERANCE_MS)).toBe('missing_signature');
    expect(verifySignature(SECRET, BODY, '', NOW_MS, TOLERANCE_MS)).toBe('missing_signature');
    expect(verifySignature(SECRET, BODY, '   ', NOW_MS, TOLERANCE_MS)).toBe('missing_signature');
  });

  it.each([
    ['garbage', 'not a signature'],
    ['no timestamp', `v1=${hex(SECRET, NOW_S, BODY)}`],
    ['no v1', `t=${NOW_S}`],
    ['only another scheme', `t=${NOW_S},v0=${hex(SECRET, NOW_S, BODY)}`],
    ['a non-numeric timestamp', `t=soon,v1=${hex(SECRET, NOW_S, BODY)}`],
    ['a fractional timestamp', `t=${NOW_S}.5,v1=${hex(SECRET, NOW_S, BODY)}`],
    ['two timestamps', `t=${NOW_S},t=${NOW_S},v1=${hex(SECRET, NOW_S, BODY)}`],
    ['a short digest', `t=${NOW_S},v1=${hex(SECRET, NOW_S, BODY).slice(2)}`],
    ['a digest that is not hex', `t=${NOW_S},v1=${'z'.repeat(64)}`],
    ['an empty part', `t=${NOW_S},,v1=${hex(SECRET, NOW_S, BODY)}`],
    ['a part without a key', `t=${NOW_S},=abc,v1=${hex(SECRET, NOW_S, BODY)}`],
  ])('says bad_signature for a malformed header: %s', (_case, header) => {
    expect(verifySignature(SECRET, BODY, header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
  });

  it('tolerates spaces around the parts and other schemes beside v1', () => {
    const header = ` t=${NOW_S} , v0=abc , v1=${hex(SECRET, NOW_S, BODY).toUpperCase()} `;
    expect(verifySignature(SECRET, BODY, header, NOW_MS, TOLERANCE_MS)).toBe('ok');
  });

  it('accepts any of several v1 values (a sender rotating its secret signs with both)', () => {
    const header = `t=${NOW_S},v1=${hex('old secret', NOW_S, BODY)},v1=${hex(SECRET, NOW_S, BODY)}`;
    expect(verifySignature(SECRET, BODY, header, NOW_MS, TOLERANCE_MS)).toBe('ok');
    expect(verifySignature('old secret', BODY, header, NOW_MS, TOLERANCE_MS)).toBe('ok');
    expect(verifySignature('a third secret', BODY, header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
  });

  it('verifies any signed body, and no body with one byte changed', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.string({ minLength: 1 }),
        (bytes, position, flip, secret) => {
          // latin1 maps each byte to one character, so a changed byte is a changed body.
          const body = Buffer.from(bytes).toString('latin1');
          const header = signPayload(secret, body, NOW_S);
          expect(verifySignature(secret, body, header, NOW_MS, TOLERANCE_MS)).toBe('ok');
          const changed = Buffer.from(bytes);
          const index = position % changed.length;
          changed[index] = (changed[index] ?? 0) ^ flip;
          expect(verifySignature(secret, changed.toString('latin1'), header, NOW_MS, TOLERANCE_MS)).toBe('bad_signature');
        },
      ),
    );
  });
});

describe('HmacWebhookAuthenticator', () => {
  const authenticator = new HmacWebhookAuthenticator({
    secrets: { sms: 'sms secret', push: 'push secret', email: undefined },
    toleranceMs: TOLERANCE_MS,
  });
  const now = new Date(NOW_MS);

  it('lists the providers that have a secret', () => {
    expect([...authenticator.providers()].sort()).toEqual(['push', 'sms']);
    expect(new HmacWebhookAuthenticator({ secrets: { sms: '' }, toleranceMs: 0 }).providers()).toEqual([]);
  });

  it('accepts a request signed with the provider’s own secret', () => {
    expect(authenticator.verify('sms', BODY, signPayload('sms secret', BODY, NOW_S), now)).toBeUndefined();
    expect(authenticator.verify('push', BODY, signPayload('push secret', BODY, NOW_S), now)).toBeUndefined();
  });

  it('refuses a request signed with another provider’s secret', () => {
    expect(authenticator.verify('push', BODY, signPayload('sms secret', BODY, NOW_S), now)).toBe('bad_signature');
  });

  it('says why it refuses: missing, bad, stale', () => {
    expect(authenticator.verify('sms', BODY, undefined, now)).toBe('missing_signature');
    expect(authenticator.verify('sms', `${BODY} `, signPayload('sms secret', BODY, NOW_S), now)).toBe('bad_signature');
    expect(authenticator.verify('sms', BODY, signPayload('sms secret', BODY, NOW_S - 3600), now)).toBe('stale');
  });

  it('refuses an unknown provider and one without a secret, whatever the signature', () => {
    expect(authenticator.verify('email', BODY, signPayload('', BODY, NOW_S), now)).toBe('unknown_provider');
    expect(authenticator.verify('fax', BODY, signPayload('sms secret', BODY, NOW_S), now)).toBe('unknown_provider');
    expect(authenticator.verify('constructor', BODY, undefined, now)).toBe('unknown_provider');
    expect(authenticator.verify('__proto__', BODY, undefined, now)).toBe('unknown_provider');
  });

  it('refuses a negative tolerance', () => {
    expect(() => new HmacWebhookAuthenticator({ secrets: {}, toleranceMs: -1 })).toThrow(RangeError);
  });
});
