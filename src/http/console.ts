import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The folder of package.json above this file: src/http/ when run as source, dist/ when bundled. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where `npm run build:admin` (and `prepare`) writes the console (scripts/build-admin.mjs). */
export const CONSOLE_DIR = join(packageRoot(), 'admin', 'dist');

/**
 * On every console response. Scripts only from the console's own files (no inline script, no eval);
 * styles may be inline because Mantine sets its CSS variables in style elements. No framing
 * (clickjacking), no referrer (console URLs carry ids, still nothing to hand to other sites).
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Vite names every built asset by its content's hash: it never changes, so it may be kept for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const hide = { schema: { hide: true } };

/**
 * Serves the built console at /admin: its files, and index.html for every other path below it, so
 * the single-page app's own routes load on a reload or from a link. `/` leads there. The console is
 * a client of the public API like any other; nothing here reads data.
 *
 * The files are listed when the server starts (`wildcard: false`): a console rebuilt under a running
 * server is seen after a restart (its index.html names the new hashes).
 */
export async function installConsole(app: FastifyInstance, root = CONSOLE_DIR): Promise<void> {
  app.get('/', hide, async (_req, reply) => reply.redirect('/admin/', 302));
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_req, reply, payload) => {
        for (const [name, value] of Object.entries(CONSOLE_HEADERS)) void reply.header(name, value);
        return payload;
      });
      if (!existsSync(`${root}/index.html`)) {
        const unbuilt = async (_req: unknown, reply: FastifyReply) =>
          reply
            .status(503)
            .type('text/plain; charset=utf-8')
            .send('The console is not built: run `npm run build:admin` (needs the devDependencies), then restart.');
        scope.get('/', hide, unbuilt);
        scope.get('/*', hide, unbuilt);
        return;
      }
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: false,
        index: false,
        cacheControl: false,
        schemaHide: true,
        allowedPath: (path) => !path.startsWith('/.vite/'),
        globIgnore: ['.vite/**'],
        setHeaders: (reply, path) => void reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : 'no-cache'),
      });
      const index = async (req: { url: string }, reply: FastifyReply) => {
        // A missing asset is a 404, not the page: a browser would otherwise run HTML as a script. So
        // is the build's own (.vite/manifest.json), which is not a file of the console.
        if (req.url.startsWith('/admin/assets/') || req.url.includes('/.')) return reply.callNotFound();
        void reply.header('cache-control', 'no-cache');
        return reply.sendFile('index.html');
      };
      scope.get('/', hide, index);
      scope.get('/*', hide, index);
    },
    { prefix: '/admin' },
  );
}
