import type { Page } from '../pagination.js';
import type { DeadLetter, DeadLetterStatus } from './dead-letter.js';

export interface DeadLetterQuery {
  readonly status: DeadLetterStatus;
  readonly queue?: string;
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Jobs that failed every attempt, parked with their last error until an admin replays them. */
export interface DeadLetterStore {
  record(entry: Omit<DeadLetter, 'replayCount' | 'replayedAt'>): Promise<void>;
  list(query: DeadLetterQuery): Promise<Page<DeadLetter>>;
  get(id: string): Promise<DeadLetter | undefined>;
  /** Marks a replay, only if `replayCount` is still `expectedReplayCount`; false otherwise. */
  markReplayed(id: string, expectedReplayCount: number, at: Date): Promise<boolean>;
  /** Dead letters not replayed yet (a metric). */
  countParked(): Promise<number>;
}
export const DeadLetterStore = Symbol.for('aura.platform.DeadLetterStore');
