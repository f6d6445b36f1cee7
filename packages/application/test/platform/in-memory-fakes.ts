/**
 * Small in-memory fakes of platform ports, for use-case tests in the application layer.
 * They keep to the port's documented behaviour and no more.
 */

import type { DeadLetter } from '../../src/platform/dead-letters/dead-letter.js';
import type { DeadLetterQuery, DeadLetterStore } from '../../src/platform/dead-letters/dead-letter-store.port.js';
import type { Page } from '../../src/platform/pagination.js';
import type { Clock } from '../../src/platform/ports/clock.port.js';
import type { JobQueue, JobToEnqueue, QueueCounts } from '../../src/platform/ports/job-queue.port.js';

export class InMemoryDeadLetterStore implements DeadLetterStore {
  readonly letters = new Map<string, DeadLetter>();

  async record(entry: Omit<DeadLetter, 'replayCount' | 'replayedAt'>): Promise<void> {
    const existing = [...this.letters.values()].find((l) => l.queue === entry.queue && l.jobId === entry.jobId);
    if (existing) {
      this.letters.set(existing.id, {
        ...existing,
        attempts: entry.attempts,
        lastError: entry.lastError,
        failedAt: entry.failedAt,
      });
      return;
    }
    this.letters.set(entry.id, { ...entry, replayCount: 0, replayedAt: null });
  }

  async list(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    const matching = [...this.letters.values()]
      .filter((l) => query.status === 'all' || (query.status === 'parked') === (l.replayedAt === null))
      .filter((l) => query.queue === undefined || l.queue === query.queue)
      .filter((l) => query.cursor === undefined || l.id < query.cursor)
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const items = matching.slice(0, query.limit);
    return { items, nextCursor: matching.length > query.limit ? (items.at(-1)?.id ?? null) : null };
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    return this.letters.get(id);
  }

  async markReplayed(id: string, expectedReplayCount: number, at: Date): Promise<boolean> {
    const letter = this.letters.get(id);
    if (letter === undefined || letter.replayCount !== expectedReplayCount) return false;
    this.letters.set(id, { ...letter, replayCount: letter.replayCount + 1, replayedAt: at });
    return true;
  }

  async countParked(): Promise<number> {
    return [...this.letters.values()].filter((l) => l.replayedAt === null).length;
  }
}

/** Records what was enqueued; `onEnqueue` runs inside `enqueue` (to fail it, or to race it). */
export class InMemoryRecordingJobQueue implements JobQueue {
  readonly enqueued: JobToEnqueue[] = [];
  onEnqueue: (job: JobToEnqueue) => Promise<void> = async () => {};

  async enqueue<TData>(job: JobToEnqueue<TData>): Promise<void> {
    await this.onEnqueue(job);
    this.enqueued.push(job);
  }
  async enqueueMany(jobs: readonly JobToEnqueue[]): Promise<void> {
    for (const job of jobs) await this.enqueue(job);
  }
  async process(): Promise<void> {
    throw new Error('InMemoryRecordingJobQueue does not run jobs');
  }
  async counts(): Promise<QueueCounts> {
    return { waiting: this.enqueued.length, active: 0, delayed: 0, failed: 0 };
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

export class FixedClock implements Clock {
  constructor(public time: Date) {}
  now(): Date {
    return new Date(this.time);
  }
}
