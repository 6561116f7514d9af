import type { Command } from 'commander';
import type { Services } from '../services.ts';
import { duplicatesNotice } from './contacts.commands.ts';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { parsePort } from './options.ts';

// The server, the database drivers and the services load when a command runs (src/cli/context.ts).

const FIRST_ADMIN = 'admin@example.com';

/** One write, so a program reading the output sees the whole announcement at once. */
function announce(url: string, extra = ''): void {
  const base = url.replace('://127.0.0.1', '://localhost');
  process.stdout.write(
    `\nAssent is running at ${base}\n  Console:      ${base}/admin/\n  API docs:     ${base}/docs\n  OpenAPI:      ` +
      `${base}/openapi.json\n  Health:       ` +
      `${base}/health\n\n${extra}`,
  );
}

/** While publicBaseUrl is not set, links in mail follow this address: fine here, wrong for people elsewhere. */
async function publicUrlNotice(running: { services: Services }): Promise<string> {
  const s = running.services.settings;
  if (await s.publicBaseUrlSet()) return '';
  const links = (await s.get()).publicBaseUrl;
  return (
    `  Links in emails (data-request verification, downloads) point to ${links}, the address this server\n` +
    `  listens on. For production set publicBaseUrl to the address people reach it at:\n` +
    `    PATCH /api/v1/settings {"publicBaseUrl":"https://assent.example.com"}\n\n`
  );
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run migrations, then serve the API')
    .option('--port <n>', 'port (default: PORT or 8080)', parsePort)
    .option('--host <host>', 'interface to listen on (default: HOST or 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      const { startServer } = await import('../server.ts');
      const running = await startServer({
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host ? { host: opts.host } : {}),
      });
      announce(running.url);
    });

  program
    .command('start')
    .description('serve with a ready-to-use workspace: creates the database and a first admin on first run (what `npm start` runs)')
    .option('--port <n>', 'port (default: PORT or 8080)', parsePort)
    .option('--host <host>', 'interface to listen on (default: HOST or 127.0.0.1)')
    .action(async (opts: { port?: number; host?: string }) => {
      const [{ DEFAULT_DATABASE_URL }, { startServer }, { generatePassword }] = await Promise.all([
        import('../config.ts'),
        import('../server.ts'),
        import('../modules/users/users.service.ts'),
      ]);
      process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
      const running = await startServer({
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host ? { host: opts.host } : {}),
      });
      const { users, audit } = running.services;
      let login = '';
      if ((await users.countUsers()) === 0) {
        const password = generatePassword();
        const admin = await users.createUser({ email: FIRST_ADMIN, role: 'admin', password, name: 'First admin' });
        await audit.record({ actor: CLI_ACTOR, action: 'user.create', targetType: 'user', targetId: admin.id, outcome: 'ok' });
        login =
          `  First admin login (shown once, change it in the console or ` +
          `with the API):\n    email:    ${FIRST_ADMIN}\n    password: ` +
          `${password}\n`;
      }
      announce(running.url, `${login ? `${login}\n` : ''}${await publicUrlNotice(running)}`);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const [{ DEFAULT_DATABASE_URL, loadConfig }, { connect }, { systemClock }, { createLogger }, { createServices, migrate }] =
        await Promise.all([
          import('../config.ts'),
          import('../db/connect.ts'),
          import('../lib/clock.ts'),
          import('../lib/log.ts'),
          import('../services.ts'),
        ]);
      const db = connect(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
      try {
        const r = await migrate(db);
        const applied = (r.results ?? []).filter((x) => x.status === 'Success').map((x) => x.migrationName);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
        const s = createServices(
          loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL || DEFAULT_DATABASE_URL }),
          db,
          systemClock,
          createLogger('silent'),
        );
        const notice = await duplicatesNotice(s);
        if (notice) process.stdout.write(`${notice}\n`);
      } finally {
        await db.close();
      }
    });
}
