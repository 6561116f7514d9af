import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { can } from '../../src/http/access.ts';
import type { ApiRoute } from '../../src/http/auth.ts';
import type { Db } from '../../src/modules/database.ts';
import type { AnyModule } from '../../src/modules/module.ts';
import { ROLES, type Role } from '../../src/modules/users/users.model.ts';
import { loadSamples, missingSamples, SOME_ID, type Samples } from './access-samples.ts';
import { json, testApp, type TestApp } from './app.ts';
import { forEachDialect } from './db.ts';

function concrete(url: string): string {
  return url.replace(/:id\b/g, SOME_ID).replace(/:listId\b/g, SOME_ID);
}

export interface AccessSuiteOptions {
  /** The modules the app is composed of (default: the product's list). */
  modules?: readonly AnyModule[];
  /** Runs before the app is built (a fixture module's migrations). */
  prepare?: (db: Db) => Promise<void>;
  /** The routes checked (default: all). */
  only?: (r: ApiRoute) => boolean;
  /** Floors that keep the run from passing by checking nothing. */
  atLeast?: { routes?: number; denials?: number; auditEntries?: number };
}

/**
 * Access and audit on every route of an app: 401 without credentials, 403 (audited) for each role
 * the access table refuses, and the sample request (found in the `*.access-samples.ts` files)
 * passing with its declared audit entry for each role it allows.
 */
export function accessSuite(title: string, opts: AccessSuiteOptions = {}): void {
  const floor = { routes: 1, denials: 1, auditEntries: 1, ...opts.atLeast };
  forEachDialect(title, (ctx) => {
    let t: TestApp;
    let routes: ApiRoute[];
    let samples: Samples;
    before(async () => {
      await opts.prepare?.(ctx.db);
      t = await testApp(ctx.db, opts.modules ? { modules: opts.modules } : {});
      routes = t.app.apiRoutes.filter((r) => opts.only?.(r) ?? true);
      samples = await loadSamples();
    });
    after(async () => t.close());

    it('has a sample request for every API route', () => {
      assert.deepEqual(missingSamples(routes, samples), []);
      assert.ok(routes.length >= floor.routes, `${routes.length} routes`);
    });

    it('answers 401 without credentials and with an unknown or malformed key', async () => {
      for (const r of routes.filter((x) => x.access !== 'public')) {
        for (const headers of [
          {},
          { authorization: 'Bearer assent_AAAAAAAAAAAA_' + 'x'.repeat(43) },
          { authorization: 'Bearer nonsense' },
          { authorization: 'Basic abc' },
          { cookie: 'assent_session=forged' },
        ]) {
          const res = await t.app.inject({
            method: r.method as 'GET',
            url: concrete(r.url),
            headers,
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
          });
          assert.equal(res.statusCode, 401, `${r.method} ${r.url} with ${JSON.stringify(headers)}`);
          assert.equal(json(res).error.code, 'unauthenticated');
        }
      }
    });

    it('answers 403 for every role the table does not allow, and audits the denial', async () => {
      let denied = 0;
      for (const r of routes) {
        if (typeof r.access !== 'object') continue;
        for (const role of ROLES) {
          if (can(role, r.access.area, r.access.op)) continue;
          const res = await t.app.inject({
            method: r.method as 'GET',
            url: concrete(r.url),
            headers: t.auth(role),
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
          });
          assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url}`);
          assert.equal(json(res).error.code, 'forbidden');
          denied++;
          if (r.audit) {
            const entries = await t.services.audit.list({ action: r.audit.action }, 1000);
            const mine = entries.filter((e) => e.requestId === res.headers['x-request-id']);
            assert.equal(mine.length, 1, `denial of ${role} ${r.method} ${r.url} is audited`);
            assert.equal(mine[0]!.outcome, 'denied');
          }
        }
      }
      // Each non-admin role is refused something: the table is not accidentally open.
      assert.ok(denied >= floor.denials, `only ${denied} denials`);
    });

    it('lets every allowed role through, and writes the declared audit entry for each route', async () => {
      for (const r of routes) {
        const roles: (Role | null)[] =
          r.access === 'public'
            ? [null]
            : ROLES.filter(
                (role) => r.access === 'authenticated' || (typeof r.access === 'object' && can(role, r.access.area, r.access.op)),
              );
        assert.ok(roles.length > 0, `${r.method} ${r.url} is reachable by someone`);
        for (const role of roles) {
          const s = await samples[`${r.method} ${r.url}`]!(t, role);
          const res = await t.app.inject({
            method: r.method as 'GET',
            url: s.url ?? r.url,
            headers: { ...(role ? t.auth(role) : {}), ...s.headers },
            ...(s.payload !== undefined ? { payload: s.payload as object } : {}),
          });
          assert.equal(res.statusCode, s.expect, `${role} ${r.method} ${r.url}: ${res.body}`);
          const reqId = res.headers['x-request-id'] as string;
          const entries = (await t.services.audit.list({}, 10_000)).filter((e) => e.requestId === reqId);
          if (r.audit) {
            assert.equal(entries.length, 1, `${r.method} ${r.url} writes one audit entry`);
            const e = entries[0]!;
            assert.equal(e.action, r.audit.action);
            assert.equal(e.outcome, 'ok');
            assert.equal(e.actorType, s.actorType ?? 'api_key');
            assert.equal(e.targetType, r.audit.target ?? null);
            if (r.url.includes(':id')) assert.equal(e.targetId, s.target, `${r.method} ${r.url} names its record`);
            if (s.expect === 201) assert.match(e.targetId ?? '', /^[0-9a-f-]{36}$/, 'creates name the new record');
          } else if (r.access !== 'public') {
            assert.equal(entries.length, 0, `${r.method} ${r.url} declares no audit`);
          }
        }
      }
    });

    it('never stores personal values in the audit log', async () => {
      const entries = await t.services.audit.list({}, 10_000);
      assert.ok(entries.length >= floor.auditEntries, `${entries.length} audit entries`);
      for (const e of entries) assert.doesNotMatch(JSON.stringify(e), /@|correct horse/);
    });
  });
}
