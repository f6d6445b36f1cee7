import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsyncLocalExecutionContext } from '../runtime/async-local-execution-context.js';
import { createPinoLogger, PinoLogger } from './logger.js';

/** A pino destination that keeps every line written to it. */
function capture(level = 'trace') {
  const lines: string[] = [];
  const context = new AsyncLocalExecutionContext();
  const pino = createPinoLogger({ level, context, destination: { write: (line: string) => void lines.push(line) } });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, records, context, pino, logger: new PinoLogger(pino) };
}

describe('createPinoLogger', () => {
  it('writes one JSON object per line with the level label, the service and an ISO time', () => {
    const { lines, records, pino } = capture();
    pino.info({ answer: 42 }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const [record] = records();
    expect(record).toMatchObject({ level: 'info', service: 'aura', msg: 'hello', answer: 42 });
    expect(new Date(String(record?.time)).toISOString()).toBe(record?.time);
  });

  it('mixes the ids of the current scope into every line written inside it, and none outside', async () => {
    const { records, logger, context } = capture();
    logger.info('before');
    await context.run({ correlationId: 'corr-1', requestId: 'req-1', causationId: 'evt-0', userId: 'user-1' }, async () => {
      logger.info('inside');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.child({ component: 'relay' }).warn('inside, later and in a child');
    });
    logger.info('after');
    const [before, inside, later, after] = records();
    const ids = { correlationId: 'corr-1', requestId: 'req-1', causationId: 'evt-0', userId: 'user-1' };
    expect(inside).toMatchObject(ids);
    expect(later).toMatchObject({ ...ids, component: 'relay', level: 'warn' });
    for (const record of [before, after]) {
      for (const key of Object.keys(ids)) expect(record).not.toHaveProperty(key);
    }
  });

  it('adds only the ids the scope has', () => {
    const { records, logger, context } = capture();
    context.run({ correlationId: 'corr-2' }, () => logger.info('job'));
    const [record] = records();
    expect(record?.correlationId).toBe('corr-2');
    for (const key of ['requestId', 'causationId', 'userId']) expect(record).not.toHaveProperty(key);
  });

  it('redacts secrets at the top level, one level down, and in request and response headers', () => {
    const { lines, records, pino } = capture();
    pino.info(
      {
        password: 'pw-top',
        newPassword: 'pw-new',
        currentPassword: 'pw-current',
        token: 'tok-top',
        accessToken: 'at-top',
        refreshToken: 'rt-top',
        secret: 'sec-top',
        authorization: 'Bearer top',
        cookie: 'sid=top',
        body: {
          password: 'pw-nested',
          token: 'tok-nested',
          accessToken: 'at-nested',
          refreshToken: 'rt-nested',
          email: 'a@b.co',
        },
        credentials: { secret: 'sec-nested', newPassword: 'pw-new-nested', currentPassword: 'pw-cur-nested' },
        req: {
          method: 'POST',
          headers: { authorization: 'Bearer req', cookie: 'sid=req', 'x-api-key': 'key-req', accept: 'application/json' },
        },
        res: { statusCode: 200, headers: { 'set-cookie': 'sid=res', 'content-type': 'application/json' } },
      },
      'login',
    );
    for (const secret of ['pw-', 'tok-', 'at-', 'rt-', 'sec-', 'Bearer', 'sid=', 'key-req'])
      expect(lines[0]).not.toContain(secret);
    const [record] = records() as Array<Record<string, Record<string, unknown> & { headers?: Record<string, unknown> }>>;
    const R = '[redacted]';
    expect(record).toMatchObject({
      password: R,
      newPassword: R,
      currentPassword: R,
      token: R,
      accessToken: R,
      refreshToken: R,
      secret: R,
      authorization: R,
      cookie: R,
      body: { password: R, token: R, accessToken: R, refreshToken: R, email: 'a@b.co' },
      credentials: { secret: R, newPassword: R, currentPassword: R },
    });
    expect(record?.req?.headers).toEqual({ authorization: R, cookie: R, 'x-api-key': R, accept: 'application/json' });
    expect(record?.req?.method).toBe('POST');
    expect(record?.res?.headers).toEqual({ 'set-cookie': R, 'content-type': 'application/json' });
  });

  it('never lets a password through, whatever it is', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8 }).filter((s) => !'[redacted]'.includes(s)),
        fc.constantFrom('password', 'token', 'secret'),
        (value, key) => {
          const { lines, pino } = capture();
          pino.info({ [key]: value, nested: { [key]: value }, body: { user: { [key]: value } } }, 'm');
          const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
          expect(record[key]).toBe('[redacted]');
          expect((record.nested as Record<string, unknown>)[key]).toBe('[redacted]');
          expect(((record.body as Record<string, unknown>).user as Record<string, unknown>)[key]).toBe('[redacted]');
          expect(lines[0]).not.toContain(JSON.stringify(value).slice(1, -1));
        },
      ),
    );
  });

  it('serialises errors under `err` with their message and stack', () => {
    const { records, logger } = capture();
    logger.error('failed', { err: new TypeError('boom') });
    const [record] = records();
    expect(record?.err).toMatchObject({ type: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });
  });
});

describe('PinoLogger', () => {
  it('writes each level with its label, with or without fields', () => {
    const { records, logger } = capture('debug');
    logger.debug('d');
    logger.info('i', { a: 1 });
    logger.warn('w');
    logger.error('e', { b: 2 });
    logger.debug('d2', { c: 3 });
    logger.info('i2');
    logger.warn('w2', { d: 4 });
    logger.error('e2');
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ['debug', 'd'],
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'e'],
      ['debug', 'd2'],
      ['info', 'i2'],
      ['warn', 'w2'],
      ['error', 'e2'],
    ]);
    expect(records()[1]).toMatchObject({ a: 1 });
    expect(records()[3]).toMatchObject({ b: 2 });
  });

  it('drops lines below the configured level', () => {
    const { records, logger } = capture('warn');
    logger.debug('no');
    logger.info('no');
    logger.warn('yes');
    logger.error('yes');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('writes nothing when silent', () => {
    const { lines, logger } = capture('silent');
    logger.error('nothing');
    expect(lines).toEqual([]);
  });

  it('makes children that carry their bindings and their parent’s', () => {
    const { records, logger } = capture();
    const child = logger.child({ module: 'therapy' });
    const grandchild = child.child({ useCase: 'book-session' });
    expect(child).toBeInstanceOf(PinoLogger);
    grandchild.info('booked', { sessionId: 's-1' });
    logger.info('parent');
    const [fromGrandchild, fromParent] = records();
    expect(fromGrandchild).toMatchObject({ module: 'therapy', useCase: 'book-session', sessionId: 's-1', msg: 'booked' });
    expect(fromParent).not.toHaveProperty('module');
  });

  it('exposes the pino instance it writes to', () => {
    const { pino, logger } = capture();
    expect(logger.pino).toBe(pino);
  });
});
