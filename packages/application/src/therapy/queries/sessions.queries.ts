import type { SessionStatus } from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import type { Actor } from '../../platform/actor.js';
import { MAX_PAGE_SIZE, type Page } from '../../platform/pagination.js';
import { SessionRepository } from '../ports/session.repository.port.js';
import { type SessionNotFound, therapyAppErrors } from '../therapy.app-errors.js';
import { type SessionView, sessionRole, toSessionView } from '../therapy.views.js';

/** A session, for its patient, its therapist or an admin; anyone else gets a 404. */
@injectable()
export class GetSession {
  constructor(@inject(SessionRepository) private readonly sessions: SessionRepository) {}

  execute(actor: Actor, sessionId: string): ResultAsync<SessionView, SessionNotFound> {
    return ResultAsync.fromSafePromise(this.sessions.findById(sessionId)).andThen((session) =>
      session === undefined || sessionRole(actor, session.state) === undefined
        ? err(therapyAppErrors.sessionNotFound(sessionId))
        : ok(toSessionView(session.state)),
    );
  }
}

export interface ListSessionsInput {
  readonly actor: Actor;
  readonly patientId?: string | undefined;
  readonly therapistId?: string | undefined;
  readonly status?: SessionStatus | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * Sessions in order of start. A patient sees theirs and a therapist theirs (their own id is
 * forced into the filter); an admin filters by patient, therapist, status and start.
 */
@injectable()
export class ListSessions {
  constructor(@inject(SessionRepository) private readonly sessions: SessionRepository) {}

  async execute(input: ListSessionsInput): Promise<Page<SessionView>> {
    const self = input.actor.userId.toLowerCase();
    const admin = input.actor.roles.includes('admin');
    const therapist = input.actor.roles.includes('therapist');
    const page = await this.sessions.list(
      {
        patientId: admin || therapist ? input.patientId?.toLowerCase() : self,
        therapistId: admin ? input.therapistId?.toLowerCase() : therapist ? self : input.therapistId?.toLowerCase(),
        status: input.status,
        from: input.from,
        to: input.to,
      },
      { limit: Math.min(Math.max(1, input.limit), MAX_PAGE_SIZE), cursor: input.cursor },
    );
    return { items: page.items.map(toSessionView), nextCursor: page.nextCursor };
  }
}
