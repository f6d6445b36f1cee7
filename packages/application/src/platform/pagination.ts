/** A page of a list ordered by a stable key; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 100;

/**
 * The page in `fetched`: up to `limit + 1` rows read in page order, the extra one only telling
 * that there is more. `toItem` maps the rows kept; the cursor is the id of the last item.
 */
export function pageOf<R, T extends { readonly id: string }>(
  fetched: readonly R[],
  limit: number,
  toItem: (row: R) => T,
): Page<T> {
  const items = fetched.slice(0, limit).map(toItem);
  return { items, nextCursor: fetched.length > limit ? (items.at(-1)?.id ?? null) : null };
}
