import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
// An empty value is refused rather than coerced to 0 (`PORT=` must not mean "any free port").
const blankAsNaN = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? Number.NaN : value);
const int = (min: number, max: number) =>
  z.preprocess(
    blankAsNaN,
    z.coerce
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int({ error: `must be a whole number from ${min} to ${max}` })
      .min(min, { error: `must be a whole number from ${min} to ${max}` })
      .max(max, { error: `must be a whole number from ${min} to ${max}` }),
  );
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
/** For variables holding a JSON document (a key set, a key). */
const parseJson = (text: string, ctx: z.RefinementCtx): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
};

function isTrustProxy(value: string): boolean {
  if (/^\d+$/.test(value) || value === 'true' || value === 'false') return true;
  return value.split(',').every((entry) => {
    const [address, bits, ...rest] = entry.trim().split('/');
    if (address === undefined || rest.length > 0) return false;
    if (bits === undefined && ['loopback', 'linklocal', 'uniquelocal'].includes(address)) return true;
    const family = isIP(address);
    if (family === 0) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
}

/** Variables whose value is never echoed in an error (they hold credentials or keys). */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'AUTH_JWKS',
  'AUTH_SIGNING_KEY',
  'SMTP_URL',
  'NOTIFICATIONS_SMS_SECRET',
  'NOTIFICATIONS_PUSH_SECRET',
  'NOTIFICATIONS_EMAIL_WEBHOOK_SECRET',
]);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const secret = z.string().min(32, { error: 'must be at least 32 characters' });

/**
 * Every environment variable Aura reads, with its default. `.env.example` lists the same
 * variables; a test keeps the two in step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** `all` runs HTTP + worker + relay in one process; `http` and `worker` run one role each. */
  AURA_ROLE: z.enum(['all', 'http', 'worker']).default('all'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65_535).default(3000),
  /** PostgreSQL connection string; when absent, the embedded PGlite database is used. */
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  DATABASE_POOL_SIZE: int(1, 500).default(10),
  /** Where PGlite keeps its files (`memory://` for a throw-away in-memory database). */
  AURA_DATA_DIR: z.string().min(1).default('./.aura'),
  /** Run pending migrations at start-up (always on for PGlite). */
  DATABASE_MIGRATE_ON_START: bool.optional(),
  /** Redis connection string; when absent, the in-memory queue is used. */
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .default('aura'),
  JOB_ATTEMPTS: int(1, 100).default(8),
  JOB_BACKOFF_MS: int(1, 3_600_000).default(1_000),
  WORKER_CONCURRENCY: int(1, 1_000).default(10),
  /** BullMQ job lock: a job whose worker died runs elsewhere within about twice this. */
  JOB_LOCK_DURATION_MS: int(1_000, 600_000).default(30_000),
  OUTBOX_POLL_INTERVAL_MS: int(10, 60_000).default(250),
  OUTBOX_BATCH_SIZE: int(1, 10_000).default(200),
  /** Relays re-send deliveries of events published this recently but never handled … */
  OUTBOX_REDRIVE_WINDOW_HOURS: int(0, 24 * 365).default(72),
  /** … at start and then this often. */
  OUTBOX_REDRIVE_INTERVAL_S: int(10, 86_400).default(300),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('100kb'),
  HTTP_TRUST_PROXY: z
    .string()
    .refine(isTrustProxy, {
      error:
        'must be a hop count, true/false, or a comma-separated list of IP addresses, subnets (CIDR) or loopback/linklocal/uniquelocal',
    })
    .default('loopback'),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** JSON Web Key Set (public keys) used to verify access tokens. */
  AUTH_JWKS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform(parseJson)
      .pipe(
        z.object(
          {
            keys: z
              .array(
                z.looseObject({ kty: z.string() }).refine((key) => !('d' in key) && key.kty !== 'oct', {
                  error: 'must hold public keys only (no private "d", no symmetric "oct" keys)',
                }),
              )
              .min(1),
          },
          { error: 'must be a JSON Web Key Set: {"keys":[…]}' },
        ),
      )
      .optional(),
  ),
  AUTH_JWT_ISSUER: z.string().min(1).default('aura'),
  AUTH_JWT_AUDIENCE: z.string().min(1).default('aura-api'),
  /**
   * The PRIVATE key (a JWK: OKP Ed25519 or EC P-256, with a `kid`) that signs access tokens.
   * Required in production; otherwise generated once and kept in AURA_DATA_DIR.
   */
  AUTH_SIGNING_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform(parseJson)
      .pipe(
        z.union(
          [
            z.looseObject({
              kty: z.literal('OKP'),
              crv: z.literal('Ed25519'),
              kid: z.string().min(1),
              d: z.string(),
              x: z.string(),
            }),
            z.looseObject({
              kty: z.literal('EC'),
              crv: z.literal('P-256'),
              kid: z.string().min(1),
              d: z.string(),
              x: z.string(),
              y: z.string(),
            }),
          ],
          { error: 'must be a private JWK (OKP Ed25519 or EC P-256) with a "kid"' },
        ),
      )
      .optional(),
  ),
  /** Lifetime of an access token, in seconds (30 minutes). */
  AUTH_ACCESS_TOKEN_TTL_S: int(60, 86_400).default(1_800),
  /** Lifetime of a refresh token, in seconds (7 days); each use rotates it. */
  AUTH_REFRESH_TOKEN_TTL_S: int(300, 31_536_000).default(604_800),
  /** Failed logins for one account within AUTH_LOCKOUT_WINDOW_S that lock it … */
  AUTH_LOCKOUT_THRESHOLD: int(1, 1_000).default(5),
  AUTH_LOCKOUT_WINDOW_S: int(1, 86_400).default(900),
  /** … for this many seconds. */
  AUTH_LOCKOUT_DURATION_S: int(1, 86_400).default(900),
  /** Requests to /api/auth/* one client address may make per AUTH_RATE_LIMIT_WINDOW_S. */
  AUTH_RATE_LIMIT_MAX: int(1, 1_000_000).default(300),
  AUTH_RATE_LIMIT_WINDOW_S: int(1, 86_400).default(60),
  /** Another verification or password-reset email for one account is not sent within this many seconds. */
  AUTH_ACCOUNT_EMAIL_INTERVAL_S: int(0, 86_400).default(60),
  /** Lowest zxcvbn score (0-4) a new password needs. */
  AUTH_PASSWORD_MIN_SCORE: int(0, 4).default(3),
  /** Public address of the API, used in links sent by email. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default('http://localhost:3000'),
  /**
   * Where the development mailbox writes emails (`.eml` files, listed at GET /dev/mailbox
   * outside production). Default: `mail/` inside AURA_DATA_DIR; kept in memory when that is `memory://`.
   */
  DEV_MAILBOX_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  /**
   * SMTP server for email (`smtp://user:password@host:587`, `smtps://…:465`). Without it, email
   * goes to the development mailbox; required in production.
   */
  SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  /** The From of every email. */
  MAIL_FROM: z.string().min(3).default('Aura <no-reply@aura.localhost>'),
  /** SMS provider webhook (JSON POST, HMAC-signed); without it, SMS is off. */
  NOTIFICATIONS_SMS_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  /** Shared secret that signs requests to the SMS provider and verifies its delivery receipts (≥ 32 characters). */
  NOTIFICATIONS_SMS_SECRET: z.preprocess(emptyAsUndefined, secret.optional()),
  /** Push provider webhook; without it, push is off. */
  NOTIFICATIONS_PUSH_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  NOTIFICATIONS_PUSH_SECRET: z.preprocess(emptyAsUndefined, secret.optional()),
  /** Verifies bounce/delivery receipts posted by the email provider to /api/notifications/webhooks/email. */
  NOTIFICATIONS_EMAIL_WEBHOOK_SECRET: z.preprocess(emptyAsUndefined, secret.optional()),
  /** How long one call to a provider may take. */
  NOTIFICATIONS_PROVIDER_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Consecutive provider failures that open its circuit … */
  NOTIFICATIONS_BREAKER_THRESHOLD: int(1, 1_000).default(5),
  /** … and how long it stays open before one trial call (half-open). */
  NOTIFICATIONS_BREAKER_HALF_OPEN_S: int(1, 3_600).default(60),
  /** Attempts to hand a notification to its provider before it is marked failed. */
  NOTIFICATIONS_MAX_ATTEMPTS: int(1, 50).default(6),
  /** First retry delay; doubled after each failed attempt. */
  NOTIFICATIONS_RETRY_BACKOFF_MS: int(1, 3_600_000).default(10_000),
  /** How often the worker re-derives due (and scheduled) notifications from the database. */
  NOTIFICATIONS_SWEEP_INTERVAL_S: int(1, 3_600).default(30),
  /** Delivery jobs run at most this many at a time per worker process. */
  NOTIFICATIONS_DELIVERY_CONCURRENCY: int(1, 1_000).default(20),
  /** Webhook signatures older (or newer) than this are refused as replays. */
  NOTIFICATIONS_WEBHOOK_TOLERANCE_S: int(10, 86_400).default(300),
  /** Comma-separated words no notification may contain (whole words, any case). */
  NOTIFICATIONS_FORBIDDEN_WORDS: z.string().default('spam,phishing'),
  /** Therapy session reminders go this many minutes before the start (comma-separated; 24 h and 1 h). */
  THERAPY_REMINDER_OFFSETS_MINUTES: z
    .string()
    .regex(/^\s*\d{1,5}\s*(,\s*\d{1,5}\s*)*$/, { error: 'must be comma-separated whole numbers of minutes, like 1440,60' })
    .transform((value) => [...new Set(value.split(',').map((part) => Number(part.trim())))].filter((minutes) => minutes > 0))
    .refine((offsets) => offsets.length <= 5 && offsets.every((minutes) => minutes <= 30 * 24 * 60), {
      error: 'at most 5 offsets, each at most 43200 minutes (30 days)',
    })
    .default([1440, 60]),
  /** Longest range one slot search may ask for, in days. */
  THERAPY_SLOT_RANGE_MAX_DAYS: int(1, 366).default(31),
  /** Links in appointment messages and calendar entries: this plus `/<session id>` (the client app's page). */
  THERAPY_APPOINTMENT_URL: httpUrl.default('http://localhost:3000/appointments'),
  /** A calendar feed holds sessions from this many days back … */
  THERAPY_CALENDAR_PAST_DAYS: int(0, 3_650).default(90),
  /** … to this many days ahead. */
  THERAPY_CALENDAR_FUTURE_DAYS: int(1, 3_650).default(365),
  /** Serve `/docs` and `/openapi.json`. */
  API_DOCS_ENABLED: bool.default(true),
});

export type AuraConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** How a rejected value is quoted in the error: never at all for variables that hold secrets. */
const quote = (variable: string, value: string | undefined) =>
  SECRET_VARIABLES.has(variable) ? '(value hidden)' : `(got ${JSON.stringify(value ?? null)})`;

/**
 * Reads configuration once from the environment. A bad value throws a ConfigError naming
 * every offending variable and what was expected, so start-up fails fast.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AuraConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        return { variable, message: `${issue.message} ${quote(variable, env[variable])}` };
      }),
    );
  }
  const config = parsed.data;
  const problems: { variable: string; message: string }[] = [];
  // PGlite and the in-memory queue live inside one process: separate HTTP and worker
  // processes, or production, need the shared services.
  const why =
    config.AURA_ROLE !== 'all'
      ? `when AURA_ROLE=${config.AURA_ROLE} (the embedded database and queue serve one process only; \`npm start\` runs everything in one)`
      : config.NODE_ENV === 'production'
        ? 'when NODE_ENV=production (the embedded database and in-memory queue are for development and embedding)'
        : undefined;
  if (why !== undefined && config.DATABASE_URL === undefined)
    problems.push({ variable: 'DATABASE_URL', message: `is required ${why}` });
  if (why !== undefined && config.REDIS_URL === undefined)
    problems.push({ variable: 'REDIS_URL', message: `is required ${why}` });
  if (config.NODE_ENV === 'production' && config.AUTH_SIGNING_KEY === undefined)
    problems.push({
      variable: 'AUTH_SIGNING_KEY',
      message: 'is required when NODE_ENV=production (every process must sign access tokens with the same key)',
    });
  if (config.NODE_ENV === 'production' && config.SMTP_URL === undefined)
    problems.push({
      variable: 'SMTP_URL',
      message: 'is required when NODE_ENV=production (the development mailbox never sends real email)',
    });
  for (const channel of ['SMS', 'PUSH'] as const) {
    if (config[`NOTIFICATIONS_${channel}_URL`] !== undefined && config[`NOTIFICATIONS_${channel}_SECRET`] === undefined)
      problems.push({
        variable: `NOTIFICATIONS_${channel}_SECRET`,
        message: `is required when NOTIFICATIONS_${channel}_URL is set (requests to the provider are signed with it)`,
      });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Configuration for tests and embedding: defaults plus overrides, still validated. */
export function configFrom(overrides: Partial<Record<keyof AuraConfig, string>> = {}): AuraConfig {
  return loadConfig({ NODE_ENV: 'test', AURA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...overrides });
}

/**
 * What a runtime prints when start-up fails: the complete message of a known start-up error
 * (configuration, module graph, migration, unknown HTTP module), the stack of anything else.
 */
export function describeStartupError(error: unknown): string {
  const known = ['ConfigError', 'ModuleGraphInvalidError', 'MigrationError', 'HttpModuleNotInstalledError'];
  if (error instanceof Error) return known.includes(error.name) ? error.message : (error.stack ?? error.message);
  return String(error);
}

/** `HTTP_TRUST_PROXY` as Express takes it: a hop count, a boolean, or addresses/subnet names. */
export function trustProxySetting(value: string): number | boolean | string {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
