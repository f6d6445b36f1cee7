import { type DomainError, domainError } from '@aura/domain';
import { inject, injectable } from 'inversify';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../actor.js';
import { Clock } from '../ports/clock.port.js';
import { JobQueue } from '../ports/job-queue.port.js';
import type { DeadLetter } from './dead-letter.js';
import { DeadLetterStore } from './dead-letter-store.port.js';

export interface ReplayDeadLetterInput {
  readonly actor: Actor;
  readonly id: string;
}

export type ReplayDeadLetterError =
  | Forbidden
  | DomainError<'platform.dead_letter_not_found'>
  | DomainError<'platform.dead_letter_replay_conflict'>;

/**
 * Puts a parked job back on its queue with a fresh attempt budget. The job id is derived
 * from the dead letter and its replay number, so a replay retried after a crash, or two
 * admins replaying at once, enqueue one job; the conditional update lets one of them win.
 */
@injectable()
export class ReplayDeadLetter {
  constructor(
    @inject(DeadLetterStore) private readonly store: DeadLetterStore,
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(input: ReplayDeadLetterInput): ResultAsync<DeadLetter, ReplayDeadLetterError> {
    return requireRole(input.actor, 'admin')
      .asyncAndThen(() => ResultAsync.fromSafePromise(this.store.get(input.id)))
      .andThen((letter) =>
        letter === undefined
          ? errAsync(domainError('platform.dead_letter_not_found', `no dead letter ${input.id}`))
          : okAsync(letter),
      )
      .andThen((letter) => this.replay(letter));
  }

  private replay(letter: DeadLetter): ResultAsync<DeadLetter, ReplayDeadLetterError> {
    const replayCount = letter.replayCount + 1;
    const at = this.clock.now();
    const enqueue = this.queue.enqueue({
      queue: letter.queue,
      name: letter.jobName,
      data: letter.data,
      options: { jobId: `${letter.jobId}:replay:${replayCount}` },
    });
    return ResultAsync.fromSafePromise(enqueue.then(() => this.store.markReplayed(letter.id, letter.replayCount, at))).andThen(
      (marked) =>
        marked
          ? okAsync({ ...letter, replayCount, replayedAt: at })
          : errAsync(domainError('platform.dead_letter_replay_conflict', `dead letter ${letter.id} was replayed concurrently`)),
    );
  }
}
