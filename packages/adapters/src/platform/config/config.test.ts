import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFrom, configSchema, describeStartupError, loadConfig, trustProxySetting } from './config.js';

const DEFAULTS = {
  NODE_ENV: 'development',
  AURA_ROLE: 'all',
  HOST: '127.0.0.1',
  PORT: 3000,
  DATABASE_POOL_SIZE: 10,
  AURA_DATA_DIR: './.aura',
  QUEUE_PREFIX: 'aura',
  JOB_ATTEMPTS: 8,
  JOB_BACKOFF_MS: 1_000,
  WORKER_CONCURRENCY: 10,
  JOB_LOCK_DURATION_MS: 30_000,
  OUTBOX_POLL_INTERVAL_MS: 250,
  OUTBOX_BATCH_SIZE: 200,
  OUTBOX_REDRIVE_WINDOW_HOURS: 72,
  OUTBOX_REDRIVE_INTERVAL_S: 300,
  HTTP_BODY_LIMIT: '100kb',
  HTTP_TRUST_PROXY: 'loopback',
  SHUTDOWN_TIMEOUT_MS: 10_000,
  LOG_LEVEL: 'info',
  AUTH_JWT_ISSUER: 'aura',
  AUTH_JWT_AUDIENCE: 'aura-api',
  AUTH_ACCESS_TOKEN_TTL_S: 1_800,
  AUTH_REFRESH_TOKEN_TTL_S: 604_800,
  AUTH_LOCKOUT_THRESHOLD: 5,
  AUTH_LOCKOUT_WINDOW_S: 900,
  AUTH_LOCKOUT_DURATION_S: 900,
  AUTH_RATE_LIMIT_MAX: 300,
  AUTH_RATE_LIMIT_WINDOW_S: 60,
  AUTH_ACCOUNT_EMAIL_INTERVAL_S: 60,
  AUTH_PASSWORD_MIN_SCORE: 3,
  PUBLIC_BASE_URL: 'http://localhost:3000',
  MAIL_FROM: 'Aura <no-reply@aura.localhost>',
  NOTIFICATIONS_PROVIDER_TIMEOUT_MS: 10_000,
  NOTIFICATIONS_BREAKER_THRESHOLD: 5,
  NOTIFICATIONS_BREAKER_HALF_OPEN_S: 60,
  NOTIFICATIONS_MAX_ATTEMPTS: 6,
  NOTIFICATIONS_RETRY_BACKOFF_MS: 10_000,
  NOTIFICATIONS_SWEEP_INTERVAL_S: 30,
  NOTIFICATIONS_DELIVERY_CONCURRENCY: 20,
  NOTIFICATIONS_WEBHOOK_TOLERANCE_S: 300,
  NOTIFICATIONS_FORBIDDEN_WORDS: 'spam,phishing',
  THERAPY_REMINDER_OFFSETS_MINUTES: [1440, 60],
  THERAPY_SLOT_RANGE_MAX_DAYS: 31,
  THERAPY_APPOINTMENT_URL: 'http://localhost:3000/appointments',
  THERAPY_CALENDAR_PAST_DAYS: 90,
  THERAPY_CALENDAR_FUTURE_DAYS: 365,
  API_DOCS_ENABLED: true,
};

const JWKS = '{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}';

const SIGNING_KEY =
  '{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}';

/** The problems of a configuration that must not load. */
function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has a default for every variable but the optional ones', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
    const optional = Object.keys(configSchema.shape).filter((name) => !(name in DEFAULTS));
    expect(optional.sort()).toEqual([
      'AUTH_JWKS',
      'AUTH_SIGNING_KEY',
      'DATABASE_MIGRATE_ON_START',
      'DATABASE_URL',
      'DEV_MAILBOX_DIR',
      'NOTIFICATIONS_EMAIL_WEBHOOK_SECRET',
      'NOTIFICATIONS_PUSH_SECRET',
      'NOTIFICATIONS_PUSH_URL',
      'NOTIFICATIONS_SMS_SECRET',
      'NOTIFICATIONS_SMS_URL',
      'REDIS_URL',
      'SMTP_URL',
    ]);
  });

  it('reads the process environment when given nothing', () => {
    expect(loadConfig().NODE_ENV).toBe(process.env.NODE_ENV ?? 'development');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' })).toEqual(DEFAULTS);
  });

  it('turns numbers into numbers and keeps URLs and key sets', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://aura:aura@db:5432/aura',
      REDIS_URL: 'rediss://cache:6380/2',
      AUTH_JWKS: JWKS,
      JOB_ATTEMPTS: '1',
    });
    expect(config.PORT).toBe(8080);
    expect(config.JOB_ATTEMPTS).toBe(1);
    expect(config.DATABASE_URL).toBe('postgresql://aura:aura@db:5432/aura');
    expect(config.REDIS_URL).toBe('rediss://cache:6380/2');
    expect(config.AUTH_JWKS).toEqual(JSON.parse(JWKS));
  });

  it('treats an empty URL or key set as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', REDIS_URL: '', AUTH_JWKS: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.AUTH_JWKS).toBeUndefined();
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads the boolean %s as %s', (text, value) => {
    const config = loadConfig({ API_DOCS_ENABLED: text, DATABASE_MIGRATE_ON_START: text });
    expect(config.API_DOCS_ENABLED).toBe(value);
    expect(config.DATABASE_MIGRATE_ON_START).toBe(value);
  });

  it.each([
    ['PORT', 'abc', /whole number from 0 to 65535 \(got "abc"\)/],
    ['PORT', '65536', /whole number from 0 to 65535/],
    ['PORT', '80.5', /whole number/],
    ['PORT', '', /whole number from 0 to 65535 \(got ""\)/],
    ['JOB_ATTEMPTS', '0', /whole number from 1 to 100/],
    ['OUTBOX_POLL_INTERVAL_MS', '5', /from 10 to 60000/],
    ['DATABASE_URL', 'mysql://x', /postgres:\/\/ or postgresql:\/\/ URL/],
    ['DATABASE_URL', 'not a url', /postgres/],
    ['REDIS_URL', 'http://cache:6379', /redis:\/\/ or rediss:\/\/ URL/],
    ['AUTH_JWKS', '{not json', /must be JSON/],
    ['AUTH_JWKS', '{"kty":"OKP"}', /expected array/],
    ['AUTH_JWKS', '{"keys":[]}', /expected array to have >=1 items/],
    ['AUTH_JWKS', '{"keys":[{"x":"y"}]}', /expected string/],
    ['AUTH_JWKS', '[1,2]', /JSON Web Key Set/],
    ['AUTH_SIGNING_KEY', '{not json', /must be JSON/],
    ['AUTH_SIGNING_KEY', '{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"abc"}', /private JWK/],
    ['AUTH_SIGNING_KEY', '{"kty":"oct","k":"c2VjcmV0","kid":"k1"}', /private JWK/],
    ['AUTH_SIGNING_KEY', '{"kty":"OKP","crv":"Ed25519","x":"abc","d":"def"}', /with a "kid"/],
    ['AUTH_ACCESS_TOKEN_TTL_S', '30', /from 60 to 86400/],
    ['AUTH_PASSWORD_MIN_SCORE', '5', /from 0 to 4/],
    ['PUBLIC_BASE_URL', 'ftp://aura.example', /http:\/\/ or https:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /"loud"/],
    ['NODE_ENV', 'staging', /"staging"/],
    ['AURA_ROLE', 'both', /"both"/],
    ['API_DOCS_ENABLED', 'maybe', /"maybe"/],
    ['DATABASE_MIGRATE_ON_START', 'TRUE', /"TRUE"/],
    ['QUEUE_PREFIX', 'has:colon', /"has:colon"/],
    ['HTTP_BODY_LIMIT', '10 gigabytes', /"10 gigabytes"/],
    ['HOST', '', /""/],
  ])('names %s when it is %j', (variable, value, message) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.message).toMatch(message);
  });

  it('reports every bad variable at once, in a message that names each', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.name).toBe('ConfigError');
    expect(configError.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    expect(configError.message.split('\n')[0]).toBe('invalid configuration:');
    for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(configError.message).toContain(`  - ${variable}: `);
  });

  it('never echoes the value of a variable that holds credentials or keys', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://aura:s3cr#t@db:3306/aura' });
    expect(problem?.message).toBe('must be a postgres:// or postgresql:// URL (value hidden)');
    const [redis] = problemsOf({ REDIS_URL: 'http://default:hunter2@cache' });
    expect(redis?.message).not.toContain('hunter2');
    const [jwks] = problemsOf({ AUTH_JWKS: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"abc","d":"private-part"}]}' });
    expect(jwks?.message).toContain('public keys only');
    expect(jwks?.message).not.toContain('private-part');
    const [signing] = problemsOf({ AUTH_SIGNING_KEY: '{"kty":"OKP","crv":"Ed25519","x":"abc","d":"the-private-part"}' });
    expect(signing?.message).toContain('(value hidden)');
    expect(signing?.message).not.toContain('the-private-part');
  });

  it('reads a private signing key and leaves the mailbox directory to the data directory by default', () => {
    const config = loadConfig({ AUTH_SIGNING_KEY: SIGNING_KEY, DEV_MAILBOX_DIR: '' });
    expect(config.AUTH_SIGNING_KEY).toMatchObject({ kty: 'OKP', kid: 'k1' });
    expect(config.DEV_MAILBOX_DIR).toBeUndefined();
    expect(loadConfig({ DEV_MAILBOX_DIR: '/var/mail/aura' }).DEV_MAILBOX_DIR).toBe('/var/mail/aura');
  });

  it('refuses symmetric keys in AUTH_JWKS', () => {
    expect(problemsOf({ AUTH_JWKS: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' })[0]?.variable).toBe('AUTH_JWKS');
  });

  it.each(['http', 'worker'])('requires DATABASE_URL and REDIS_URL when AURA_ROLE=%s', (role) => {
    const problems = problemsOf({ AURA_ROLE: role });
    expect(problems).toEqual([
      { variable: 'DATABASE_URL', message: expect.stringContaining(`is required when AURA_ROLE=${role}`) },
      { variable: 'REDIS_URL', message: expect.stringContaining(`is required when AURA_ROLE=${role}`) },
    ]);
    expect(problemsOf({ AURA_ROLE: role, DATABASE_URL: 'postgres://db/aura' }).map((p) => p.variable)).toEqual(['REDIS_URL']);
    expect(loadConfig({ AURA_ROLE: role, DATABASE_URL: 'postgres://db/aura', REDIS_URL: 'redis://cache' }).AURA_ROLE).toBe(role);
  });

  it('requires PostgreSQL, Redis, a signing key and SMTP in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.variable)).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'AUTH_SIGNING_KEY',
      'SMTP_URL',
    ]);
    expect(problemsOf({ NODE_ENV: 'production' })[0]?.message).toContain('when NODE_ENV=production');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/aura',
        REDIS_URL: 'redis://cache',
        AUTH_SIGNING_KEY: SIGNING_KEY,
        SMTP_URL: 'smtp://mail.example.org:587',
      }).NODE_ENV,
    ).toBe('production');
  });

  it('needs a secret of 32+ characters with each SMS or push provider, and never echoes it', () => {
    const secret = 'x'.repeat(32);
    expect(
      problemsOf({ NOTIFICATIONS_SMS_URL: 'https://sms.example.org', NOTIFICATIONS_PUSH_URL: 'https://push.example.org' }).map(
        (p) => p.variable,
      ),
    ).toEqual(['NOTIFICATIONS_SMS_SECRET', 'NOTIFICATIONS_PUSH_SECRET']);
    const short = problemsOf({ NOTIFICATIONS_SMS_URL: 'https://sms.example.org', NOTIFICATIONS_SMS_SECRET: 'too-short-secret' });
    expect(short).toEqual([{ variable: 'NOTIFICATIONS_SMS_SECRET', message: 'must be at least 32 characters (value hidden)' }]);
    expect(problemsOf({ SMTP_URL: 'http://user:hunter2@mail' })[0]).toEqual({
      variable: 'SMTP_URL',
      message: 'must be an smtp:// or smtps:// URL (value hidden)',
    });
    const config = loadConfig({ NOTIFICATIONS_SMS_URL: 'https://sms.example.org', NOTIFICATIONS_SMS_SECRET: secret });
    expect(config.NOTIFICATIONS_SMS_SECRET).toBe(secret);
    expect(problemsOf({ NOTIFICATIONS_SWEEP_INTERVAL_S: '0' })[0]?.variable).toBe('NOTIFICATIONS_SWEEP_INTERVAL_S');
  });

  it('validates HTTP_TRUST_PROXY and names it', () => {
    for (const good of ['loopback', '1', 'true', 'false', 'loopback, 10.0.0.0/8', '192.168.1.10', '::1/128']) {
      expect(loadConfig({ HTTP_TRUST_PROXY: good }).HTTP_TRUST_PROXY).toBe(good);
    }
    for (const bad of ['lopback', '10.0.0.0/33', 'a/b/c', '1.2.3', '']) {
      expect(problemsOf({ HTTP_TRUST_PROXY: bad })[0]?.variable).toBe('HTTP_TRUST_PROXY');
    }
  });

  it('accepts every port and refuses everything outside 0..65535', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 200_000 }), (port) => {
        const inRange = port >= 0 && port <= 65_535;
        if (inRange) expect(loadConfig({ PORT: String(port) }).PORT).toBe(port);
        else expect(problemsOf({ PORT: String(port) })[0]?.variable).toBe('PORT');
      }),
    );
  });
});

describe('configFrom', () => {
  it('starts from test defaults: in-memory database, silent logs', () => {
    expect(configFrom()).toEqual({ ...DEFAULTS, NODE_ENV: 'test', AURA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
  });

  it('lets overrides win, and still validates them', () => {
    expect(configFrom({ LOG_LEVEL: 'debug', PORT: '0' })).toMatchObject({ LOG_LEVEL: 'debug', PORT: 0, NODE_ENV: 'test' });
    expect(() => configFrom({ PORT: 'abc' })).toThrow(ConfigError);
  });
});

describe('therapy variables', () => {
  it('reads reminder offsets as distinct positive minutes, and refuses anything else', () => {
    expect(configFrom({ THERAPY_REMINDER_OFFSETS_MINUTES: ' 2880, 60,60 , 0' }).THERAPY_REMINDER_OFFSETS_MINUTES).toEqual([
      2880, 60,
    ]);
    expect(configFrom({ THERAPY_REMINDER_OFFSETS_MINUTES: '0' }).THERAPY_REMINDER_OFFSETS_MINUTES).toEqual([]);
    for (const bad of ['', '1h', '60,', '-5', '1,2,3,4,5,6', '50000']) {
      expect(() => configFrom({ THERAPY_REMINDER_OFFSETS_MINUTES: bad }), bad).toThrow(/THERAPY_REMINDER_OFFSETS_MINUTES/);
    }
    expect(() => configFrom({ THERAPY_SLOT_RANGE_MAX_DAYS: '0' })).toThrow(/THERAPY_SLOT_RANGE_MAX_DAYS/);
    expect(() => configFrom({ THERAPY_APPOINTMENT_URL: 'ftp://x.org' })).toThrow(/THERAPY_APPOINTMENT_URL/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../../../../../.env.example', import.meta.url), 'utf8');
  const assignment = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;
  const entries = text
    .split('\n')
    .map((line) => assignment.exec(line))
    .filter((match) => match !== null)
    .map(([, commented, name, value]) => ({ commented: commented !== undefined, name: name ?? '', value: value ?? '' }));

  it('lists exactly the variables of the configuration schema, each once', () => {
    const names = entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('gives the defaults for the variables that have one, and comments out the optional ones', () => {
    const active = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.name, e.value]));
    expect(loadConfig(active)).toEqual(loadConfig({}));
    expect(Object.keys(active).sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('shows valid example values for the optional variables', () => {
    const all = Object.fromEntries(entries.map((e) => [e.name, e.value]));
    const config = loadConfig(all);
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(config.REDIS_URL).toMatch(/^redis:\/\//);
    expect(config.AUTH_JWKS?.keys).toHaveLength(1);
    expect(config.DATABASE_MIGRATE_ON_START).toBe(true);
  });

  it('explains every variable in a comment just above it', () => {
    const lines = text.split('\n');
    for (const { name } of entries) {
      const index = lines.findIndex((line) => assignment.exec(line)?.[2] === name);
      // The line above is an explanation, or the variable shares the explanation of the one above it.
      const above = lines[index - 1] ?? '';
      expect(above.startsWith('#') || assignment.test(above), name).toBe(true);
    }
  });
});

describe('start-up helpers', () => {
  it('prints the whole message of a known start-up error and the stack of anything else', () => {
    const config = new ConfigError([{ variable: 'PORT', message: 'bad' }]);
    expect(describeStartupError(config)).toBe('invalid configuration:\n  - PORT: bad');
    const fault = new Error('boom');
    expect(describeStartupError(fault)).toContain('Error: boom\n    at ');
    expect(describeStartupError('plain')).toBe('plain');
  });

  it('reads HTTP_TRUST_PROXY as a hop count, a boolean or addresses', () => {
    expect(trustProxySetting('1')).toBe(1);
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting('false')).toBe(false);
    expect(trustProxySetting('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });
});
