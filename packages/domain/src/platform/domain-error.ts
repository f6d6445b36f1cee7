/**
 * An expected business failure: a plain, serialisable value with a stable `type`
 * (`<module>.<snake_case_reason>`, e.g. `therapy.slot_unavailable`). Use cases return
 * these inside `err(...)`; the HTTP layer maps `type` to a status and a problem document.
 */
export interface DomainError<TType extends string = string> {
  readonly type: TType;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function domainError<TType extends string>(
  type: TType,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): DomainError<TType> {
  return details === undefined ? { type, message } : { type, message, details };
}

export function isDomainError(value: unknown): value is DomainError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
