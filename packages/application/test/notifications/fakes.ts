/**
 * A test bed for the notifications module's application layer: a fresh inversify container
 * binding the module's service list to its in-memory adapters, scriptable channel senders, a
 * users contract in a Map, and the platform fakes the users module's tests use. The fakes keep
 * to each port's documented behaviour and no more.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_CONTENT_POLICY, type NotificationState, type PreferencesInput } from '@aura/domain/notifications';
import { type DomainEvent, domainError } from '@aura/domain/platform';
import { Container, type Newable } from 'inversify';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { DeliverNotification, type DeliveryOutcome } from '../../src/notifications/commands/deliver-notification.command.js';
import { UpdatePreferences } from '../../src/notifications/commands/preferences.command.js';
import {
  SendNotification,
  type SendOutcome,
  type SendRequest,
} from '../../src/notifications/commands/send-notification.command.js';
import {
  InMemoryNotificationRepository,
  InMemoryPreferencesRepository,
  InMemoryReceiptStore,
  type NotificationEventSink,
} from '../../src/notifications/in-memory/index.js';
import { notificationsServices } from '../../src/notifications/notifications.services.js';
import {
  type ChannelSender,
  EmailSender,
  type OutgoingMessage,
  ProviderRejectedError,
  ProviderUnavailableError,
  PushSender,
  type SendReceipt,
  SmsSender,
} from '../../src/notifications/ports/channel-sender.port.js';
import { NotificationRepository } from '../../src/notifications/ports/notification.repository.port.js';
import { NotificationsSettings } from '../../src/notifications/ports/notifications-settings.js';
import { PreferencesRepository } from '../../src/notifications/ports/preferences.repository.port.js';
import { ReceiptStore } from '../../src/notifications/ports/receipt.store.port.js';
import { WebhookAuthenticator, type WebhookRefusal } from '../../src/notifications/ports/webhook-authenticator.port.js';
import { builtInTemplates } from '../../src/notifications/templates/built-in.templates.js';
import { TemplateCatalog } from '../../src/notifications/templates/template.js';
import type { Actor, Role } from '../../src/platform/actor.js';
import type { IntegrationEvent } from '../../src/platform/events/index.js';
import { Clock } from '../../src/platform/ports/clock.port.js';
import { ExecutionContext } from '../../src/platform/ports/execution-context.port.js';
import { IdGenerator } from '../../src/platform/ports/id-generator.port.js';
import { JobQueue } from '../../src/platform/ports/job-queue.port.js';
import { Logger } from '../../src/platform/ports/logger.port.js';
import { UnitOfWork } from '../../src/platform/ports/unit-of-work.port.js';
import type {
  UserContact,
  UserProfile,
  UsersContractError,
  UsersContract as UsersContractPort,
} from '../../src/users/contract.js';
import { UsersContract } from '../../src/users/contract.js';
import { InMemoryRecordingJobQueue } from '../platform/in-memory-fakes.js';
import {
  ControllableClock,
  DAY,
  directUnitOfWork,
  FixedExecutionContext,
  HOUR,
  MINUTE,
  SECOND,
  SequentialIds,
  SilentLogger,
} from '../users/fakes.js';

export { ControllableClock, DAY, HOUR, MINUTE, SECOND, SequentialIds, SilentLogger };

export const notificationsSettings: NotificationsSettings = {
  contentPolicy: DEFAULT_CONTENT_POLICY,
  channels: { email: true, sms: true, push: true },
  maxAttempts: 5,
  retryBackoffMs: 30 * SECOND,
  claimMs: 2 * MINUTE,
  sweepIntervalMs: MINUTE,
  publicBaseUrl: 'https://aura.example.org',
};

/**
 * Transactions run one at a time, nested ones joining the outer one: the in-memory stand-in
 * for the row locks (`FOR UPDATE`) the use cases take. Nothing is rolled back.
 */
export class LockingUnitOfWork implements UnitOfWork {
  readonly #inside = new AsyncLocalStorage<true>();
  #tail: Promise<void> = Promise.resolve();
  /** Outermost transactions run so far. */
  transactions = 0;

  /** Whether the caller runs inside a transaction. */
  get active(): boolean {
    return this.#inside.getStore() === true;
  }

  #effects: Array<() => Promise<void> | void> = [];

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.active) return work();
    const previous = this.#tail;
    let release = () => {};
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.transactions += 1;
    this.#effects = [];
    let result: T;
    try {
      result = await this.#inside.run(true, work);
    } catch (error) {
      this.#effects = [];
      release();
      throw error;
    }
    const effects = this.#effects.splice(0);
    release();
    for (const effect of effects) await effect();
    return result;
  }

  afterCommit(effect: () => Promise<void> | void): void {
    if (this.active) this.#effects.push(effect);
    else void Promise.resolve().then(effect);
  }

  result<T, E>(work: () => ResultAsync<T, E>): ResultAsync<T, E> {
    // A ResultAsync is a thenable: awaiting it inside the transaction yields its Result.
    return new ResultAsync(this.transaction(async () => work()));
  }
}

/** What one call of {@link RecordingChannelSender.send} does. */
export type SenderBehaviour =
  | { readonly succeed: string | null }
  | { readonly reject: string }
  | { readonly unavailable: string; readonly retryAfterMs: number }
  | { readonly fail: unknown }
  /** Waits for the gate, then does `then` (default: succeeds). */
  | { readonly wait: Promise<void>; readonly then?: SenderBehaviour }
  | { readonly run: (message: OutgoingMessage) => Promise<SendReceipt> };

export interface SenderCall {
  readonly message: OutgoingMessage;
  /** Whether the use case held a transaction open while calling the provider. */
  readonly inTransaction: boolean;
}

/**
 * A provider that records every call. Each call does the next scripted behaviour, or succeeds
 * with `<provider>-<n>` when nothing is scripted. `unavailableFor` is what the breaker says.
 */
export class RecordingChannelSender implements ChannelSender {
  readonly calls: SenderCall[] = [];
  readonly #script: SenderBehaviour[] = [];
  #unavailableForMs = 0;

  constructor(
    readonly provider: string,
    private readonly inTransaction: () => boolean = () => false,
  ) {}

  /** The next calls, in order. */
  will(...behaviours: SenderBehaviour[]): this {
    this.#script.push(...behaviours);
    return this;
  }

  setUnavailableFor(ms: number): void {
    this.#unavailableForMs = ms;
  }

  unavailableFor(): number {
    return this.#unavailableForMs;
  }

  get messages(): OutgoingMessage[] {
    return this.calls.map((call) => call.message);
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    this.calls.push({ message, inTransaction: this.inTransaction() });
    return this.#perform(this.#script.shift() ?? { succeed: `${this.provider}-${this.calls.length}` }, message);
  }

  async #perform(behaviour: SenderBehaviour, message: OutgoingMessage): Promise<SendReceipt> {
    if ('succeed' in behaviour) return { providerMessageId: behaviour.succeed };
    if ('reject' in behaviour) throw new ProviderRejectedError(behaviour.reject);
    if ('unavailable' in behaviour) throw new ProviderUnavailableError(behaviour.unavailable, behaviour.retryAfterMs);
    if ('fail' in behaviour) throw behaviour.fail;
    if ('wait' in behaviour) {
      await behaviour.wait;
      return this.#perform(behaviour.then ?? { succeed: `${this.provider}-${this.calls.length}` }, message);
    }
    return behaviour.run(message);
  }
}

/** A gate a scripted sender waits at until the test opens it. */
export function gate(): { readonly wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** The users module's contract over a Map of contacts. */
export class InMemoryUsersContract implements UsersContractPort {
  readonly contacts = new Map<string, UserContact>();

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const contact = this.contacts.get(userId);
    if (contact === undefined) return undefined;
    const { id, displayName, role, timeZone, locale } = contact;
    return { id, displayName, role, timeZone, locale };
  }

  async getContact(userId: string): Promise<UserContact | undefined> {
    return this.contacts.get(userId);
  }

  requireActive(userId: string, roles?: readonly Role[]): ResultAsync<UserProfile, UsersContractError> {
    const contact = this.contacts.get(userId);
    if (contact === undefined) return errAsync(domainError('users.user_not_found', `no user ${userId}`));
    if (contact.status !== 'active' || !contact.emailVerified)
      return errAsync(domainError('users.user_inactive', `user ${userId} is not active`));
    if (roles !== undefined && !roles.includes(contact.role))
      return errAsync(domainError('users.role_mismatch', `user ${userId} is not a ${roles.join(' or ')}`));
    const { id, displayName, role, timeZone, locale } = contact;
    return okAsync({ id, displayName, role, timeZone, locale });
  }

  deactivate(userId: string): void {
    const contact = this.contacts.get(userId);
    if (contact === undefined) throw new Error(`no user ${userId}`);
    this.contacts.set(userId, { ...contact, status: 'deactivated' });
  }

  remove(userId: string): void {
    this.contacts.delete(userId);
  }
}

export const WEBHOOK_SIGNATURE = 't=1,v1=valid';

/** Accepts {@link WEBHOOK_SIGNATURE} from its providers; `refusal` forces an answer (e.g. `stale`). */
export class FakeWebhookAuthenticator implements WebhookAuthenticator {
  readonly calls: { provider: string; rawBody: string; signature: string | undefined; now: Date }[] = [];
  refusal: WebhookRefusal | undefined;

  constructor(private readonly known: readonly string[] = ['sms', 'push', 'email']) {}

  verify(provider: string, rawBody: string, signature: string | undefined, now: Date): WebhookRefusal | undefined {
    this.calls.push({ provider, rawBody, signature, now });
    if (this.refusal !== undefined) return this.refusal;
    if (!this.known.includes(provider)) return 'unknown_provider';
    if (signature === undefined) return 'missing_signature';
    return signature === WEBHOOK_SIGNATURE ? undefined : 'bad_signature';
  }

  providers(): readonly string[] {
    return this.known;
  }
}

/** Where the repository hands its events (the outbox's shape). */
export class RecordingEventSink implements NotificationEventSink {
  readonly appended: { module: string; events: readonly DomainEvent[] }[] = [];
  async append(module: string, events: readonly DomainEvent[]): Promise<void> {
    this.appended.push({ module, events });
  }
}

/** Lets other work run until `condition` holds (fails after many turns of the event loop). */
export async function eventually(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000; turn += 1) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('the condition never held');
}

/** The error a promise rejected with (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

export const admin: Actor = { userId: '0190eeee-bbbb-7ccc-8ddd-000000000001', roles: ['admin'] };
export const actorOf = (userId: string, role: Role = 'patient'): Actor => ({ userId, roles: [role] });

export interface TestBedOptions {
  readonly settings?: Partial<NotificationsSettings>;
  /** `locking` (default): transactions one at a time, as row locks make them; `direct`: no locking at all. */
  readonly unitOfWork?: 'locking' | 'direct';
}

/** A fresh container wired to in-memory adapters and the fakes above, with handles on all of them. */
export function notificationsTestBed(options: TestBedOptions = {}) {
  const settings: NotificationsSettings = { ...notificationsSettings, ...options.settings };
  const clock = new ControllableClock();
  const ids = new SequentialIds();
  const logger = new SilentLogger();
  const queue = new InMemoryRecordingJobQueue();
  const uow = new LockingUnitOfWork();
  const outbox = new RecordingEventSink();
  const notifications = new InMemoryNotificationRepository(outbox);
  const preferences = new InMemoryPreferencesRepository();
  const receipts = new InMemoryReceiptStore();
  const users = new InMemoryUsersContract();
  const inTransaction = () => uow.active;
  const email = new RecordingChannelSender('dev-mailbox', inTransaction);
  const sms = new RecordingChannelSender('sms-webhook', inTransaction);
  const push = new RecordingChannelSender('push-webhook', inTransaction);
  const webhooks = new FakeWebhookAuthenticator();
  const templates = new TemplateCatalog(builtInTemplates, settings.contentPolicy);

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(Clock).toConstantValue(clock);
  container.bind(IdGenerator).toConstantValue(ids);
  container.bind(UnitOfWork).toConstantValue(options.unitOfWork === 'direct' ? directUnitOfWork : uow);
  container.bind(Logger).toConstantValue(logger);
  container.bind(JobQueue).toConstantValue(queue);
  container.bind(ExecutionContext).toConstantValue(new FixedExecutionContext({ correlationId: 'corr-1' }));
  container.bind(NotificationsSettings).toConstantValue(settings);
  container.bind(NotificationRepository).toConstantValue(notifications);
  container.bind(PreferencesRepository).toConstantValue(preferences);
  container.bind(ReceiptStore).toConstantValue(receipts);
  container.bind(UsersContract).toConstantValue(users);
  container.bind(EmailSender).toConstantValue(email);
  container.bind(SmsSender).toConstantValue(sms);
  container.bind(PushSender).toConstantValue(push);
  container.bind(WebhookAuthenticator).toConstantValue(webhooks);
  container.bind(TemplateCatalog).toConstantValue(templates);
  for (const service of notificationsServices) container.bind(service).toSelf();

  let userCount = 0;
  const bed = {
    container,
    settings,
    clock,
    ids,
    logger,
    queue,
    uow,
    outbox,
    notifications,
    preferences,
    receipts,
    users,
    email,
    sms,
    push,
    webhooks,
    templates,
    get: <T>(service: Newable<T>): T => container.get<T>(service),

    /** Moves the clock to an instant (forward or back). */
    moveTo(at: string | Date): void {
      clock.advance(new Date(at).getTime() - clock.now().getTime());
    },

    /** A user the users module knows: active, verified, English, UTC, unless told otherwise. */
    seedUser(overrides: Partial<UserContact> = {}): UserContact {
      userCount += 1;
      const n = String(userCount).padStart(12, '0');
      const contact: UserContact = {
        id: `0190bbbb-cccc-7ddd-9eee-${n}`,
        displayName: 'Ana Souza',
        role: 'patient',
        timeZone: 'UTC',
        locale: 'en',
        email: `user${userCount}@example.com`,
        emailVerified: true,
        status: 'active',
        ...overrides,
      };
      users.contacts.set(contact.id, contact);
      return contact;
    },

    /** Changes a user's notification preferences through the use case. */
    async prefer(userId: string, input: PreferencesInput): Promise<void> {
      (await bed.get(UpdatePreferences).execute(actorOf(userId), input))._unsafeUnwrap();
    },

    /** Sends through the use case; fails the test on an error. */
    async send(request: SendRequest): Promise<SendOutcome> {
      return (await bed.get(SendNotification).execute(request))._unsafeUnwrap();
    },

    /** A pending transactional email to a user (or to a bare address), due now unless `sendAt` says otherwise. */
    async queueEmail(to: { readonly userId: string } | { readonly address: string }, extra: Partial<SendRequest> = {}) {
      const sent = await bed.send({
        to,
        channel: 'email',
        content: { subject: 'Your invoice', message: 'Your invoice for November is ready.' },
        category: 'transactional',
        ...extra,
      });
      return sent.notification;
    },

    deliver(notificationId: string, attempt = 1): Promise<DeliveryOutcome> {
      return bed.get(DeliverNotification).execute(notificationId, { attempt, maxAttempts: settings.maxAttempts });
    },

    /** The notification as stored. */
    async stored(notificationId: string): Promise<NotificationState> {
      const found = await notifications.findById(notificationId);
      if (found === undefined) throw new Error(`no notification ${notificationId}`);
      return found.state;
    },

    /** Another attempt holds it, from now for `ms` (as DeliverNotification's first step leaves it). */
    async claim(notificationId: string, ms = settings.claimMs): Promise<void> {
      const found = await notifications.findById(notificationId);
      if (found === undefined) throw new Error(`no notification ${notificationId}`);
      found.startAttempt(clock.now(), new Date(clock.now().getTime() + ms))._unsafeUnwrap();
      await notifications.save(found);
    },

    /** The types of the events recorded so far, oldest first (of one notification when given). */
    eventTypes(notificationId?: string): string[] {
      return notifications.published
        .filter((event) => notificationId === undefined || event.aggregateId === notificationId)
        .map((event) => event.type);
    },

    /** How many notifications are stored. */
    async count(): Promise<number> {
      return (await notifications.list({}, { limit: 10_000 })).items.length;
    },
  };
  return bed;
}

export type NotificationsTestBed = ReturnType<typeof notificationsTestBed>;

/** An integration event as the event bus hands it to a handler. */
export function integrationEvent<TData>(
  eventType: string,
  data: TData,
  eventId = '0190dddd-bbbb-7ccc-8ddd-000000000001',
  sourceModule = 'users',
): IntegrationEvent<TData> {
  return {
    eventId,
    eventType,
    occurredAt: '2026-11-22T08:00:00.250Z',
    sourceModule,
    version: 1,
    data,
    metadata: { correlationId: 'corr-1', causationId: null, userId: null },
  };
}
