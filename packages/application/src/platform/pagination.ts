/** A page of a list ordered by a stable key; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 100;
