/** A response remembered under an idempotency key, replayed to a retry of the same request. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentRequest {
  /** Whose key it is (the user id, or `anonymous`): keys of different callers never collide. */
  readonly scope: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** Fingerprint of the request body: the same key with another body is a client error. */
  readonly fingerprint: string;
}

export type IdempotencyBegin =
  | { readonly outcome: 'started' }
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  | { readonly outcome: 'in_progress' }
  | { readonly outcome: 'mismatch' };

/**
 * Idempotency keys for writes (`Idempotency-Key`). The database holds the guarantee: the
 * first request with a key claims it (a primary key), retries get its stored response, and
 * concurrent duplicates are told it is in progress.
 */
export interface IdempotencyStore {
  /**
   * Claims the key, or says what became of the request that claimed it. Keys expire after
   * `ttlMs`; a claim never completed within `staleMs` (its process died) may be taken over.
   */
  begin(
    request: IdempotentRequest,
    now: Date,
    limits: { readonly ttlMs: number; readonly staleMs: number },
  ): Promise<IdempotencyBegin>;
  complete(scope: string, key: string, response: StoredResponse, now: Date): Promise<void>;
  /** Forgets a claim whose request failed with a fault, so a retry can run it again. */
  release(scope: string, key: string): Promise<void>;
  /** Deletes the keys created before `before`; returns how many. */
  purgeCreatedBefore(before: Date): Promise<number>;
}
export const IdempotencyStore = Symbol.for('aura.platform.IdempotencyStore');

/** Keys live 24 hours; a claim never completed within a minute (its process died) may be taken over. */
export const IDEMPOTENCY_LIMITS = { ttlMs: 24 * 3_600_000, staleMs: 60_000 } as const;
