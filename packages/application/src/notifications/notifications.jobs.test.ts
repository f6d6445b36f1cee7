import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HOUR,
  integrationEvent,
  MINUTE,
  type NotificationsTestBed,
  notificationsTestBed,
  rejectionOf,
  SECOND,
} from '../../test/notifications/fakes.js';
import { isPostponeJob, type JobContext } from '../platform/ports/job-queue.port.js';
import { DELIVER_QUEUE, type DeliverJob } from './commands/deliver-notification.command.js';
import {
  CancelOnDeactivation,
  DeliverNotificationProcessor,
  deliveryJob,
  EnqueueDelivery,
  SendWelcomeEmail,
  SWEEP_QUEUE,
  SweepDueNotifications,
  withSlash,
} from './notifications.jobs.js';

let bed: NotificationsTestBed;

beforeEach(() => {
  bed = notificationsTestBed();
});

/** The notification.queued event the repository recorded for a notification, as the bus hands it over. */
function queuedEvent(notificationId: string) {
  const event = bed.notifications.published.find((e) => e.type === 'notification.queued' && e.aggregateId === notificationId);
  if (event === undefined) throw new Error(`no notification.queued for ${notificationId}`);
  return integrationEvent(
    event.type,
    event.data as { notificationId: string; sendAt: string },
    '0190dddd-bbbb-7ccc-8ddd-0000000000aa',
    'notifications',
  );
}

const deliverJob = (notificationId: string, attempt = 1): JobContext<DeliverJob> => ({
  id: `deliver:${notificationId}`,
  queue: DELIVER_QUEUE,
  name: 'deliver',
  data: { notificationId, correlationId: 'corr-1' },
  attempt,
  maxAttempts: 5,
});

const sweepJob = (data: { correlationId?: string } | undefined = {}): JobContext<{ correlationId?: string }> =>
  ({ id: 'sweep-1', queue: SWEEP_QUEUE, name: 'sweep', data, attempt: 1, maxAttempts: 1 }) as JobContext<{
    correlationId?: string;
  }>;

describe('deliveryJob', () => {
  it('is one job per notification, delayed until it is due, with the configured retries', () => {
    const now = new Date('2026-11-22T08:00:00Z');
    expect(deliveryJob('n-1', new Date('2026-11-22T08:00:30Z'), now, bed.settings, 'corr-9')).toEqual({
      queue: 'notifications.deliver',
      name: 'deliver',
      data: { notificationId: 'n-1', correlationId: 'corr-9' },
      options: {
        jobId: `deliver:n-1:${Date.parse('2026-11-22T08:00:30Z')}`,
        delayMs: 30 * SECOND,
        attempts: 5,
        backoff: { type: 'exponential', delayMs: 30 * SECOND },
      },
    });
    expect(deliveryJob('n-1', new Date('2026-11-22T07:00:00Z'), now, bed.settings, 'c').options?.delayMs).toBe(0);
  });
});

describe('EnqueueDelivery', () => {
  /** As the dispatcher runs a handler: in a transaction (with its inbox row); the job is enqueued once it commits. */
  const handleInTransaction = async (event: ReturnType<typeof queuedEvent>) => {
    await bed.uow.transaction(async () => {
      await bed.get(EnqueueDelivery).handle(event);
      expect(bed.queue.enqueued).toEqual([]);
    });
  };

  it('enqueues the delivery of a queued notification, delayed until its send time', async () => {
    const queued = await bed.queueEmail(
      { address: 'a@example.com' },
      { sendAt: new Date(bed.clock.now().getTime() + 30 * SECOND) },
    );
    await handleInTransaction(queuedEvent(queued.id));
    expect(bed.queue.enqueued).toEqual([
      {
        queue: 'notifications.deliver',
        name: 'deliver',
        data: { notificationId: queued.id, correlationId: 'corr-1' },
        options: {
          jobId: `deliver:${queued.id}:${bed.clock.now().getTime() + 30 * SECOND}`,
          delayMs: 30 * SECOND,
          attempts: bed.settings.maxAttempts,
          backoff: { type: 'exponential', delayMs: bed.settings.retryBackoffMs },
        },
      },
    ]);
  });

  it('enqueues one due already without delay', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.clock.advance(MINUTE);
    await handleInTransaction(queuedEvent(queued.id));
    expect(bed.queue.enqueued[0]?.options?.delayMs).toBe(0);
  });

  it('leaves a send due beyond the next two sweeps to the sweep', async () => {
    const interval = bed.settings.sweepIntervalMs;
    const far = await bed.queueEmail(
      { address: 'a@example.com' },
      { sendAt: new Date(bed.clock.now().getTime() + 2 * interval + 1) },
    );
    const near = await bed.queueEmail(
      { address: 'a@example.com' },
      { sendAt: new Date(bed.clock.now().getTime() + 2 * interval) },
    );
    await handleInTransaction(queuedEvent(far.id));
    expect(bed.queue.enqueued).toEqual([]);
    await handleInTransaction(queuedEvent(near.id));
    expect(bed.queue.enqueued.map((job) => job.options?.jobId)).toEqual([`deliver:${near.id}:${near.sendAt.getTime()}`]);
  });
});

describe('SweepDueNotifications', () => {
  it('hands every pending notification due before the next sweep to the queue once, page after page', async () => {
    const findDue = vi.spyOn(bed.notifications, 'findDue');
    const due: string[] = [];
    for (let i = 0; i < 1_001; i += 1) {
      const sendAt = new Date(bed.clock.now().getTime() + (i % 3) * SECOND);
      due.push((await bed.queueEmail({ address: `p${i}@example.com` }, { sendAt })).id);
    }
    const soon = await bed.queueEmail(
      { address: 'soon@example.com' },
      { sendAt: new Date(bed.clock.now().getTime() + 2 * MINUTE) },
    );
    const later = await bed.queueEmail({ address: 'later@example.com' }, { sendAt: new Date(bed.clock.now().getTime() + HOUR) });
    const inFlight = await bed.queueEmail({ address: 'busy@example.com' });
    await bed.claim(inFlight.id);
    const sent = await bed.queueEmail({ address: 'sent@example.com' });
    await bed.deliver(sent.id);

    await bed.get(SweepDueNotifications).process(sweepJob({ correlationId: 'corr-sweep' }));

    // `deliver:<id>:<due time>`; the due times are those stored.
    const jobIds = bed.queue.enqueued.map((job) => job.options?.jobId?.replace(/:\d+$/, ''));
    expect(new Set(jobIds).size).toBe(jobIds.length);
    expect([...jobIds].sort()).toEqual([...due, soon.id].map((id) => `deliver:${id}`).sort());
    expect(jobIds).not.toContain(`deliver:${later.id}`);
    expect(findDue).toHaveBeenCalledTimes(3);
    expect(findDue.mock.calls.map((call) => call[2])).toEqual([500, 500, 500]);
    expect(bed.queue.enqueued.find((job) => job.options?.jobId === `deliver:${soon.id}:${soon.sendAt.getTime()}`)).toMatchObject({
      data: { notificationId: soon.id, correlationId: 'corr-sweep' },
      // A delivery job that failed for good (its workers died twice) must not block the sweep.
      options: { delayMs: 2 * MINUTE, attempts: 5, replaceFailed: true },
    });
    expect(bed.logger.entries).toContainEqual({ level: 'info', message: 'due notifications swept', fields: { handed: 1_002 } });
  });

  it('gives the same job ids every time (the queue keeps one of each)', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.get(SweepDueNotifications).process(sweepJob());
    await bed.get(SweepDueNotifications).process(sweepJob(undefined));
    expect(bed.queue.enqueued.map((job) => [job.options?.jobId, (job.data as DeliverJob).correlationId])).toEqual([
      [`deliver:${queued.id}:${queued.sendAt.getTime()}`, 'sweep-1'],
      [`deliver:${queued.id}:${queued.sendAt.getTime()}`, 'sweep-1'],
    ]);
  });

  it('stops after a full last page when nothing follows it', async () => {
    const findDue = vi.spyOn(bed.notifications, 'findDue');
    for (let i = 0; i < 500; i += 1) await bed.queueEmail({ address: `p${i}@example.com` });
    await bed.get(SweepDueNotifications).process(sweepJob());
    expect(findDue).toHaveBeenCalledTimes(2);
    expect(bed.queue.enqueued).toHaveLength(500);
  });

  it('hands nothing when nothing is due', async () => {
    await bed.get(SweepDueNotifications).process(sweepJob());
    expect(bed.queue.enqueued).toEqual([]);
    expect(bed.logger.entries).toContainEqual({ level: 'info', message: 'due notifications swept', fields: { handed: 0 } });
  });
});

describe('DeliverNotificationProcessor', () => {
  it('delivers the job’s notification and logs the outcome', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.get(DeliverNotificationProcessor).process(deliverJob(queued.id));
    expect((await bed.stored(queued.id)).status).toBe('sent');
    expect(bed.logger.entries).toContainEqual({
      level: 'debug',
      message: 'notification delivery job done',
      fields: { notificationId: queued.id, outcome: 'sent' },
    });
  });

  it('passes the job’s attempt on (its last attempt fails the notification) and lets postponements through', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({ fail: new Error('timeout') });
    await bed.get(DeliverNotificationProcessor).process(deliverJob(queued.id, 5));
    expect((await bed.stored(queued.id)).status).toBe('failed');
    const later = await bed.queueEmail({ address: 'a@example.com' }, { sendAt: new Date(bed.clock.now().getTime() + HOUR) });
    expect(isPostponeJob(await rejectionOf(bed.get(DeliverNotificationProcessor).process(deliverJob(later.id))))).toBe(true);
  });
});

describe('SendWelcomeEmail', () => {
  const registered = (userId: string, displayName = 'Ana Souza', eventId = '0190dddd-bbbb-7ccc-8ddd-000000000001') =>
    integrationEvent('user.registered', { userId, displayName }, eventId);

  it('queues a welcome email once per event, asking for nothing and linking to nothing a mail client cannot open', async () => {
    const user = bed.seedUser({ email: 'ana@example.com' });
    await bed.get(SendWelcomeEmail).handle(registered(user.id));
    await bed.get(SendWelcomeEmail).handle(registered(user.id));
    const [welcome, ...others] = (await bed.notifications.list({}, { limit: 10 })).items.map((n) => n.state);
    expect(others).toEqual([]);
    expect(welcome).toMatchObject({
      userId: user.id,
      recipient: 'ana@example.com',
      templateKey: 'user.welcome',
      category: 'transactional',
      deduplicationKey: '0190dddd-bbbb-7ccc-8ddd-000000000001:user.welcome:email',
    });
    expect(welcome?.message).toContain('Hello Ana Souza,');
    expect(welcome?.message).toContain('notification settings in the app');
    expect(welcome?.message).not.toMatch(/confirm|https?:\/\//);
    await bed.get(SendWelcomeEmail).handle(registered(user.id, 'Ana Souza', '0190dddd-bbbb-7ccc-8ddd-000000000002'));
    expect(await bed.count()).toBe(2);
  });

  it('welcomes nobody whose account is gone or deactivated, without failing', async () => {
    const user = bed.seedUser();
    bed.users.deactivate(user.id);
    await bed.get(SendWelcomeEmail).handle(registered(user.id));
    await bed.get(SendWelcomeEmail).handle(registered('0190bbbb-cccc-7ddd-9eee-999999999999'));
    expect(await bed.count()).toBe(0);
  });

  it('throws on anything else, so the event is retried', async () => {
    const user = bed.seedUser();
    await expect(bed.get(SendWelcomeEmail).handle(registered(user.id, ''))).rejects.toThrow(
      /^the welcome email could not be queued: the variables of template "user.welcome" are not valid/,
    );
    bed = notificationsTestBed({ settings: { channels: { email: false, sms: true, push: true } } });
    await expect(bed.get(SendWelcomeEmail).handle(registered(bed.seedUser().id))).rejects.toThrow(
      'no email provider is configured',
    );
  });
});

describe('CancelOnDeactivation', () => {
  it('withdraws the deactivated user’s pending notifications', async () => {
    const user = bed.seedUser();
    const queued = await bed.queueEmail({ userId: user.id });
    await bed.get(CancelOnDeactivation).handle(integrationEvent('user.deactivated', { userId: user.id }));
    expect((await bed.stored(queued.id)).status).toBe('cancelled');
  });
});

describe('withSlash', () => {
  it('ends a base address with one slash, so relative paths keep its path', () => {
    expect(withSlash('https://x.org/aura')).toBe('https://x.org/aura/');
    expect(withSlash('https://x.org/aura/')).toBe('https://x.org/aura/');
    expect(new URL('api/x', withSlash('https://x.org/aura')).toString()).toBe('https://x.org/aura/api/x');
  });
});
