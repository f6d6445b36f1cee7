import type { Aura } from '@aura/adapters/platform';
import {
  BulkSend,
  CancelNotification,
  deliveryReceiptSchema,
  GetNotification,
  GetNotificationStatistics,
  GetPreferences,
  ListNotifications,
  RecordDeliveryReceipt,
  SendNotification,
  UpdatePreferences,
} from '@aura/application/notifications';
import { MAX_PAGE_SIZE } from '@aura/application/platform';
import { CATEGORIES, CHANNELS, NOTIFICATION_STATUSES } from '@aura/domain/notifications';
import { z } from 'zod';
import type { HttpApi } from '../platform/http-api.js';
import type { HttpModule } from '../platform/http-module.js';
import {
  bulkBodySchema,
  bulkResultSchema,
  contentOf,
  notificationSchema,
  preferencesBodySchema,
  preferencesSchema,
  sendBodySchema,
  sendOutcomeSchema,
  statisticsSchema,
  toBulkJson,
  toNotificationJson,
  toPreferencesJson,
  toSendOutcomeJson,
  toStatisticsJson,
  wellFormedText,
} from './notifications.schemas.js';

const tags = ['Notifications'];
const idParams = z.object({ id: z.uuid().transform((id) => id.toLowerCase()) });
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const notFound = { 'notifications.notification_not_found': { status: 404, description: 'No such notification.' } } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** How a refused send is answered (both the single and the documented per-recipient errors). */
const sendErrors = {
  'notifications.invalid_recipient': { status: 422, description: 'The address is not valid for the channel.' },
  'notifications.invalid_content': { status: 422, description: 'The message or its metadata cannot be stored or sent.' },
  'notifications.forbidden_content': { status: 422, description: 'The message contains a forbidden word.' },
  'notifications.not_discreet': { status: 422, description: 'An SMS or push text mentions something clinical.' },
  'notifications.unknown_template': { status: 422, description: 'No template has this key.' },
  'notifications.template_channel_unsupported': { status: 422, description: 'The template has no text for this channel.' },
  'notifications.invalid_template_variables': { status: 422, description: 'The template’s variables are missing or invalid.' },
  'notifications.category_required': { status: 422, description: 'The category is not the template’s own.' },
  'notifications.recipient_not_found': { status: 404, description: 'No user has this id.' },
  'notifications.recipient_inactive': { status: 409, description: 'The user’s account is deactivated.' },
  'notifications.no_address': { status: 409, description: 'The user has no phone number or push device for this channel.' },
  'notifications.channel_unavailable': { status: 409, description: 'No provider is configured for this channel.' },
} as const;

function registerNotificationRoutes(api: HttpApi, aura: Aura): void {
  api.route({
    method: 'post',
    path: '/api/notifications',
    operationId: 'sendNotification',
    summary: 'Send a notification',
    description:
      'Admins: a written message or a template, to a user (their address, language, time zone, opt-outs and quiet hours apply) or a bare address. Answers at once; the worker delivers it (retries, circuit breaker). `Idempotency-Key` and `deduplicationKey` make retries safe.',
    tags,
    auth: ['admin'],
    idempotent: true,
    request: { body: sendBodySchema },
    examples: {
      written: {
        summary: 'A written email to a user',
        value: {
          userId: '0190aaaa-bbbb-7ccc-8ddd-000000000001',
          channel: 'email',
          subject: 'Our office moves on Monday',
          message: 'From Monday we are at 12 Harbour Street.',
          category: 'announcement',
        },
      },
      template: {
        summary: 'A template to a bare address, scheduled, once',
        value: {
          address: 'ada@example.com',
          channel: 'email',
          template: 'appointment.reminder',
          variables: {
            displayName: 'Ada',
            startsAt: '2026-12-10T15:00:00Z',
            withName: 'Dr Grace Hopper',
            url: 'https://aura.example.org/appointments',
          },
          locale: 'pt-BR',
          sendAt: '2026-12-09T15:00:00Z',
          deduplicationKey: 'appointment-42:reminder-24h',
        },
      },
      sms: {
        summary: 'A discreet SMS to a phone number',
        value: {
          address: '+4915112345678',
          channel: 'sms',
          message: 'Your code is ready in the app.',
          category: 'transactional',
        },
      },
    },
    success: { status: 202, description: 'Accepted: stored, and delivered by the worker.', schema: sendOutcomeSchema },
    errors: sendErrors,
    handler: async ({ body }) => {
      const send = await aura.get(SendNotification);
      return send
        .execute({
          to: body.userId !== undefined ? { userId: body.userId.toLowerCase() } : { address: body.address as string },
          channel: body.channel,
          content: contentOf(body),
          category: body.category,
          priority: body.priority,
          locale: body.locale,
          metadata: body.metadata,
          deduplicationKey: body.deduplicationKey,
          sendAt: body.sendAt === undefined ? undefined : new Date(body.sendAt),
        })
        .map(toSendOutcomeJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/notifications/bulk',
    operationId: 'bulkSendNotifications',
    summary: 'Send one notification to many recipients',
    description:
      'Admins: up to 1,000 recipients. Each recipient is checked on its own (a bad one is `rejected`, the others go); the answer lists every outcome in order. Send an `Idempotency-Key`: a retry returns the first answer and sends nothing again.',
    tags,
    auth: ['admin'],
    idempotent: true,
    request: { body: bulkBodySchema },
    examples: {
      announcement: {
        summary: 'One announcement to a user and an address',
        value: {
          recipients: [{ userId: '0190aaaa-bbbb-7ccc-8ddd-000000000001' }, { address: 'grace@example.org' }],
          channel: 'email',
          subject: 'New opening hours',
          message: 'From January we open at 8:00.',
          category: 'announcement',
          deduplicationKey: 'opening-hours-2027',
        },
      },
    },
    success: { status: 200, description: 'Every recipient’s outcome.', schema: bulkResultSchema },
    handler: async ({ actor, body }) => {
      const bulk = await aura.get(BulkSend);
      return bulk
        .execute({
          actor,
          recipients: body.recipients.map((r) => ('userId' in r ? { userId: r.userId.toLowerCase() } : r)),
          channel: body.channel,
          content: contentOf(body),
          category: body.category,
          priority: body.priority,
          locale: body.locale,
          metadata: body.metadata,
          deduplicationKey: body.deduplicationKey,
          sendAt: body.sendAt === undefined ? undefined : new Date(body.sendAt),
        })
        .map(toBulkJson);
    },
  });

  api.route({
    method: 'get',
    path: '/api/notifications',
    operationId: 'listNotifications',
    summary: 'List notifications',
    description:
      'Newest first. A user sees their own; an admin filters by user, recipient address, status, channel, category and creation time. Page with `cursor` = the previous page’s `nextCursor`.',
    tags,
    auth: true,
    request: {
      query: z.strictObject({
        userId: z.uuid().optional(),
        recipient: wellFormedText(1, 4096).optional().meta({ description: 'Admins: an address.' }),
        status: z.enum(NOTIFICATION_STATUSES).optional(),
        channel: z.enum(CHANNELS).optional(),
        category: z.enum(CATEGORIES).optional(),
        from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Created at or after.' }),
        to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Created before.' }),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        cursor: z.uuid().optional(),
      }),
    },
    success: { status: 200, description: 'A page of notifications.', schema: page(notificationSchema) },
    errors: {
      'platform.forbidden': {
        status: 403,
        description: 'Only admins filter by another user’s id or by an address (your own id is fine).',
      },
    },
    handler: async ({ actor, query }) => {
      const list = await aura.get(ListNotifications);
      return list
        .execute({
          actor,
          ...query,
          userId: query.userId?.toLowerCase(),
          recipient: query.recipient?.trim(),
          from: query.from === undefined ? undefined : new Date(query.from),
          to: query.to === undefined ? undefined : new Date(query.to),
        })
        .map((result) => ({ items: result.items.map(toNotificationJson), nextCursor: result.nextCursor }));
    },
  });

  api.route({
    method: 'get',
    path: '/api/notifications/statistics',
    operationId: 'notificationStatistics',
    summary: 'Notification statistics',
    description:
      'Admins: counts by status and channel per UTC day of creation, delivery rates, and the median and 95th percentile of the time from creation to sent. Default: the last 30 days.',
    tags,
    auth: ['admin'],
    request: {
      query: z.strictObject({
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        channel: z.enum(CHANNELS).optional(),
      }),
    },
    success: { status: 200, description: 'The statistics.', schema: statisticsSchema },
    handler: async ({ actor, query }) => {
      const to = query.to === undefined ? new Date() : new Date(query.to);
      const from = query.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : new Date(query.from);
      const statistics = await aura.get(GetNotificationStatistics);
      return statistics.execute({ actor, from, to, channel: query.channel }).map(toStatisticsJson);
    },
  });

  api.route({
    method: 'get',
    path: '/api/notifications/preferences',
    operationId: 'getNotificationPreferences',
    summary: 'My notification preferences',
    tags,
    auth: true,
    success: { status: 200, description: 'Your preferences (defaults until you change something).', schema: preferencesSchema },
    handler: async ({ actor }) => (await aura.get(GetPreferences)).execute(actor).map(toPreferencesJson),
  });

  api.route({
    method: 'put',
    path: '/api/notifications/preferences',
    operationId: 'updateNotificationPreferences',
    summary: 'Change my notification preferences',
    description:
      'Opt in or out per channel and category, set quiet hours (in your time zone) and where SMS and push go. Security messages and critical ones always go out. Applies to everything not yet sent, scheduled messages included.',
    tags,
    auth: true,
    request: { body: preferencesBodySchema },
    examples: {
      quiet: {
        summary: 'Quiet nights, SMS to this number, no announcements by SMS',
        value: {
          quietHours: { start: '22:00', end: '07:00' },
          phoneNumber: '+49 151 1234 5678',
          channels: { sms: { announcement: false } },
        },
      },
      clear: { summary: 'No quiet hours, no push', value: { quietHours: null, pushToken: null } },
    },
    success: { status: 200, description: 'Your preferences now.', schema: preferencesSchema },
    errors: {
      'notifications.invalid_quiet_hours': { status: 422, description: 'Quiet hours need two different times.' },
      'notifications.invalid_recipient': { status: 422, description: 'Not an E.164 phone number or a push token.' },
    },
    handler: async ({ actor, body }) => (await aura.get(UpdatePreferences)).execute(actor, body).map(toPreferencesJson),
  });

  api.route({
    method: 'post',
    path: '/api/notifications/cancel',
    operationId: 'cancelNotificationByKey',
    summary: 'Withdraw a scheduled notification by its de-duplication key',
    tags,
    auth: ['admin'],
    request: { body: z.strictObject({ deduplicationKey: wellFormedText(1, 255) }) },
    examples: { key: { summary: 'The key it was sent with', value: { deduplicationKey: 'appointment-42:reminder-24h' } } },
    success: { status: 200, description: 'The notification, now cancelled.', schema: notificationSchema },
    errors: {
      ...notFound,
      'notifications.invalid_transition': { status: 409, description: 'It was already sent, failed or cancelled.' },
      'notifications.in_flight': { status: 409, description: 'It is being handed to its provider right now.' },
    },
    handler: async ({ body }) =>
      (await aura.get(CancelNotification)).execute({ deduplicationKey: body.deduplicationKey }).map(toNotificationJson),
  });

  api.route({
    method: 'get',
    path: '/api/notifications/:id',
    operationId: 'getNotification',
    summary: 'A notification',
    description: 'Admins read any; others only their own (anyone else’s is a 404). Security messages never show their content.',
    tags,
    auth: true,
    request: { params: idParams },
    success: { status: 200, description: 'The notification.', schema: notificationSchema },
    errors: notFound,
    handler: async ({ actor, params }) => (await aura.get(GetNotification)).execute(actor, params.id).map(toNotificationJson),
  });

  api.route({
    method: 'post',
    path: '/api/notifications/:id/cancel',
    operationId: 'cancelNotification',
    summary: 'Withdraw a pending notification',
    tags,
    auth: ['admin'],
    request: { params: idParams },
    success: { status: 200, description: 'The notification, now cancelled.', schema: notificationSchema },
    errors: {
      ...notFound,
      'notifications.invalid_transition': { status: 409, description: 'It was already sent, failed or cancelled.' },
      'notifications.in_flight': { status: 409, description: 'It is being handed to its provider right now.' },
    },
    handler: async ({ params }) => (await aura.get(CancelNotification)).execute({ id: params.id }).map(toNotificationJson),
  });

  api.route({
    method: 'post',
    path: '/api/notifications/webhooks/:provider',
    operationId: 'notificationReceipt',
    summary: 'Delivery receipt from a provider',
    description:
      'For SMS, push and email providers: `X-Aura-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the provider’s secret>`. Signatures older or newer than NOTIFICATIONS_WEBHOOK_TOLERANCE_S are refused, and a receipt id is applied once, so a replay changes nothing. `delivered` marks the notification delivered; `bounced` and `failed` mark it failed with the reason.',
    tags,
    request: { params: z.object({ provider: z.enum(CHANNELS) }) },
    rawBody: true,
    unvalidatedBody: deliveryReceiptSchema.meta({ id: 'DeliveryReceipt' }),
    examples: {
      delivered: {
        summary: 'Delivered',
        value: { id: 'rcpt-7f3a', notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000002', status: 'delivered' },
      },
      bounced: {
        summary: 'Bounced, with the reason',
        value: {
          id: 'rcpt-7f3b',
          notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000002',
          status: 'bounced',
          reason: 'mailbox unavailable',
          occurredAt: '2026-12-04T10:00:00Z',
        },
      },
    },
    success: {
      status: 200,
      description: 'Receipt taken (also when it no longer applies, so the provider stops retrying).',
      schema: z.object({ outcome: z.enum(['applied', 'replayed', 'unknown_notification', 'ignored']) }),
    },
    errors: {
      'notifications.webhook_unauthenticated': {
        status: 401,
        description: 'Missing, wrong or stale signature, or unknown provider.',
      },
      'notifications.invalid_receipt': { status: 400, description: 'The body is not a delivery receipt.' },
    },
    handler: async ({ params, req }) => {
      const record = await aura.get(RecordDeliveryReceipt);
      return record
        .execute({
          provider: params.provider,
          rawBody: req.rawBody?.toString('utf8') ?? '',
          signature: req.get('x-aura-signature'),
        })
        .map((outcome) => ({ outcome }));
    },
  });
}

export const notificationsHttpModule: HttpModule = {
  module: 'notifications',
  register: registerNotificationRoutes,
};
