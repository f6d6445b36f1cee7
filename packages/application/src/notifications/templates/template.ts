import {
  type Category,
  type Channel,
  type ContentPolicy,
  escapeHtml,
  fillPlaceholders,
  findTerm,
  placeholdersOf,
} from '@aura/domain/notifications';
import type { DomainError } from '@aura/domain/platform';
import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';

/** The text of a template for one channel in one language. `{{ name }}` inserts a variable. */
export interface ChannelText {
  /** Email only (required there). */
  readonly subject?: string;
  readonly text: string;
  /**
   * Email only: an HTML body. Variables are HTML-escaped in it. Without one, the HTML
   * alternative is the text, escaped, in paragraphs.
   */
  readonly html?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: any zod object shape
type AnyShape = z.ZodObject<any>;

/**
 * A message template: one key, the channels it can go on, typed variables, and its texts per
 * language (`en` is required for every channel and is the fallback).
 */
export interface TemplateDefinition<S extends AnyShape = AnyShape> {
  readonly key: string;
  readonly category: Category;
  readonly channels: readonly Channel[];
  /** Validated at send time; every variable a text uses must be declared here. */
  readonly variables: S;
  /** Variables holding an instant (ISO 8601): shown in the recipient's language and time zone. */
  readonly dateTimes?: readonly (keyof z.infer<S> & string)[];
  /**
   * The only variables SMS and push texts may use: values that cannot carry clinical details
   * (times, links, first names). A lock screen is not private.
   */
  readonly discreet?: readonly (keyof z.infer<S> & string)[];
  readonly texts: Readonly<Record<string, Partial<Record<Channel, ChannelText>>>>;
}

export function defineTemplate<S extends AnyShape>(definition: TemplateDefinition<S>): TemplateDefinition<S> {
  return definition;
}

export type UnknownTemplate = DomainError<'notifications.unknown_template'>;
export type TemplateChannelUnsupported = DomainError<'notifications.template_channel_unsupported'>;
export type InvalidTemplateVariables = DomainError<'notifications.invalid_template_variables'>;
export type TemplateError = UnknownTemplate | TemplateChannelUnsupported | InvalidTemplateVariables;

export interface RenderedMessage {
  readonly subject: string | null;
  readonly message: string;
  readonly html: string | null;
  /** The language actually used (after falling back). */
  readonly locale: string;
  readonly category: Category;
}

export interface RenderInput {
  readonly key: string;
  readonly channel: Channel;
  /** BCP 47; falls back from `pt-BR` to `pt` to `en`. */
  readonly locale: string;
  readonly timeZone: string;
  readonly variables: unknown;
}

/** `pt-BR` → [`pt-br`, `pt`, `en`]. */
function fallbacks(locale: string): string[] {
  const lower = locale.toLowerCase();
  const language = lower.split('-')[0] ?? 'en';
  return [...new Set([lower, language, 'en'])];
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

function formatDateTime(iso: string, locale: string, timeZone: string): string {
  const date = new Date(iso);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone });
  } catch {
    // A language Intl does not know: English, still on the recipient's clock.
    format = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone });
  }
  return `${format.format(date)} (${timeZone})`;
}

/**
 * The templates Aura can send, checked once when built: a text that uses an undeclared
 * variable, an SMS or push text that uses a variable not marked discreet or says something
 * clinical, or a channel without an `en` text, is a programming error and throws here
 * (at start-up), never at send time.
 */
export class TemplateCatalog {
  readonly #templates = new Map<string, TemplateDefinition>();

  constructor(
    templates: readonly TemplateDefinition[],
    private readonly policy: ContentPolicy,
  ) {
    for (const template of templates) this.add(template);
  }

  add(template: TemplateDefinition): void {
    if (this.#templates.has(template.key)) throw new Error(`template "${template.key}" is defined twice`);
    const declared = new Set(Object.keys(template.variables.shape));
    const discreet = new Set<string>(template.discreet ?? []);
    for (const channel of template.channels) {
      if (template.texts.en?.[channel] === undefined)
        throw new Error(`template "${template.key}" has no English (en) text for ${channel}`);
    }
    for (const [locale, byChannel] of Object.entries(template.texts)) {
      for (const [channel, text] of Object.entries(byChannel) as [Channel, ChannelText][]) {
        const where = `template "${template.key}" (${locale}, ${channel})`;
        if (!template.channels.includes(channel)) throw new Error(`${where}: ${channel} is not one of its channels`);
        if (channel === 'email' && (text.subject === undefined || text.subject.trim() === ''))
          throw new Error(`${where}: an email needs a subject`);
        const sources = [text.subject ?? '', text.text, text.html ?? ''];
        for (const name of sources.flatMap(placeholdersOf)) {
          if (!declared.has(name)) throw new Error(`${where} uses {{${name}}}, which is not a declared variable`);
          if (channel !== 'email' && !discreet.has(name))
            throw new Error(
              `${where} uses {{${name}}}, which is not marked discreet (SMS and push must not carry clinical details)`,
            );
        }
        if (channel !== 'email') {
          const term = sources.map((source) => findTerm(source, this.policy.clinicalTerms)).find((t) => t !== undefined);
          if (term !== undefined) throw new Error(`${where} mentions "${term}": SMS and push must not carry clinical details`);
        }
      }
    }
    this.#templates.set(template.key, template);
  }

  get(key: string): TemplateDefinition | undefined {
    return this.#templates.get(key);
  }

  keys(): string[] {
    return [...this.#templates.keys()].sort();
  }

  render(input: RenderInput): Result<RenderedMessage, TemplateError> {
    const template = this.#templates.get(input.key);
    if (template === undefined)
      return err({
        type: 'notifications.unknown_template',
        message: `there is no template "${input.key}"`,
        details: { field: 'template' },
      });
    if (!template.channels.includes(input.channel)) {
      return err({
        type: 'notifications.template_channel_unsupported',
        message: `template "${input.key}" has no ${input.channel} version (it has ${template.channels.join(', ')})`,
        details: { field: 'channel' },
      });
    }
    const parsed = template.variables.safeParse(input.variables ?? {});
    if (!parsed.success) {
      return err({
        type: 'notifications.invalid_template_variables',
        message: `the variables of template "${input.key}" are not valid: ${parsed.error.issues
          .map((issue) => `${issue.path.join('.') || '(variables)'}: ${issue.message}`)
          .join('; ')}`,
        details: {
          field: 'variables',
          issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
        },
      });
    }
    const locale = fallbacks(input.locale).find((candidate) => template.texts[candidate]?.[input.channel] !== undefined) ?? 'en';
    const text = template.texts[locale]?.[input.channel] as ChannelText;
    const dateTimes = new Set<string>(template.dateTimes ?? []);
    const data = parsed.data as Record<string, unknown>;
    // Every declared variable gets a value: an optional one left out (or null) shows as nothing.
    const values = Object.fromEntries(
      Object.keys(template.variables.shape).map((name) => {
        const value = data[name];
        if (value === undefined || value === null) return [name, ''];
        return [name, dateTimes.has(name) ? formatDateTime(String(value), input.locale, input.timeZone) : String(value)];
      }),
    );
    const message = fillPlaceholders(text.text, values);
    const html =
      input.channel !== 'email'
        ? null
        : text.html !== undefined
          ? fillPlaceholders(text.html, values, escapeHtml)
          : paragraphs(message);
    return ok({
      subject: text.subject === undefined ? null : fillPlaceholders(text.subject, values),
      message,
      html,
      locale,
      category: template.category,
    });
  }
}
