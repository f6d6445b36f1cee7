export interface DeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly jobName: string;
  readonly jobId: string;
  readonly data: unknown;
  readonly attempts: number;
  readonly lastError: string;
  readonly failedAt: Date;
  readonly replayCount: number;
  readonly replayedAt: Date | null;
}

export type DeadLetterStatus = 'parked' | 'replayed' | 'all';
