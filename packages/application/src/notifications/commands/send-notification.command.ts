import {
  type Category,
  type Channel,
  checkDeduplicationKey,
  Notification,
  type NotificationMetadata,
  type NotificationPreferences,
  type NotificationRejected,
  type Priority,
  parseRecipient,
  wants,
} from '@aura/domain/notifications';
import type { DomainError } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { Clock } from '../../platform/ports/clock.port.js';
import { IdGenerator } from '../../platform/ports/id-generator.port.js';
import { UnitOfWork } from '../../platform/ports/unit-of-work.port.js';
import { type UserContact, UsersContract } from '../../users/contract.js';
import { type NotificationView, toNotificationView } from '../notification.view.js';
import { NotificationRepository } from '../ports/notification.repository.port.js';
import { NotificationsSettings } from '../ports/notifications-settings.js';
import { PreferencesRepository } from '../ports/preferences.repository.port.js';
import { TemplateCatalog, type TemplateError } from '../templates/template.js';

/** A message written by the sender, or a template with its variables. */
export type SendContent =
  | { readonly subject?: string | null | undefined; readonly message: string }
  | { readonly template: string; readonly variables?: Readonly<Record<string, unknown>> | undefined };

export interface SendRequest {
  /** A user (their address, language, time zone and preferences apply), or a bare address. */
  readonly to: { readonly userId: string } | { readonly address: string };
  readonly channel: Channel;
  readonly content: SendContent;
  /** Default: the template's category; required for a written message. */
  readonly category?: Category | undefined;
  readonly priority?: Priority | undefined;
  /** Language of a template send to a bare address (a user's own language otherwise); default `en`. */
  readonly locale?: string | undefined;
  readonly metadata?: NotificationMetadata | undefined;
  /** The same key twice is one notification (the second request gets the first back). */
  readonly deduplicationKey?: string | undefined;
  /** Not before this instant (default: now). */
  readonly sendAt?: Date | undefined;
}

export type SendOutcome =
  /** Stored as pending; the worker delivers it. */
  | { readonly outcome: 'queued'; readonly notification: NotificationView }
  /** Stored as cancelled: the recipient opted out of this category on this channel. */
  | { readonly outcome: 'opted_out'; readonly notification: NotificationView }
  /** The de-duplication key was used before: that notification. */
  | { readonly outcome: 'duplicate'; readonly notification: NotificationView };

export type RecipientNotFound = DomainError<'notifications.recipient_not_found'>;
export type RecipientInactive = DomainError<'notifications.recipient_inactive'>;
export type NoAddress = DomainError<'notifications.no_address'>;
export type ChannelUnavailable = DomainError<'notifications.channel_unavailable'>;
export type CategoryRequired = DomainError<'notifications.category_required'>;

export type SendError =
  | NotificationRejected
  | TemplateError
  | RecipientNotFound
  | RecipientInactive
  | NoAddress
  | ChannelUnavailable
  | CategoryRequired;

interface Recipient {
  readonly userId: string | null;
  readonly address: string;
  readonly contact: UserContact | undefined;
  /** A user's preferences (read once: their SMS/push address and their opt-outs). */
  readonly preferences: NotificationPreferences | undefined;
}

/**
 * Validates a send, checks the recipient's preferences and stores the notification as pending
 * (its `notification.queued` event in the same transaction): the worker delivers it, the
 * caller never waits for a provider. Runs in the caller's transaction when there is one, so a
 * module's change and the message it causes commit together.
 */
@injectable()
export class SendNotification {
  constructor(
    @inject(NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(PreferencesRepository) private readonly preferences: PreferencesRepository,
    @inject(UsersContract) private readonly users: UsersContract,
    @inject(TemplateCatalog) private readonly templates: TemplateCatalog,
    @inject(NotificationsSettings) private readonly settings: NotificationsSettings,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(request: SendRequest): ResultAsync<SendOutcome, SendError> {
    return this.uow.result(() => new ResultAsync(this.send(request)));
  }

  private async send(request: SendRequest): Promise<Result<SendOutcome, SendError>> {
    if (!this.settings.channels[request.channel]) {
      return err({
        type: 'notifications.channel_unavailable',
        message: `no ${request.channel} provider is configured`,
        details: { field: 'channel' },
      });
    }
    if (request.deduplicationKey !== undefined) {
      const key = checkDeduplicationKey(request.deduplicationKey);
      if (key.isErr()) return err(key.error);
      const existing = await this.notifications.findByDeduplicationKey(request.deduplicationKey);
      if (existing !== undefined) return ok({ outcome: 'duplicate', notification: toNotificationView(existing.state) });
    }
    const recipient = await this.recipient(request);
    if (recipient.isErr()) return err(recipient.error);
    const { userId, address, contact, preferences } = recipient.value;

    const content = this.content(request, contact);
    if (content.isErr()) return err(content.error);
    const priority = request.priority ?? 'normal';
    const now = this.clock.now();
    const created = Notification.request(
      {
        id: this.ids.next(),
        userId,
        channel: request.channel,
        recipient: address,
        subject: content.value.subject,
        message: content.value.message,
        html: content.value.html,
        category: content.value.category,
        priority,
        metadata: request.metadata ?? {},
        templateKey: 'template' in request.content ? request.content.template : null,
        locale: content.value.locale,
        deduplicationKey: request.deduplicationKey ?? null,
        sendAt: request.sendAt ?? null,
      },
      this.settings.contentPolicy,
      now,
    );
    if (created.isErr()) return err(created.error);
    const notification = created.value;
    let outcome: 'queued' | 'opted_out' = 'queued';
    if (preferences !== undefined && !wants(preferences, request.channel, content.value.category, priority)) {
      notification.cancel(`the recipient opted out of ${content.value.category} messages by ${request.channel}`, now);
      outcome = 'opted_out';
    }
    const added = await this.notifications.add(notification);
    if (added.isErr()) {
      // Another request with the same key won the race: this one is that one.
      const winner = await this.notifications.findByDeduplicationKey(request.deduplicationKey as string);
      if (winner === undefined)
        throw new Error(`de-duplication key ${request.deduplicationKey} is taken but its notification is not found`);
      return ok({ outcome: 'duplicate', notification: toNotificationView(winner.state) });
    }
    return ok({ outcome, notification: toNotificationView(notification.state) });
  }

  private async recipient(request: SendRequest): Promise<Result<Recipient, SendError>> {
    if ('address' in request.to) {
      const address = parseRecipient(request.channel, request.to.address, 'address');
      return address.map((value) => ({ userId: null, address: value, contact: undefined, preferences: undefined }));
    }
    const contact = await this.users.getContact(request.to.userId);
    if (contact === undefined) {
      return err({
        type: 'notifications.recipient_not_found',
        message: `there is no user ${request.to.userId}`,
        details: { field: 'userId' },
      });
    }
    if (contact.status === 'deactivated') {
      return err({
        type: 'notifications.recipient_inactive',
        message: 'the recipient’s account is deactivated',
        details: { field: 'userId' },
      });
    }
    const preferences = await this.preferences.get(contact.id);
    if (request.channel === 'email') return ok({ userId: contact.id, address: contact.email, contact, preferences });
    const address = request.channel === 'sms' ? preferences.phoneNumber : preferences.pushToken;
    if (address === null) {
      return err({
        type: 'notifications.no_address',
        message: `the recipient has no ${request.channel === 'sms' ? 'phone number' : 'push device'} in their notification preferences`,
        details: { field: 'channel' },
      });
    }
    return ok({ userId: contact.id, address, contact, preferences });
  }

  private content(
    request: SendRequest,
    contact: UserContact | undefined,
  ): Result<
    { subject: string | null; message: string; html: string | null; category: Category; locale: string | null },
    SendError
  > {
    const content = request.content;
    if ('template' in content) {
      const rendered = this.templates.render({
        key: content.template,
        channel: request.channel,
        locale: contact?.locale ?? request.locale ?? 'en',
        timeZone: contact?.timeZone ?? 'UTC',
        variables: content.variables ?? {},
      });
      if (rendered.isErr()) return err(rendered.error);
      if (request.category !== undefined && request.category !== rendered.value.category) {
        return err({
          type: 'notifications.category_required',
          message: `template "${content.template}" is a ${rendered.value.category} message; leave category out or send ${rendered.value.category}`,
          details: { field: 'category' },
        });
      }
      return ok({ ...rendered.value });
    }
    if (request.category === undefined) {
      return err({
        type: 'notifications.category_required',
        message: 'say what the message is about: security, transactional, reminder or announcement',
        details: { field: 'category' },
      });
    }
    return ok({
      subject: content.subject ?? null,
      message: content.message,
      html: null,
      category: request.category,
      locale: null,
    });
  }
}
