import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransactionManager } from '../../src/platform/db/transactions.js';
import { handleTargets, type OpenTestDatabase } from '../support/handles.js';

interface TestDb {
  'tx_test.items': { name: string };
}

describe.each(handleTargets)('TransactionManager on $name', (target) => {
  let database: OpenTestDatabase;
  let db: Kysely<TestDb>;
  let transactions: TransactionManager;

  beforeAll(async () => {
    database = await target.open();
    db = database.handle.db;
    await sql`CREATE SCHEMA tx_test`.execute(db);
    await sql`CREATE TABLE tx_test.items (name text PRIMARY KEY)`.execute(db);
  });
  afterAll(async () => {
    await database?.cleanup();
  });
  beforeEach(async () => {
    await db.deleteFrom('tx_test.items').execute();
    transactions = new TransactionManager(db);
  });

  const insert = (name: string) => transactions.executor<TestDb>().insertInto('tx_test.items').values({ name }).execute();
  const names = async () => (await db.selectFrom('tx_test.items').select('name').orderBy('name').execute()).map((r) => r.name);

  it('runs async effects after the commit, outside the transaction, and hands their failures to the error sink', async () => {
    const failures: unknown[] = [];
    const withSink = new TransactionManager(db, (error) => failures.push(error));
    const order: string[] = [];
    await withSink.transaction(async () => {
      await withSink.executor<TestDb>().insertInto('tx_test.items').values({ name: 'effects' }).execute();
      withSink.afterCommit(async () => {
        expect(withSink.inTransaction).toBe(false);
        // The row is committed: visible through the pool.
        expect(await names()).toEqual(['effects']);
        order.push('first');
      });
      withSink.afterCommit(() => {
        throw new Error('effect failed');
      });
      withSink.afterCommit(() => {
        order.push('third');
      });
      order.push('work');
    });
    expect(order).toEqual(['work', 'first', 'third']);
    expect(failures).toEqual([new Error('effect failed')]);
    // Outside a transaction an effect runs at once; a rolled-back one never.
    await expect(
      withSink.transaction(async () => {
        withSink.afterCommit(() => {
          order.push('rolled back');
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(order).not.toContain('rolled back');
  });

  it('hands out the pool outside a transaction', () => {
    expect(transactions.inTransaction).toBe(false);
    expect(transactions.executor()).toBe(db);
  });

  it('commits when the work resolves, and returns its value', async () => {
    const value = await transactions.transaction(async () => {
      expect(transactions.inTransaction).toBe(true);
      expect(transactions.executor()).not.toBe(db);
      await insert('a');
      await insert('b');
      return 42;
    });
    expect(value).toBe(42);
    expect(await names()).toEqual(['a', 'b']);
    expect(transactions.inTransaction).toBe(false);
  });

  it('rolls back every write when the work throws, and rethrows', async () => {
    const failure = new Error('halfway');
    await expect(
      transactions.transaction(async () => {
        await insert('a');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await names()).toEqual([]);
  });

  it('rolls back when the database refuses a write', async () => {
    await insert('taken');
    const refused = transactions.transaction(async () => {
      await insert('new');
      await insert('taken');
    });
    await expect(refused).rejects.toMatchObject({ code: '23505' });
    expect(await names()).toEqual(['taken']);
  });

  it('joins the outer transaction from a nested one: the outer failure undoes the inner writes', async () => {
    await expect(
      transactions.transaction(async () => {
        const outer = transactions.executor();
        await insert('outer');
        await transactions.transaction(async () => {
          expect(transactions.executor()).toBe(outer);
          await insert('inner');
        });
        expect(await transactions.executor<TestDb>().selectFrom('tx_test.items').select('name').execute()).toHaveLength(2);
        throw new Error('outer fails after the inner unit of work');
      }),
    ).rejects.toThrow('outer fails');
    expect(await names()).toEqual([]);
  });

  it('rolls back only a failed nested unit of work; the outer one goes on and commits', async () => {
    const seen: string[] = [];
    await transactions.transaction(async () => {
      await insert('outer');
      const refused = await transactions.result(() =>
        ResultAsync.fromSafePromise(insert('inner')).andThen(() => {
          transactions.afterCommit(() => seen.push('inner'));
          return errAsync('inner refusal');
        }),
      );
      expect(refused._unsafeUnwrapErr()).toBe('inner refusal');
      // A nested failure the database raised leaves the outer transaction usable too.
      await expect(transactions.transaction(() => insert('outer'))).rejects.toMatchObject({ code: '23505' });
      await transactions.transaction(async () => {
        await insert('second inner');
        transactions.afterCommit(() => seen.push('second inner'));
      });
    });
    expect(await names()).toEqual(['outer', 'second inner']);
    expect(seen).toEqual(['second inner']);
  });

  it('join(): takes part in the current transaction without a savepoint, or opens one', async () => {
    await expect(
      transactions.transaction(async () => {
        await transactions.join(() => insert('joined'));
        throw new Error('the caller fails');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await names()).toEqual([]);
    await transactions.join(() => insert('alone'));
    expect(await names()).toEqual(['alone']);
  });

  it('does not hand out a transaction that has ended to work that escaped it', async () => {
    let escaped: Promise<string> | undefined;
    await transactions.transaction(async () => {
      await insert('inside');
      escaped = new Promise((resolve) => setTimeout(() => resolve(String(transactions.inTransaction)), 50));
    });
    expect(await escaped).toBe('false');
    await transactions.transaction(() => insert('after'));
    expect(await names()).toEqual(['after', 'inside']);
  });

  it('result(): commits on ok', async () => {
    const result = await transactions.result(() => ResultAsync.fromSafePromise(insert('ok')).map(() => 'done'));
    expect(result._unsafeUnwrap()).toBe('done');
    expect(await names()).toEqual(['ok']);
  });

  it('result(): rolls back on err and returns the err, without throwing', async () => {
    const result = await transactions.result(() =>
      ResultAsync.fromSafePromise(insert('refused')).andThen(() => errAsync({ type: 'test.refused' as const })),
    );
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'test.refused' });
    expect(await names()).toEqual([]);
  });

  it('result(): rolls back and rethrows a fault', async () => {
    const fault = new Error('disk full');
    const outcome = transactions.result(() =>
      ResultAsync.fromSafePromise(
        insert('half').then(() => {
          throw fault;
        }),
      ),
    );
    await expect(outcome).rejects.toBe(fault);
    expect(await names()).toEqual([]);
  });

  it('result(): an err from a nested unit of work rolls back the outer transaction too', async () => {
    const outcome = await transactions.result(() =>
      ResultAsync.fromSafePromise(insert('outer')).andThen(() =>
        transactions.result(() => ResultAsync.fromSafePromise(insert('inner')).andThen(() => errAsync('nested refusal'))),
      ),
    );
    expect(outcome._unsafeUnwrapErr()).toBe('nested refusal');
    expect(await names()).toEqual([]);
  });

  it('runs afterCommit callbacks in order, only once the outermost transaction committed', async () => {
    const seen: string[][] = [];
    await transactions.transaction(async () => {
      await insert('x');
      transactions.afterCommit(() => seen.push(['first']));
      await transactions.transaction(async () => {
        transactions.afterCommit(() => seen.push(['nested']));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([['first'], ['nested']]);
    expect(await names()).toEqual(['x']);
  });

  it('never runs afterCommit callbacks of a transaction that rolled back', async () => {
    let ran = 0;
    await expect(
      transactions.transaction(async () => {
        transactions.afterCommit(() => {
          ran += 1;
        });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await transactions.result(() => {
      transactions.afterCommit(() => {
        ran += 1;
      });
      return errAsync('refused');
    });
    expect(ran).toBe(0);
  });

  it('runs afterCommit at once outside a transaction', () => {
    let ran = false;
    transactions.afterCommit(() => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('keeps all of a unit of work or none of it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat()),
        fc.boolean(),
        async (items, failAt, failByThrowing) => {
          await db.deleteFrom('tx_test.items').execute();
          const failure = failAt === null ? undefined : failAt % items.length;
          const outcome = await transactions
            .result(() =>
              items.reduce<ResultAsync<void, string>>(
                (previous, name, index) =>
                  previous.andThen((): ResultAsync<void, string> => {
                    if (index === failure) {
                      if (failByThrowing) return ResultAsync.fromSafePromise(Promise.reject(new Error('fault')));
                      return errAsync('refused');
                    }
                    return ResultAsync.fromSafePromise(insert(name).then(() => undefined));
                  }),
                okAsync(undefined),
              ),
            )
            .then(
              (result) => (result.isOk() ? 'committed' : 'refused'),
              () => 'fault',
            );
          expect(outcome).toBe(failure === undefined ? 'committed' : failByThrowing ? 'fault' : 'refused');
          expect(await names()).toEqual(failure === undefined ? [...items].sort() : []);
        },
      ),
      { numRuns: 25 },
    );
  });

  // Only PostgreSQL has other connections to hide writes from (PGlite has one).
  if (target.name === 'postgres')
    it('keeps uncommitted writes invisible to other connections', async () => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const running = transactions.transaction(async () => {
        await insert('pending');
        await gate;
      });
      // The pool (another connection) does not see the row until the commit.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await names()).toEqual([]);
      release();
      await running;
      expect(await names()).toEqual(['pending']);
    });
});
