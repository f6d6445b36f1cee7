import { inject, injectable } from 'inversify';
import { NotificationsContract, type SendError } from '../notifications/contract.js';
import type { IntegrationEvent, IntegrationEventHandler } from '../platform/events/index.js';
import { Clock } from '../platform/ports/clock.port.js';
import { Logger } from '../platform/ports/logger.port.js';
import { UnitOfWork } from '../platform/ports/unit-of-work.port.js';
import { UsersContract } from '../users/contract.js';
import { SessionRepository } from './ports/session.repository.port.js';
import { TherapistRepository } from './ports/therapist.repository.port.js';
import { TherapySettings } from './ports/therapy-settings.js';

const CHANNELS = ['email', 'sms', 'push'] as const;
type Role = 'patient' | 'therapist';
const ROLES: readonly Role[] = ['patient', 'therapist'];

/** A recipient without an address for a channel, a channel with no provider, an account gone: nothing to send there. */
const SKIPPED: ReadonlySet<SendError['type']> = new Set([
  'notifications.no_address',
  'notifications.channel_unavailable',
  'notifications.recipient_inactive',
  'notifications.recipient_not_found',
]);

/** `https://x.org/app/appointments` + `/<id>`. */
export const appointmentLink = (settings: TherapySettings, sessionId: string) =>
  new URL(sessionId, settings.appointmentUrl.endsWith('/') ? settings.appointmentUrl : `${settings.appointmentUrl}/`).toString();

/** The de-duplication key of one reminder: the session, its version, the offset, who and how. */
export const reminderKey = (sessionId: string, version: number, offsetMinutes: number, role: Role, channel: string) =>
  `therapy:reminder:${sessionId}:v${version}:${offsetMinutes}m:${role}:${channel}`;

/** Sends a template to a user on every channel they can be reached on, once per key. */
@injectable()
export class AppointmentMessenger {
  constructor(
    @inject(NotificationsContract) private readonly notifications: NotificationsContract,
    @inject(UsersContract) private readonly users: UsersContract,
  ) {}

  async nameOf(userId: string): Promise<string> {
    return (await this.users.getProfile(userId))?.displayName ?? 'your contact';
  }

  async send(
    userId: string,
    template: string,
    variables: Record<string, string>,
    key: (channel: string) => string,
    sendAt?: Date,
  ): Promise<void> {
    for (const channel of CHANNELS) {
      const sent = await this.notifications.send({
        to: { userId },
        channel,
        content: { template, variables },
        deduplicationKey: key(channel),
        ...(sendAt === undefined ? {} : { sendAt }),
      });
      if (sent.isErr() && !SKIPPED.has(sent.error.type))
        throw new Error(`${template} could not be queued on ${channel}: ${sent.error.type}: ${sent.error.message}`);
    }
  }
}

interface SessionEventData {
  readonly sessionId: string;
  readonly patientId: string;
  readonly therapistId: string;
  readonly startsAt: string;
  readonly previousStartsAt?: string;
  readonly rescheduledBy?: { readonly userId: string | null };
  readonly cancelledBy?: { readonly userId: string | null };
}

/**
 * `therapy_session.scheduled` → a confirmation to the patient and a notice to the therapist;
 * `.rescheduled` and `.cancelled` → a message to the other party (to both when an admin or Aura
 * acted). Once per event and recipient and channel, whatever happens to the event.
 */
@injectable()
export class NotifySessionChange implements IntegrationEventHandler<SessionEventData> {
  constructor(
    @inject(AppointmentMessenger) private readonly messenger: AppointmentMessenger,
    @inject(TherapySettings) private readonly settings: TherapySettings,
  ) {}

  async handle(event: IntegrationEvent<SessionEventData>): Promise<void> {
    const data = event.data;
    const ids: Record<Role, string> = { patient: data.patientId, therapist: data.therapistId };
    const url = appointmentLink(this.settings, data.sessionId);
    const tell = async (role: Role, template: string, extra: Record<string, string> = {}) => {
      const other = ids[role === 'patient' ? 'therapist' : 'patient'];
      const variables = {
        displayName: await this.messenger.nameOf(ids[role]),
        withName: await this.messenger.nameOf(other),
        startsAt: data.startsAt,
        url,
        ...extra,
      };
      await this.messenger.send(ids[role], template, variables, (channel) => `${event.eventId}:${template}:${role}:${channel}`);
    };
    const others = (actor: { readonly userId: string | null } | undefined) => ROLES.filter((role) => ids[role] !== actor?.userId);
    switch (event.eventType) {
      case 'therapy_session.scheduled':
        await tell('patient', 'appointment.confirmed');
        await tell('therapist', 'appointment.booked');
        return;
      case 'therapy_session.rescheduled':
        for (const role of others(data.rescheduledBy))
          await tell(role, 'appointment.rescheduled', { previousStartsAt: data.previousStartsAt as string });
        return;
      case 'therapy_session.cancelled':
        for (const role of others(data.cancelledBy)) await tell(role, 'appointment.cancelled');
        return;
    }
  }
}

/**
 * Any session event → the reminders converge on the session as it is now, whatever order the
 * events arrive in and however often: a scheduled session has its reminders (24 h and 1 h
 * before by default, to both parties, on every channel they have) under keys carrying its
 * current version, and every older version's reminders are withdrawn; a session that is no
 * longer scheduled has none.
 */
@injectable()
export class ConvergeReminders implements IntegrationEventHandler<{ sessionId: string }> {
  constructor(
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(NotificationsContract) private readonly notifications: NotificationsContract,
    @inject(AppointmentMessenger) private readonly messenger: AppointmentMessenger,
    @inject(TherapySettings) private readonly settings: TherapySettings,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async handle(event: IntegrationEvent<{ sessionId: string }>): Promise<void> {
    const session = await this.sessions.findById(event.data.sessionId, { lock: true });
    if (session === undefined) return;
    const s = session.state;
    const current = s.status === 'scheduled' ? s.version : undefined;
    for (let version = 1; version <= s.version; version++) {
      if (version === current) continue;
      for (const offset of this.settings.reminderOffsetsMinutes)
        for (const role of ROLES)
          for (const channel of CHANNELS) {
            // Already sent, never queued, or already withdrawn: nothing to do (a cancel is idempotent).
            await this.notifications.cancel(reminderKey(s.id, version, offset, role, channel));
          }
    }
    if (current === undefined) return;
    const now = this.clock.now().getTime();
    const ids: Record<Role, string> = { patient: s.patientId, therapist: s.therapistId };
    for (const offset of this.settings.reminderOffsetsMinutes) {
      const sendAt = new Date(s.startsAt.getTime() - offset * 60_000);
      if (sendAt.getTime() <= now) continue;
      for (const role of ROLES) {
        const variables = {
          displayName: await this.messenger.nameOf(ids[role]),
          withName: await this.messenger.nameOf(ids[role === 'patient' ? 'therapist' : 'patient']),
          startsAt: s.startsAt.toISOString(),
          url: appointmentLink(this.settings, s.id),
        };
        await this.messenger.send(
          ids[role],
          'appointment.reminder',
          variables,
          (channel) => reminderKey(s.id, current, offset, role, channel),
          sendAt,
        );
      }
    }
  }
}

/**
 * `user.deactivated` → the user's future sessions are cancelled by Aura (no fee; reason
 * `therapist_unavailable` or `patient_unavailable`), which tells the other party; a therapist's
 * profile leaves the list.
 */
@injectable()
export class CancelSessionsOfDeactivatedUser implements IntegrationEventHandler<{ userId: string }> {
  constructor(
    @inject(SessionRepository) private readonly sessions: SessionRepository,
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async handle(event: IntegrationEvent<{ userId: string }>): Promise<void> {
    const userId = event.data.userId.toLowerCase();
    await this.uow.transaction(async () => {
      const now = this.clock.now();
      if ((await this.therapists.findById(userId)) !== undefined) await this.therapists.setListed(userId, false, now);
      let cancelled = 0;
      for (const id of await this.sessions.futureScheduledOf(userId, now)) {
        const session = await this.sessions.findById(id, { lock: true });
        if (session === undefined || session.state.status !== 'scheduled') continue;
        const reason = session.state.therapistId === userId ? 'therapist_unavailable' : 'patient_unavailable';
        session.cancel({ role: 'system', userId: null }, reason, null, now)._unsafeUnwrap();
        (await this.sessions.save(session))._unsafeUnwrap();
        cancelled += 1;
      }
      this.logger.info('sessions of a deactivated account cancelled', { userId, cancelled });
    });
  }
}

/** `user.reactivated` → a therapist's profile is listed again. */
@injectable()
export class RelistReactivatedTherapist implements IntegrationEventHandler<{ userId: string }> {
  constructor(
    @inject(TherapistRepository) private readonly therapists: TherapistRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async handle(event: IntegrationEvent<{ userId: string }>): Promise<void> {
    const userId = event.data.userId.toLowerCase();
    if ((await this.therapists.findById(userId)) !== undefined) await this.therapists.setListed(userId, true, this.clock.now());
  }
}
