/**
 * The tools of the contract test: the served OpenAPI document as JSON Schemas (references
 * inlined) checked with Ajv (JSON Schema 2020-12, as OpenAPI 3.1 is), and candidate requests
 * made from each operation's documented examples by mutating them field by field (values from
 * the field's schema, boundary values, wrong types, missing and unknown fields). Ajv, not the
 * generator, decides whether a candidate satisfies the published schema: the test then holds
 * the server to it, both ways.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export type JsonSchema = { readonly [key: string]: unknown };

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface MediaType {
  readonly schema?: JsonSchema;
  readonly examples?: Readonly<Record<string, { readonly summary?: string; readonly value: unknown }>>;
}

export interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, MediaType>> };
  readonly responses: Readonly<
    Record<string, { readonly description: string; readonly content?: Readonly<Record<string, MediaType>> }>
  >;
  readonly security?: readonly unknown[];
  readonly 'x-aura-roles'?: readonly ('patient' | 'therapist' | 'admin')[];
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}

/** The schema with every `$ref` to `#/components/schemas/…` replaced by the component (Aura's are not recursive). */
export function inline(doc: OpenApiDocument, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inline(doc, item));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (target === undefined) throw new Error(`unresolved reference ${ref}`);
    return inline(doc, target);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inline(doc, value)]));
}

/** Compiled validators of the document's schemas (bodies strictly; parameters with their text coerced, as a query string is). */
export class SchemaOracle {
  readonly #strict = addFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true }));
  readonly #coercing = addFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true, coerceTypes: true }));
  readonly #cache = new Map<unknown, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {}

  #compile(schema: unknown, coerce: boolean): ValidateFunction {
    const key = coerce ? { coerce: schema } : schema;
    const cacheKey = JSON.stringify(key);
    let validate = this.#cache.get(cacheKey);
    if (validate === undefined) {
      validate = (coerce ? this.#coercing : this.#strict).compile(inline(this.doc, schema) as object);
      this.#cache.set(cacheKey, validate);
    }
    return validate;
  }

  /** Errors of `value` against `schema` (empty: it satisfies it). */
  errors(schema: unknown, value: unknown): string[] {
    const validate = this.#compile(schema, false);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  /** Whether the path and query values (text) satisfy the operation's parameters. */
  parametersValid(operation: Operation, values: { path: Record<string, string>; query: Record<string, string> }): boolean {
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'path' && parameter.in !== 'query') continue;
      const given = values[parameter.in][parameter.name];
      if (given === undefined) {
        if (parameter.required === true) return false;
        continue;
      }
      const holder = { value: given };
      const validate = this.#compile({ type: 'object', properties: { value: parameter.schema } }, true);
      if (!validate(holder)) return false;
    }
    return true;
  }
}

/** A deterministic stream of choices (the candidates of one operation are the same on every run). */
export function seeded(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    seed: () => Math.floor(next() * 0x7fff_ffff),
  };
}

export const hash = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + (c.codePointAt(0) ?? 0)) | 0, 7);

/** A few values drawn from a schema (valid ones, as far as a generator can tell; the oracle decides). */
export function drawn(schema: JsonSchema, seed: number, count = 3): unknown[] {
  try {
    return fc.sample(arbitrary(schema, 0), { numRuns: count, seed });
  } catch {
    return [];
  }
}

function arbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0)
      return fc.oneof(...(branches as JsonSchema[]).map((b) => arbitrary(b, depth)));
  }
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitrary({ ...schema, type: t }, depth)));
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -1_000,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1_000,
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return fc.array(arbitrary(items, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(3, Number(schema.maxItems ?? 3))),
      });
    }
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, arbitrary(s, depth + 1)]));
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in properties) });
    }
    case 'string':
      return stringArbitrary(schema);
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time')
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'email') return fc.constantFrom('ada@example.com', 'Grace.Hopper@Example.ORG');
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 300) : 40;
  if (typeof schema.pattern === 'string') {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((s) => s.length <= ((schema.maxLength as number | undefined) ?? Infinity));
    } catch {
      // A pattern fast-check cannot draw from (lookarounds): examples and mutations cover it.
    }
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength, unit: 'binary' }),
  );
}

/** Values at and past a schema's edges, of the right type and of wrong ones. */
export function edges(schema: JsonSchema): unknown[] {
  const values: unknown[] = [null, true, 42, 'text', [], {}];
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.includes('string')) {
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    values.push('', ' ', '   ', 'a', '\u0000', 'tab\there', 'zero\u200bwidth', 'Zoë Åström', '日本語');
    if (min > 1) values.push('a'.repeat(min - 1), 'a'.repeat(min), '😀'.repeat(min - 1));
    if (max !== undefined && max <= 10_000) {
      values.push('a'.repeat(max), 'a'.repeat(max + 1), '😀'.repeat(max), '😀'.repeat(max + 1), ` ${'a'.repeat(max - 1)} `);
    }
    if (schema.format === 'uuid')
      values.push('00000000-0000-0000-0000-000000000000', 'not-a-uuid', 'F3E5A1B2-C3D4-4E5F-8A9B-0C1D2E3F4A5B');
    if (schema.format === 'date-time')
      values.push('2026-13-01T00:00:00Z', '2026-11-21', '2026-11-21T10:00:00+01:00', 'yesterday');
  }
  if (type.includes('integer') || type.includes('number')) {
    for (const bound of [schema.minimum, schema.maximum]) if (typeof bound === 'number') values.push(bound, bound - 1, bound + 1);
    values.push(0, -1, 1.5, '7');
  }
  if (Array.isArray(schema.enum))
    values.push(...(schema.enum as unknown[]), 'not-one-of-them', String(schema.enum[0]).toUpperCase());
  if (type.includes('array')) values.push([null], ['x']);
  if (type.includes('object')) values.push({ unknown: 1 });
  return values;
}

/** Candidate bodies: the examples, then each one mutated field by field (deterministic for a seed). */
export function bodyCandidates(
  doc: OpenApiDocument,
  schema: JsonSchema,
  examples: readonly unknown[],
  seed: number,
  limit: number,
): unknown[] {
  const resolved = inline(doc, schema) as JsonSchema;
  const properties = (resolved.properties as Record<string, JsonSchema> | undefined) ?? {};
  const random = seeded(seed);
  const mutations: unknown[] = [null, [], 'a string', 7, {}];
  for (const example of examples) {
    if (example === null || typeof example !== 'object' || Array.isArray(example)) continue;
    const base = example as Record<string, unknown>;
    mutations.push({ ...base, unknownField: 'x' });
    for (const [name, property] of Object.entries(properties)) {
      const { [name]: _removed, ...without } = base;
      mutations.push(without);
      for (const value of [...edges(property), ...drawn(property, random.seed())]) mutations.push({ ...base, [name]: value });
    }
  }
  // Every example, then a seeded selection of the mutations.
  const chosen = new Set<number>();
  while (chosen.size < Math.min(limit, mutations.length)) chosen.add(Math.floor(random.next() * mutations.length));
  return [...examples, ...[...chosen].sort((a, b) => a - b).map((i) => mutations[i])];
}

/** Candidate path and query values: drawn values and edges of each parameter, one at a time. */
export function parameterCandidates(
  operation: Operation,
  seed: number,
  limit: number,
): Array<{ path: Record<string, string>; query: Record<string, string> }> {
  const parameters = (operation.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
  const random = seeded(seed);
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const basePath = Object.fromEntries(
    parameters.filter((p) => p.in === 'path').map((p) => [p.name, text(drawn(p.schema, random.seed(), 1)[0] ?? 'x')]),
  );
  const candidates: Array<{ path: Record<string, string>; query: Record<string, string> }> = [{ path: basePath, query: {} }];
  for (const parameter of parameters) {
    const values = [...drawn(parameter.schema, random.seed(), 3), ...edges(parameter.schema)].filter(
      (v) => v !== null && typeof v !== 'object',
    );
    for (const value of values) {
      // An empty path segment, or one with a slash, addresses another resource, not this one.
      if (parameter.in === 'path' && (text(value) === '' || text(value).includes('/'))) continue;
      candidates.push(
        parameter.in === 'path'
          ? { path: { ...basePath, [parameter.name]: text(value) }, query: {} }
          : { path: basePath, query: { [parameter.name]: text(value) } },
      );
    }
  }
  const chosen = new Set<number>([0]);
  while (chosen.size < Math.min(limit, candidates.length)) chosen.add(Math.floor(random.next() * candidates.length));
  return [...chosen].sort((a, b) => a - b).map((i) => candidates[i] as (typeof candidates)[number]);
}
