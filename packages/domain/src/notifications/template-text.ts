/** `{{ name }}`: a variable of a message template. Nothing else is special (no logic in templates). */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The variable names a template text uses, each once, in order of first use. */
export function placeholdersOf(source: string): string[] {
  return [...new Set([...source.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

/**
 * Replaces every `{{ name }}` with its value, passed through `encode` (for HTML: {@link escapeHtml}).
 * A variable without a value is an error of the caller: it throws, naming it.
 */
export function fillPlaceholders(
  source: string,
  values: Readonly<Record<string, string>>,
  encode: (text: string) => string = (text) => text,
): string {
  return source.replace(PLACEHOLDER, (_, name: string) => {
    // Own keys only: `{{ toString }}` must not find Object.prototype.toString.
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new RangeError(`template variable "${name}" has no value`);
    return encode(value);
  });
}
