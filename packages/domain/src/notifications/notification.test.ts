import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoryArbitrary,
  channelArbitrary,
  clinicalTextArbitrary,
  discreetTextArbitrary,
  forbiddenTextArbitrary,
  instant2020sArbitrary,
  invalidRecipientArbitrary,
  type NotificationCommand,
  newNotificationArbitrary,
  notificationCommandsArbitrary,
  overlongMessageArbitrary,
  recipientArbitrary,
} from '../testing/index.js';
import { DEFAULT_CLINICAL_TERMS, DEFAULT_CONTENT_POLICY } from './content-policy.js';
import type { NotificationStatus } from './kinds.js';
import { notificationsErrors } from './notification.errors.js';
import type { NotificationEvent, NotificationFacts } from './notification.events.js';
import { checkDeduplicationKey, type NewNotification, Notification, type NotificationState, SCRUBBED } from './notification.js';

const policy = DEFAULT_CONTENT_POLICY;
const at = new Date('2030-01-01T12:00:00.000Z');
const later = (ms: number) => new Date(at.getTime() + ms);

const request = (input: NewNotification, when = at) => Notification.request(input, policy, when)._unsafeUnwrap();

const EMAIL: NewNotification = {
  id: 'n-1',
  userId: 'u-1',
  channel: 'email',
  recipient: ' Ana@Example.com ',
  subject: 'Your verification code',
  message: 'Your code is 483920.',
  html: '<p>Your code is <b>483920</b>.</p>',
  category: 'security',
  priority: 'normal',
};

const facts = (state: NotificationState): NotificationFacts => ({
  notificationId: state.id,
  userId: state.userId,
  channel: state.channel,
  category: state.category,
  priority: state.priority,
  templateKey: state.templateKey,
});

/** No event carries the content or the address (they travel through the outbox and other modules). */
function expectNoContent(events: readonly NotificationEvent[], state: NotificationState): void {
  for (const event of events) {
    for (const key of ['message', 'html', 'subject', 'recipient']) expect(Object.keys(event.data)).not.toContain(key);
    expect(Object.values(event.data)).not.toContain(state.recipient);
  }
}

/** The moves the status machine allows (markDelivered on a pending notification goes through sent). */
const ALLOWED: ReadonlySet<string> = new Set([
  'pending>sent',
  'sent>delivered',
  'pending>delivered',
  'pending>failed',
  'sent>failed',
  'pending>cancelled',
]);

const scrub = (state: NotificationState): NotificationState =>
  state.category === 'security' ? { ...state, message: SCRUBBED, html: null } : state;

/**
 * Applies `command` to `notification` and to an independent model of its state, then checks that they
 * agree and that exactly the expected events were recorded.
 */
function step(notification: Notification, model: NotificationState, command: NotificationCommand, now: Date): NotificationState {
  const pending = model.status === 'pending';
  let expected = model;
  const events: NotificationEvent[] = [];
  let refusal: ReturnType<typeof notificationsErrors.invalidTransition> | undefined;
  const sent = (state: NotificationState, providerMessageId: string | null): NotificationState => {
    const next: NotificationState = { ...scrub(state), status: 'sent', sentAt: now, providerMessageId, claimedUntil: null };
    events.push({
      type: 'notification.sent',
      version: 1,
      aggregateId: model.id,
      occurredAt: now,
      data: { ...facts(model), sentAt: now.toISOString(), attempts: model.attempts },
    });
    return next;
  };

  let result: ReturnType<Notification['cancel']>;
  switch (command.kind) {
    case 'startAttempt': {
      const claimedUntil = new Date(now.getTime() + command.leaseMs);
      result = notification.startAttempt(now, claimedUntil);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'sent');
      else if (model.claimedUntil !== null && model.claimedUntil.getTime() > now.getTime())
        refusal = notificationsErrors.invalidTransition('pending', 'claimed twice');
      else expected = { ...model, attempts: model.attempts + 1, claimedUntil };
      break;
    }
    case 'attemptFailed':
      result = notification.attemptFailed(command.error);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'retried');
      else expected = { ...model, lastError: command.error, claimedUntil: null };
      break;
    case 'attemptAbandoned':
      result = notification.attemptAbandoned();
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'released');
      else expected = { ...model, attempts: Math.max(0, model.attempts - 1), claimedUntil: null };
      break;
    case 'holdUntil': {
      const until = new Date(now.getTime() + command.forMs);
      result = notification.holdUntil(until);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'held');
      else expected = { ...model, sendAt: until, heldUntil: until, claimedUntil: null };
      break;
    }
    case 'releaseHold': {
      const released = notification.releaseHold(now);
      result = released.map(() => undefined);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'released from quiet hours');
      else {
        expect(released._unsafeUnwrap()).toBe(model.heldUntil !== null);
        if (model.heldUntil !== null) expected = { ...model, sendAt: now, heldUntil: null };
      }
      break;
    }
    case 'markSent':
      result = notification.markSent(now, command.providerMessageId);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'marked sent');
      else expected = sent(model, command.providerMessageId);
      break;
    case 'markDelivered': {
      result = notification.markDelivered(now);
      const before = pending ? sent(model, model.providerMessageId) : model;
      if (before.status !== 'sent') refusal = notificationsErrors.invalidTransition(model.status, 'marked delivered');
      else {
        expected = { ...before, status: 'delivered', deliveredAt: now };
        events.push({
          type: 'notification.delivered',
          version: 1,
          aggregateId: model.id,
          occurredAt: now,
          data: { ...facts(model), deliveredAt: now.toISOString() },
        });
      }
      break;
    }
    case 'markFailed':
      result = notification.markFailed(command.error, now);
      if (!pending && model.status !== 'sent') refusal = notificationsErrors.invalidTransition(model.status, 'marked failed');
      else {
        expected = { ...scrub(model), status: 'failed', failedAt: now, lastError: command.error, claimedUntil: null };
        events.push({
          type: 'notification.failed',
          version: 1,
          aggregateId: model.id,
          occurredAt: now,
          data: {
            ...facts(model),
            failedAt: now.toISOString(),
            attempts: model.attempts,
            reason: command.error,
            bounced: model.status === 'sent',
          },
        });
      }
      break;
    case 'cancel':
      result = notification.cancel(command.reason, now);
      if (!pending) refusal = notificationsErrors.invalidTransition(model.status, 'cancelled');
      else {
        expected = { ...scrub(model), status: 'cancelled', cancelledAt: now, lastError: command.reason, claimedUntil: null };
        events.push({
          type: 'notification.cancelled',
          version: 1,
          aggregateId: model.id,
          occurredAt: now,
          data: { ...facts(model), cancelledAt: now.toISOString(), reason: command.reason },
        });
      }
      break;
  }

  if (refusal !== undefined) {
    expect(result._unsafeUnwrapErr()).toEqual(refusal);
    expect(refusal.type).toBe('notifications.invalid_transition');
    expect(notification.state).toEqual(model); // unchanged
    expect(notification.pullEvents()).toEqual([]);
    return model;
  }
  expect(result.isOk()).toBe(true);
  expect(notification.state).toEqual(expected);
  const recorded = notification.pullEvents();
  expect(recorded).toEqual(events);
  expectNoContent(recorded, model);
  return expected;
}

/** What holds in every state, whatever the history. */
function expectInvariants(
  notification: Notification,
  previous: NotificationState,
  input: NewNotification,
  kind: NotificationCommand['kind'],
): void {
  const { state } = notification;
  const from: NotificationStatus = previous.status;
  if (state.status !== from) expect(ALLOWED).toContain(`${from}>${state.status}`);
  expect(notification.status).toBe(state.status);
  expect(notification.isPending).toBe(state.status === 'pending');
  // Only startAttempt counts an attempt, only attemptAbandoned takes one back, one at a time.
  const counted = state.attempts - previous.attempts;
  expect(counted === 0 || (counted === 1 && kind === 'startAttempt') || (counted === -1 && kind === 'attemptAbandoned')).toBe(
    true,
  );
  expect(state.attempts).toBeGreaterThanOrEqual(0);
  // Content: a security message is scrubbed once it leaves pending; everything else keeps it.
  expect(state.subject).toBe(input.subject);
  if (state.category === 'security' && state.status !== 'pending') {
    expect(state.message).toBe(SCRUBBED);
    expect(state.html).toBeNull();
  } else {
    expect(state.message).toBe(input.message);
    expect(state.html).toBe(input.channel === 'email' ? (input.html ?? null) : null);
  }
  // Timestamps follow the status.
  if (state.status === 'sent' || state.status === 'delivered') expect(state.sentAt).not.toBeNull();
  if (state.status === 'pending' || state.status === 'cancelled') expect(state.sentAt).toBeNull();
  expect(state.deliveredAt !== null).toBe(state.status === 'delivered');
  expect(state.failedAt !== null).toBe(state.status === 'failed');
  expect(state.cancelledAt !== null).toBe(state.status === 'cancelled');
  if (state.status !== 'pending') expect(state.claimedUntil).toBeNull();
  expect(state.version).toBe(0);
}

const inputAndCommands = fc.tuple(newNotificationArbitrary(), instant2020sArbitrary, notificationCommandsArbitrary);

describe('Notification status machine', () => {
  it('follows the model through any commands: allowed moves only, refusals change nothing, events match', () => {
    fc.assert(
      fc.property(inputAndCommands, ([input, start, commands]) => {
        const notification = request(input, start);
        notification.pullEvents();
        let model = notification.state;
        let now = start.getTime();
        for (const command of commands) {
          now += command.afterMs;
          const previous = model;
          model = step(notification, model, command, new Date(now));
          expectInvariants(notification, previous, input, command.kind);
        }
      }),
    );
  });

  it('records queued first, then one event per status change, ending in at most one final event', () => {
    fc.assert(
      fc.property(inputAndCommands, ([input, start, commands]) => {
        const notification = request(input, start);
        const statuses: NotificationStatus[] = ['pending'];
        let now = start.getTime();
        for (const command of commands) {
          now += command.afterMs;
          const when = new Date(now);
          switch (command.kind) {
            case 'startAttempt':
              notification.startAttempt(when, new Date(now + command.leaseMs));
              break;
            case 'attemptFailed':
              notification.attemptFailed(command.error);
              break;
            case 'attemptAbandoned':
              notification.attemptAbandoned();
              break;
            case 'holdUntil':
              notification.holdUntil(new Date(now + command.forMs));
              break;
            case 'releaseHold':
              notification.releaseHold(when);
              break;
            case 'markSent':
              notification.markSent(when, command.providerMessageId);
              break;
            case 'markDelivered':
              if (notification.status === 'pending') statuses.push('sent');
              notification.markDelivered(when);
              break;
            case 'markFailed':
              notification.markFailed(command.error, when);
              break;
            case 'cancel':
              notification.cancel(command.reason, when);
              break;
          }
          if (notification.status !== statuses[statuses.length - 1]) statuses.push(notification.status);
        }
        const types = notification.pullEvents().map((event) => event.type);
        expect(types).toEqual(['notification.queued', ...statuses.slice(1).map((status) => `notification.${status}`)]);
        expect(types.filter((type) => type === 'notification.sent').length).toBeLessThanOrEqual(1);
        const finals = types.filter((type) => type !== 'notification.queued' && type !== 'notification.sent');
        expect(finals.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('walks the documented transitions', () => {
    const email = request({ ...EMAIL, category: 'reminder' });
    expect(email.startAttempt(later(1), later(60_000)).isOk()).toBe(true);
    expect(email.startAttempt(later(2), later(60_000))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('pending', 'claimed twice'),
    );
    expect(email.attemptFailed('smtp 451').isOk()).toBe(true);
    expect(email.state).toMatchObject({ attempts: 1, lastError: 'smtp 451', claimedUntil: null });
    expect(email.startAttempt(later(3), later(60_000)).isOk()).toBe(true);
    expect(email.markSent(later(4), 'msg-1').isOk()).toBe(true);
    expect(email.state).toMatchObject({
      status: 'sent',
      sentAt: later(4),
      providerMessageId: 'msg-1',
      attempts: 2,
      claimedUntil: null,
    });
    expect(email.markSent(later(5), 'msg-2')._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('sent', 'marked sent'),
    );
    expect(email.cancel('late', later(5))._unsafeUnwrapErr()).toEqual(notificationsErrors.invalidTransition('sent', 'cancelled'));
    expect(email.startAttempt(later(5), later(6))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('sent', 'sent'),
    );
    expect(email.attemptFailed('x')._unsafeUnwrapErr()).toEqual(notificationsErrors.invalidTransition('sent', 'retried'));
    expect(email.holdUntil(later(6))._unsafeUnwrapErr()).toEqual(notificationsErrors.invalidTransition('sent', 'held'));
    expect(email.markDelivered(later(6)).isOk()).toBe(true);
    expect(email.state).toMatchObject({ status: 'delivered', deliveredAt: later(6), message: EMAIL.message, html: EMAIL.html });
    expect(email.markFailed('bounce', later(7))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('delivered', 'marked failed'),
    );
    expect(email.markDelivered(later(7))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('delivered', 'marked delivered'),
    );
    expect(email.pullEvents().map((event) => event.type)).toEqual([
      'notification.queued',
      'notification.sent',
      'notification.delivered',
    ]);
  });

  it('marks a bounce after sending as failed, keeping the error', () => {
    const email = request(EMAIL);
    email.startAttempt(later(1), later(1000));
    email.markSent(later(2), 'msg-1');
    expect(email.markFailed('550 mailbox unavailable', later(3)).isOk()).toBe(true);
    expect(email.state).toMatchObject({
      status: 'failed',
      lastError: '550 mailbox unavailable',
      failedAt: later(3),
      sentAt: later(2),
    });
    const failed = email.pullEvents().at(-1);
    expect(failed).toEqual({
      type: 'notification.failed',
      version: 1,
      aggregateId: 'n-1',
      occurredAt: later(3),
      data: {
        notificationId: 'n-1',
        userId: 'u-1',
        channel: 'email',
        category: 'security',
        priority: 'normal',
        templateKey: null,
        failedAt: later(3).toISOString(),
        attempts: 1,
        reason: '550 mailbox unavailable',
        bounced: true,
      },
    });
    expect(email.markFailed('again', later(4))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('failed', 'marked failed'),
    );
    expect(email.state.lastError).toBe('550 mailbox unavailable');
  });

  it('marks a receipt that overtakes our own "sent" as sent, then delivered', () => {
    const sms = request({
      ...EMAIL,
      channel: 'sms',
      recipient: '+4915112345678',
      subject: null,
      html: null,
      category: 'reminder',
    });
    sms.pullEvents();
    expect(sms.markDelivered(later(5)).isOk()).toBe(true);
    expect(sms.state).toMatchObject({ status: 'delivered', sentAt: later(5), deliveredAt: later(5), providerMessageId: null });
    expect(sms.pullEvents().map((event) => event.type)).toEqual(['notification.sent', 'notification.delivered']);
  });

  it('cancels a pending notification only, keeping the reason', () => {
    const email = request(EMAIL);
    email.pullEvents();
    expect(email.cancel('recipient deactivated', later(1)).isOk()).toBe(true);
    expect(email.state).toMatchObject({
      status: 'cancelled',
      cancelledAt: later(1),
      lastError: 'recipient deactivated',
      message: SCRUBBED,
    });
    expect(email.pullEvents()).toEqual([
      {
        type: 'notification.cancelled',
        version: 1,
        aggregateId: 'n-1',
        occurredAt: later(1),
        data: {
          notificationId: 'n-1',
          userId: 'u-1',
          channel: 'email',
          category: 'security',
          priority: 'normal',
          templateKey: null,
          cancelledAt: later(1).toISOString(),
          reason: 'recipient deactivated',
        },
      },
    ]);
    expect(email.cancel('again', later(2))._unsafeUnwrapErr()).toEqual(
      notificationsErrors.invalidTransition('cancelled', 'cancelled'),
    );
    expect(email.markSent(later(2), null)._unsafeUnwrapErr().type).toBe('notifications.invalid_transition');
  });

  it('scrubs a security message once it leaves pending, and keeps other categories’ content', () => {
    fc.assert(
      fc.property(
        newNotificationArbitrary({ channel: fc.constant('email'), category: fc.constant('security') }),
        newNotificationArbitrary({
          channel: fc.constant('email'),
          category: fc.constantFrom('transactional', 'reminder', 'announcement'),
        }),
        fc.constantFrom('markSent', 'markDelivered', 'markFailed', 'cancel'),
        (security, other, how) => {
          for (const input of [security, other]) {
            const notification = request(input);
            if (how === 'markSent') notification.markSent(later(1), 'id');
            else if (how === 'markDelivered') notification.markDelivered(later(1));
            else if (how === 'markFailed') notification.markFailed('refused', later(1));
            else notification.cancel('withdrawn', later(1));
            const { state } = notification;
            expect(state.subject).toBe(input.subject);
            if (input.category === 'security') {
              expect(state.message).toBe(SCRUBBED);
              expect(state.html).toBeNull();
            } else {
              expect(state.message).toBe(input.message);
              expect(state.html).toBe(input.html ?? null);
            }
          }
        },
      ),
    );
  });
});

describe('Notification claims and timing', () => {
  it('refuses another startAttempt while claimed, and allows it once the claim lapses or is released', () => {
    fc.assert(
      fc.property(
        newNotificationArbitrary(),
        fc.integer({ min: 1, max: 600_000 }),
        fc.nat({ max: 600_000 }),
        (input, leaseMs, waitMs) => {
          const notification = request(input);
          expect(notification.startAttempt(at, later(leaseMs)).isOk()).toBe(true);
          expect(notification.claimedFor(later(waitMs))).toBe(Math.max(0, leaseMs - waitMs));
          const again = notification.startAttempt(later(waitMs), later(waitMs + leaseMs));
          if (waitMs < leaseMs) {
            expect(again._unsafeUnwrapErr()).toEqual(notificationsErrors.invalidTransition('pending', 'claimed twice'));
            expect(notification.state.attempts).toBe(1);
            expect(notification.attemptFailed('timeout').isOk()).toBe(true);
            expect(notification.claimedFor(later(waitMs))).toBe(0);
            expect(notification.startAttempt(later(waitMs), later(waitMs + leaseMs)).isOk()).toBe(true);
          } else {
            expect(again.isOk()).toBe(true);
          }
          expect(notification.state.attempts).toBe(2);
        },
      ),
    );
  });

  it('takes back an abandoned attempt and releases its claim, never counting below zero', () => {
    const email = request(EMAIL);
    expect(email.attemptAbandoned().isOk()).toBe(true);
    expect(email.state.attempts).toBe(0);
    email.startAttempt(at, later(60_000));
    email.attemptFailed('timeout');
    email.startAttempt(later(1), later(60_000));
    expect(email.attemptAbandoned().isOk()).toBe(true);
    expect(email.state).toMatchObject({ attempts: 1, claimedUntil: null, lastError: 'timeout' });
    expect(email.startAttempt(later(2), later(60_000)).isOk()).toBe(true);
    email.markSent(later(3), null);
    expect(email.attemptAbandoned()._unsafeUnwrapErr()).toEqual(notificationsErrors.invalidTransition('sent', 'released'));
    expect(email.state.attempts).toBe(2);
  });

  it('holds until an instant, releasing any claim', () => {
    const email = request(EMAIL);
    email.startAttempt(at, later(60_000));
    expect(email.holdUntil(later(3_600_000)).isOk()).toBe(true);
    expect(email.state).toMatchObject({ sendAt: later(3_600_000), claimedUntil: null, attempts: 1 });
    expect(email.dueIn(at)).toBe(3_600_000);
    expect(email.dueIn(later(3_000_000))).toBe(600_000);
    expect(email.dueIn(later(4_000_000))).toBe(0);
    expect(email.claimedFor(at)).toBe(0);
  });
});

describe('Notification.request', () => {
  it('accepts valid input, normalises the recipient and records notification.queued', () => {
    fc.assert(
      fc.property(newNotificationArbitrary(), instant2020sArbitrary, (input, now) => {
        const notification = request(input, now);
        const sendAt = input.sendAt && input.sendAt.getTime() > now.getTime() ? input.sendAt : now;
        expect(notification.id).toBe(input.id);
        expect(notification.state).toEqual({
          id: input.id,
          userId: input.userId,
          channel: input.channel,
          recipient:
            input.channel === 'email'
              ? input.recipient.trim().toLowerCase()
              : input.channel === 'sms'
                ? input.recipient.trim().replace(/[\s.()-]/g, '')
                : input.recipient.trim(),
          subject: input.subject,
          message: input.message,
          html: input.channel === 'email' ? (input.html ?? null) : null,
          category: input.category,
          priority: input.priority,
          status: 'pending',
          metadata: input.metadata ?? {},
          templateKey: input.templateKey ?? null,
          locale: input.locale ?? null,
          deduplicationKey: input.deduplicationKey ?? null,
          sendAt,
          attempts: 0,
          lastError: null,
          claimedUntil: null,
          heldUntil: null,
          providerMessageId: null,
          createdAt: now,
          sentAt: null,
          deliveredAt: null,
          failedAt: null,
          cancelledAt: null,
          version: 0,
        });
        expect(notification.dueIn(now)).toBe(sendAt.getTime() - now.getTime());
        expect(notification.pullEvents()).toEqual([
          {
            type: 'notification.queued',
            version: 1,
            aggregateId: input.id,
            occurredAt: now,
            data: { ...facts(notification.state), sendAt: sendAt.toISOString() },
          },
        ]);
        expectNoContent(notification.pendingEvents, notification.state);
      }),
    );
  });

  it('sends a past or missing sendAt now, and keeps a future one', () => {
    expect(request({ ...EMAIL, sendAt: later(-1) }).state.sendAt).toEqual(at);
    expect(request({ ...EMAIL, sendAt: at }).state.sendAt).toEqual(at);
    expect(request({ ...EMAIL, sendAt: null }).state.sendAt).toEqual(at);
    expect(request(EMAIL).state.sendAt).toEqual(at);
    expect(request({ ...EMAIL, sendAt: later(1) }).state.sendAt).toEqual(later(1));
  });

  it('refuses a recipient the channel cannot use, on the recipient field', () => {
    fc.assert(
      fc.property(
        channelArbitrary.chain((channel) =>
          fc.tuple(newNotificationArbitrary({ channel: fc.constant(channel) }), invalidRecipientArbitrary(channel)),
        ),
        ([input, recipient]) => {
          const error = Notification.request({ ...input, recipient }, policy, at)._unsafeUnwrapErr();
          expect(error.type).toBe('notifications.invalid_recipient');
          expect(error.details).toEqual({ field: 'recipient' });
        },
      ),
    );
  });

  it('refuses an email address for an SMS and a phone number for an email', () => {
    // (Push tokens are opaque: an address of 16 printable characters or more would pass as one.)
    fc.assert(
      fc.property(
        newNotificationArbitrary({ channel: fc.constant('sms') }),
        newNotificationArbitrary({ channel: fc.constant('email') }),
        recipientArbitrary('email'),
        recipientArbitrary('sms'),
        (sms, email, address, phone) => {
          expect(Notification.request({ ...sms, recipient: address }, policy, at)._unsafeUnwrapErr().type).toBe(
            'notifications.invalid_recipient',
          );
          expect(Notification.request({ ...email, recipient: phone }, policy, at)._unsafeUnwrapErr().type).toBe(
            'notifications.invalid_recipient',
          );
        },
      ),
    );
  });

  it('refuses messages over 1,000 code points', () => {
    fc.assert(
      fc.property(newNotificationArbitrary(), overlongMessageArbitrary, (input, message) => {
        expect(Notification.request({ ...input, message }, policy, at)._unsafeUnwrapErr()).toMatchObject({
          type: 'notifications.invalid_content',
          details: { field: 'message' },
        });
      }),
      { numRuns: 30 },
    );
    expect(Notification.request({ ...EMAIL, message: '😀'.repeat(1000) }, policy, at).isOk()).toBe(true);
  });

  it('refuses an email without a subject', () => {
    for (const subject of [null, '', '  ']) {
      expect(Notification.request({ ...EMAIL, subject }, policy, at)._unsafeUnwrapErr()).toEqual(
        notificationsErrors.invalidContent('an email needs a subject', 'subject'),
      );
    }
  });

  it('refuses forbidden words as whole words, whatever their case and accents', () => {
    fc.assert(
      fc.property(newNotificationArbitrary(), forbiddenTextArbitrary, (input, { text, term }) => {
        expect(Notification.request({ ...input, message: text }, policy, at)._unsafeUnwrapErr()).toEqual(
          notificationsErrors.forbiddenContent(term, 'message'),
        );
      }),
    );
    expect(Notification.request({ ...EMAIL, message: 'This is SPAM!' }, policy, at)._unsafeUnwrapErr().type).toBe(
      'notifications.forbidden_content',
    );
    expect(Notification.request({ ...EMAIL, message: 'Spám' }, policy, at)._unsafeUnwrapErr().type).toBe(
      'notifications.forbidden_content',
    );
    expect(Notification.request({ ...EMAIL, message: 'Our antispam filter' }, policy, at).isOk()).toBe(true);
  });

  it('refuses clinical terms on SMS and push, and allows the same text by email', () => {
    fc.assert(
      fc.property(
        newNotificationArbitrary({ channel: fc.constantFrom('sms', 'push') }),
        newNotificationArbitrary({ channel: fc.constant('email') }),
        clinicalTextArbitrary,
        (discreet, email, { text, term }) => {
          expect(Notification.request({ ...discreet, message: text }, policy, at)._unsafeUnwrapErr()).toEqual(
            notificationsErrors.notDiscreet(term, 'message'),
          );
          expect(Notification.request({ ...email, message: text }, policy, at).isOk()).toBe(true);
        },
      ),
    );
    for (const term of DEFAULT_CLINICAL_TERMS) {
      const sms = {
        ...EMAIL,
        channel: 'sms' as const,
        recipient: '+4915112345678',
        subject: null,
        message: `About your ${term}.`,
      };
      expect(Notification.request(sms, policy, at)._unsafeUnwrapErr()).toEqual(notificationsErrors.notDiscreet(term, 'message'));
      expect(Notification.request({ ...EMAIL, message: `About your ${term}.` }, policy, at).isOk()).toBe(true);
    }
  });

  it('keeps HTML for email only', () => {
    fc.assert(
      fc.property(
        newNotificationArbitrary({ channel: fc.constantFrom('sms', 'push') }),
        discreetTextArbitrary,
        (input, message) => {
          expect(request({ ...input, message, html: '<p>hi</p>' }).state.html).toBeNull();
        },
      ),
    );
    const { html: _, ...withoutHtml } = EMAIL;
    expect(request(withoutHtml).state.html).toBeNull();
  });
});

describe('Notification.restore', () => {
  it('rebuilds the same state and records nothing', () => {
    fc.assert(
      fc.property(newNotificationArbitrary(), categoryArbitrary, fc.nat({ max: 50 }), (input, category, version) => {
        const original = request({ ...input, category });
        original.markSent(later(1), 'msg');
        const stored = { ...original.state, version };
        const restored = Notification.restore(stored);
        expect(restored.id).toBe(stored.id);
        expect(restored.state).toEqual(stored);
        expect(restored.pendingEvents).toEqual([]);
        expect(restored.markDelivered(later(2)).isOk()).toBe(true);
        expect(restored.state.version).toBe(version);
      }),
    );
  });
});

describe('Notification.request: text that cannot be stored', () => {
  const input = (overrides: Partial<NewNotification>): NewNotification => ({
    id: '0190d3b4-7f3a-7000-8000-000000000001',
    userId: null,
    channel: 'email',
    recipient: 'ana@example.org',
    subject: 'Hello',
    message: 'A message.',
    category: 'transactional',
    priority: 'normal',
    ...overrides,
  });
  const at = new Date('2026-11-21T10:00:00Z');

  it.each([
    ['message', { message: 'before\u0000after' }],
    ['message', { message: 'half a pair \uD83D here' }],
    ['subject', { subject: 'Hello \uDE00' }],
  ] as const)('refuses a NUL or a lone surrogate in the %s', (field, overrides) => {
    const result = Notification.request(input(overrides), DEFAULT_CONTENT_POLICY, at);
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.invalid_content', details: { field } });
  });

  it('takes de-duplication keys of 1 to 255 characters of text, nothing else', () => {
    expect(Notification.request(input({ deduplicationKey: 'k'.repeat(255) }), DEFAULT_CONTENT_POLICY, at).isOk()).toBe(true);
    for (const deduplicationKey of ['', 'k'.repeat(256), 'key\u0000']) {
      const result = Notification.request(input({ deduplicationKey }), DEFAULT_CONTENT_POLICY, at);
      expect(result._unsafeUnwrapErr()).toMatchObject({
        type: 'notifications.invalid_content',
        details: { field: 'deduplicationKey' },
      });
    }
  });
});

describe('checkDeduplicationKey and metadata', () => {
  it('checks a key on its own (what a lookup by key does first)', () => {
    expect(checkDeduplicationKey('order-1:reminder').isOk()).toBe(true);
    expect(checkDeduplicationKey('').isErr()).toBe(true);
  });

  it('refuses metadata names or values that are not storable text', () => {
    const base = {
      id: '0190d3b4-7f3a-7000-8000-000000000002',
      userId: null,
      channel: 'email' as const,
      recipient: 'ana@example.org',
      subject: 'Hi',
      message: 'A message.',
      category: 'transactional' as const,
      priority: 'normal' as const,
    };
    const at = new Date('2026-11-21T10:00:00Z');
    for (const metadata of [{ 'a\u0000': 'x' }, { note: 'a\u0000b' }]) {
      expect(Notification.request({ ...base, metadata }, DEFAULT_CONTENT_POLICY, at)._unsafeUnwrapErr()).toMatchObject({
        type: 'notifications.invalid_content',
        details: { field: 'metadata' },
      });
    }
    expect(Notification.request({ ...base, metadata: { n: 1, ok: true, none: null } }, DEFAULT_CONTENT_POLICY, at).isOk()).toBe(
      true,
    );
  });
});
