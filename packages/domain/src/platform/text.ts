const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that can be stored and sent as UTF-8: no lone surrogate halves and no NUL (PostgreSQL refuses both). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text) && !text.includes('\u0000');
}
