import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { unavailability } from './availability.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

it('recognises the ways the drivers say the database cannot serve now', () => {
  const down: [string, unknown][] = [
    ['pg: admin shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['pg: crash shutdown', withCode('57P02')],
    ['pg: starting up', withCode('57P03', 'the database system is starting up')],
    ['pg: too many connections', withCode('53300')],
    ['pg: connection failure', withCode('08006')],
    ['pg: connection does not exist', withCode('08003')],
    ['socket: refused', withCode('ECONNREFUSED')],
    ['socket: reset', withCode('ECONNRESET')],
    ['socket: timed out', withCode('ETIMEDOUT')],
    ['pg: dropped connection', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: wait timed out', new Error('timeout exceeded when trying to connect')],
    ['pg: broken client', new Error('Client has encountered a connection error and is not queryable')],
    [
      'net: every address refused',
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
    ],
    ['net: aggregate without a code of its own', new AggregateError([new Error('other'), withCode('EHOSTUNREACH')])],
    ['wrapped as a cause', new Error('query failed', { cause: withCode('57P01') })],
  ];
  for (const [what, e] of down) assert.deepEqual(unavailability(e), { retryAfter: 5 }, what);
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT'])
    assert.deepEqual(unavailability(withCode(code, 'database is locked')), { retryAfter: 1 }, code);
});

it("leaves every other error alone: those are the request's or the code's", () => {
  const other: [string, unknown][] = [
    ['pg: unique violation', withCode('23505')],
    ['pg: deadlock', withCode('40P01')],
    ['pg: serialization failure', withCode('40001')],
    ['pg: syntax error', withCode('42601')],
    ['pg: database does not exist', withCode('3D000')],
    ['sqlite: constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['sqlite: locked table (same connection)', withCode('SQLITE_LOCKED')],
    ['a message that only mentions a connection', new Error('Connection terminated unexpectedly: not really')],
    ['a coded error whose message looks like pg', withCode('E_OTHER', 'Connection terminated unexpectedly')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 57],
    ['an object with a numeric code', { code: 8006 }],
  ];
  for (const [what, e] of other) assert.equal(unavailability(e), null, what);
});

it('never throws and stops on deep or circular causes', () => {
  const loop = new Error('loop') as Error & { cause?: unknown };
  loop.cause = loop;
  assert.equal(unavailability(loop), null);
  let deep: unknown = withCode('57P01');
  for (let i = 0; i < 20; i++) deep = new Error('wrapper', { cause: deep });
  assert.equal(unavailability(deep), null, 'a cause buried past a few wrappers is not dug out');
  fc.assert(
    fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, withMap: true, withSet: true, maxDepth: 4 }), (e) => {
      const r = unavailability(e);
      return r === null || (typeof r.retryAfter === 'number' && r.retryAfter > 0);
    }),
  );
});
