import type { BulkSendResult, NotificationStatisticsView, NotificationView, SendOutcome } from '@aura/application/notifications';
import {
  CATEGORIES,
  CHANNELS,
  MESSAGE_MAX_LENGTH,
  NOTIFICATION_STATUSES,
  type NotificationPreferences,
  OPTIONAL_CATEGORIES,
  PRIORITIES,
  SUBJECT_MAX_LENGTH,
} from '@aura/domain/notifications';
import { z } from 'zod';
import { clockTime, languageTag, nonBlankText, phoneNumberAsTyped, SPACE_CLASS, text } from '../platform/schemas.js';

/** Text PostgreSQL can store: no NUL, no lone surrogate (a 400, never a 500). */
export const wellFormedText = (min: number, max: number) => text({ min, max });

const channel = z.enum(CHANNELS);
const category = z.enum(CATEGORIES);
const priority = z.enum(PRIORITIES);
const status = z.enum(NOTIFICATION_STATUSES);

export const notificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid().nullable(),
    channel,
    recipient: z.string(),
    subject: z.string().nullable(),
    message: z.string().nullable().meta({ description: 'Null for security messages (they carry one-time codes).' }),
    category,
    priority,
    status,
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    templateKey: z.string().nullable(),
    locale: z.string().nullable(),
    deduplicationKey: z.string().nullable(),
    sendAt: z.iso.datetime(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    failedAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification', description: 'One message to one recipient on one channel.' });

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const toNotificationJson = (n: NotificationView): z.input<typeof notificationSchema> => ({
  ...n,
  sendAt: n.sendAt.toISOString(),
  createdAt: n.createdAt.toISOString(),
  sentAt: iso(n.sentAt),
  deliveredAt: iso(n.deliveredAt),
  failedAt: iso(n.failedAt),
  cancelledAt: iso(n.cancelledAt),
});

export const sendOutcomeSchema = z
  .object({
    outcome: z.enum(['queued', 'opted_out', 'duplicate']).meta({
      description:
        '`queued`: stored, the worker delivers it. `opted_out`: stored as cancelled, the recipient does not want this category on this channel. `duplicate`: the de-duplication key was used before; this is that notification.',
    }),
    notification: notificationSchema,
  })
  .meta({ id: 'SendOutcome' });

export const toSendOutcomeJson = (outcome: SendOutcome): z.input<typeof sendOutcomeSchema> => ({
  outcome: outcome.outcome,
  notification: toNotificationJson(outcome.notification),
});

const metadata = z
  .record(wellFormedText(1, 64), z.union([wellFormedText(0, 500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 20, { error: 'at most 20 metadata entries' })
  .meta({
    description: 'Flat facts about what the message is about (ids); never secrets. At most 20 entries.',
    maxProperties: 20,
    propertyNames: { minLength: 1, maxLength: 64, pattern: '^[^\\u0000]*$' },
  });

/** What to send, shared by the single and the bulk send: a written message, or a template and its variables. */
const contentFields = {
  channel,
  template: wellFormedText(1, 100).optional().meta({ example: 'appointment.reminder' }),
  variables: z
    .record(wellFormedText(1, 64), z.unknown())
    .optional()
    .meta({ propertyNames: { minLength: 1, maxLength: 64, pattern: '^[^\\u0000]*$' } }),
  locale: languageTag().optional().meta({ description: 'Language of a template sent to a bare address.' }),
  subject: wellFormedText(0, SUBJECT_MAX_LENGTH)
    .optional()
    .meta({ description: 'With a written message; an email needs one (not blank).' }),
  message: nonBlankText(MESSAGE_MAX_LENGTH).optional().meta({ description: 'A written message (or send a template).' }),
  category: category.optional().meta({ description: 'Required for a written message; a template has its own.' }),
  priority: priority.optional().meta({
    description: '`critical` goes out whatever the recipient’s opt-outs and quiet hours (as `security` messages do).',
  }),
  metadata: metadata.optional(),
  sendAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'Not before this instant (a scheduled send).' }),
};

type ContentBody = {
  channel: string;
  template?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  subject?: string | undefined;
  message?: string | undefined;
  category?: string | undefined;
};

const blank = new RegExp(`^[${SPACE_CLASS}]*$`);

/** The content rules below, checked in code (for messages that name the field)… */
const oneContent = (body: ContentBody, ctx: z.RefinementCtx) => {
  if (body.template === undefined && body.message === undefined)
    ctx.addIssue({ code: 'custom', path: ['message'], message: 'send a message, or a template with its variables' });
  if (body.template !== undefined && (body.message !== undefined || body.subject !== undefined))
    ctx.addIssue({ code: 'custom', path: ['template'], message: 'send either a template or a subject and message, not both' });
  if (body.template === undefined && body.variables !== undefined)
    ctx.addIssue({ code: 'custom', path: ['variables'], message: 'variables go with a template' });
  if (body.message !== undefined && body.category === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['category'],
      message: 'say what the message is about: security, transactional, reminder or announcement',
    });
  if (body.message !== undefined && body.channel === 'email' && (body.subject === undefined || blank.test(body.subject)))
    ctx.addIssue({ code: 'custom', path: ['subject'], message: 'an email needs a subject' });
};

/** …and stated in JSON Schema, which is what the published contract says. */
const contentRules = [
  {
    oneOf: [
      { required: ['message'], not: { anyOf: [{ required: ['template'] }, { required: ['variables'] }] } },
      { required: ['template'], not: { anyOf: [{ required: ['message'] }, { required: ['subject'] }] } },
    ],
  },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
  { if: { required: ['message'] }, then: { required: ['category'] } },
  {
    if: { required: ['message', 'channel'], properties: { channel: { const: 'email' } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
    then: { required: ['subject'], properties: { subject: { pattern: `[^${SPACE_CLASS}]` } } },
  },
];

export const sendBodySchema = z
  .strictObject({
    userId: z.uuid().optional().meta({ description: 'A user: their address, language, time zone and preferences apply.' }),
    address: wellFormedText(1, 4096).optional().meta({ description: 'A bare address: email, E.164 number or push token.' }),
    ...contentFields,
    deduplicationKey: wellFormedText(1, 255).optional().meta({
      description: 'The same key twice is one notification: the second request gets the first back (`duplicate`).',
    }),
  })
  .superRefine((body, ctx) => {
    if ((body.userId === undefined) === (body.address === undefined))
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'send exactly one of userId and address' });
    oneContent(body, ctx);
  })
  .meta({ allOf: [{ oneOf: [{ required: ['userId'] }, { required: ['address'] }] }, ...contentRules] });

export const bulkBodySchema = z
  .strictObject({
    recipients: z
      .array(z.union([z.strictObject({ userId: z.uuid() }), z.strictObject({ address: wellFormedText(1, 4096) })]))
      .min(1)
      .max(1_000),
    ...contentFields,
    deduplicationKey: wellFormedText(1, 200).optional().meta({
      description: 'Each recipient’s notification gets `<key>:<index>`: the same bulk sent again adds nothing.',
    }),
  })
  .superRefine(oneContent)
  .meta({ allOf: contentRules });

/** The content part of a validated body, as the use case takes it. */
export function contentOf(
  body: ContentBody,
): { template: string; variables: Record<string, unknown> } | { subject: string | null; message: string } {
  return body.template !== undefined
    ? { template: body.template, variables: body.variables ?? {} }
    : { subject: body.subject ?? null, message: body.message as string };
}

export const bulkResultSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int(),
        outcome: z.enum(['queued', 'opted_out', 'duplicate', 'rejected']),
        notificationId: z.uuid().optional(),
        error: z.object({ type: z.string(), message: z.string() }).optional(),
      }),
    ),
    summary: z.object({ queued: z.number(), opted_out: z.number(), duplicate: z.number(), rejected: z.number() }),
  })
  .meta({ id: 'BulkSendResult', description: 'Every recipient’s outcome, in the order sent.' });

export const toBulkJson = (result: BulkSendResult): z.input<typeof bulkResultSchema> => ({
  results: result.results.map((r) => ({ ...r })),
  summary: { ...result.summary },
});

const counts = z.object(
  Object.fromEntries(NOTIFICATION_STATUSES.map((s) => [s, z.number().int()])) as Record<
    (typeof NOTIFICATION_STATUSES)[number],
    z.ZodNumber
  >,
);

export const statisticsSchema = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    days: z.array(z.object({ day: z.string().meta({ example: '2026-11-21' }), channel, counts })),
    totals: counts,
    deliveryRate: z.number().nullable().meta({ description: '(sent + delivered) / (sent + delivered + failed).' }),
    confirmedRate: z
      .number()
      .nullable()
      .meta({ description: 'delivered / (sent + delivered + failed): confirmed by a receipt.' }),
    timeToSentMs: z.object({ median: z.number().nullable(), p95: z.number().nullable() }),
  })
  .meta({ id: 'NotificationStatistics' });

export const toStatisticsJson = (s: NotificationStatisticsView): z.input<typeof statisticsSchema> => ({
  from: s.from.toISOString(),
  to: s.to.toISOString(),
  days: s.days.map((d) => ({ day: d.day, channel: d.channel, counts: { ...d.counts } })),
  totals: { ...s.totals },
  deliveryRate: s.deliveryRate,
  confirmedRate: s.confirmedRate,
  timeToSentMs: { ...s.timeToSentMs },
});

const choices = z.object(
  Object.fromEntries(OPTIONAL_CATEGORIES.map((c) => [c, z.boolean()])) as Record<
    (typeof OPTIONAL_CATEGORIES)[number],
    z.ZodBoolean
  >,
);
const quietHours = z.object({
  start: z.string().meta({ example: '22:00' }),
  end: z.string().meta({ example: '07:00' }),
});
/** A push device token as the provider issued it: 16–4096 printable ASCII characters. */
const pushToken = text({
  min: 16,
  max: 4096,
  pattern: /^[!-~]{16,4096}$/,
  patternMessage: 'must be a push device token: 16 to 4096 printable ASCII characters',
});

export const preferencesSchema = z
  .object({
    channels: z.object({ email: choices, sms: choices, push: choices }).meta({
      description: 'Per channel and category, whether you want it. Security messages always go out and are not listed.',
    }),
    quietHours: quietHours.nullable().meta({
      description: 'In your time zone; non-critical messages due inside are held until they end.',
    }),
    phoneNumber: z.string().nullable().meta({ description: 'E.164; where SMS go.' }),
    pushToken: z.string().nullable().meta({ description: 'Your device’s push token.' }),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'NotificationPreferences' });

export const toPreferencesJson = (p: NotificationPreferences): z.input<typeof preferencesSchema> => ({
  channels: {
    email: { ...p.channels.email },
    sms: { ...p.channels.sms },
    push: { ...p.channels.push },
  },
  quietHours: p.quietHours === null ? null : { ...p.quietHours },
  phoneNumber: p.phoneNumber,
  pushToken: p.pushToken,
  updatedAt: iso(p.updatedAt),
});

const partialChoices = z.strictObject(
  Object.fromEntries(OPTIONAL_CATEGORIES.map((c) => [c, z.boolean().optional()])) as Record<
    (typeof OPTIONAL_CATEGORIES)[number],
    z.ZodOptional<z.ZodBoolean>
  >,
);

export const preferencesBodySchema = z
  .strictObject({
    channels: z
      .strictObject({ email: partialChoices.optional(), sms: partialChoices.optional(), push: partialChoices.optional() })
      .optional(),
    quietHours: z
      .strictObject({ start: clockTime().meta({ example: '22:00' }), end: clockTime().meta({ example: '07:00' }) })
      .nullable()
      .optional()
      .meta({ description: 'Two different times on a 24-hour clock; `null` removes quiet hours.' }),
    phoneNumber: phoneNumberAsTyped().nullable().optional(),
    pushToken: pushToken.nullable().optional(),
  })
  .meta({ description: 'Only what you send changes; `null` clears quiet hours, phone number or push token.' });
