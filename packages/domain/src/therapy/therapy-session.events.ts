import type { DomainEvent } from '../platform/domain-event.js';
import type { ActorRole, CancellationReason, FeeReason, Modality, SessionStatus, WaiverReason } from './therapy-session.types.js';

/** Who acted, as events carry it. */
export interface ActorFacts {
  readonly role: ActorRole;
  readonly userId: string | null;
}

/**
 * What every session event says: ids, times, the session type, its price, and the session's
 * `version` after the change (consumers that see events out of order keep the highest). Never
 * names, notes or anything a person typed.
 */
export interface SessionFacts {
  readonly sessionId: string;
  readonly version: number;
  readonly status: SessionStatus;
  readonly patientId: string;
  readonly therapistId: string;
  readonly sessionTypeId: string;
  readonly modality: Modality;
  readonly durationMinutes: number;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly priceMinor: number;
  readonly currency: string;
}

export type SessionScheduled = DomainEvent<'therapy_session.scheduled', SessionFacts & { bookedBy: ActorFacts }>;
export type SessionRescheduled = DomainEvent<
  'therapy_session.rescheduled',
  SessionFacts & {
    previousStartsAt: string;
    previousEndsAt: string;
    rescheduledBy: ActorFacts;
    late: boolean;
    feeApplies: boolean;
    feeReason: FeeReason | null;
  }
>;
export type SessionStarted = DomainEvent<'therapy_session.started', SessionFacts & { startedAt: string; startedBy: ActorFacts }>;
export type SessionCompleted = DomainEvent<
  'therapy_session.completed',
  SessionFacts & { completedAt: string; completedBy: ActorFacts }
>;
export type SessionCancelled = DomainEvent<
  'therapy_session.cancelled',
  SessionFacts & {
    cancelledAt: string;
    cancelledBy: ActorFacts;
    reason: CancellationReason;
    late: boolean;
    feeApplies: boolean;
    feeReason: FeeReason | null;
  }
>;
export type SessionNoShow = DomainEvent<
  'therapy_session.no_show',
  SessionFacts & { markedAt: string; markedBy: ActorFacts; feeApplies: true; feeReason: 'no_show' }
>;
export type SessionFeeWaived = DomainEvent<
  'therapy_session.fee_waived',
  SessionFacts & { waivedAt: string; waivedBy: ActorFacts; waiverReason: WaiverReason; feeReason: FeeReason }
>;

export type SessionEvent =
  | SessionScheduled
  | SessionRescheduled
  | SessionStarted
  | SessionCompleted
  | SessionCancelled
  | SessionNoShow
  | SessionFeeWaived;
