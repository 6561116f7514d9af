import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type Config, connectOptions, listenBaseUrl, loadConfig } from './config.ts';
import { connect } from './db/connect.ts';
import { systemClock } from './lib/clock.ts';
import { createLogger } from './lib/log.ts';
import { createServices, migrate, prepareServices, startBackground, type Services } from './services.ts';

export interface Running {
  app: FastifyInstance;
  services: Services;
  url: string;
  stop(): Promise<void>;
}

/** Process entry for serving: config -> db -> migrations -> services -> app -> listen. */
export async function startServer(overrides: Partial<Config> = {}): Promise<Running> {
  const config = loadConfig(process.env, overrides);
  const log = createLogger(config.logLevel);
  const db = connect(config.databaseUrl, connectOptions(config));
  await migrate(db);
  const services = createServices(config, db, systemClock, log);
  const prepared = await prepareServices(services);
  if (prepared.ledgerKey === 'none')
    log.warn(
      'no ledger key configured (ASSENT_LEDGER_KEY, ASSENT_LEDGER_KEY_FILE or ASSENT_SECRET): the consent ledger head is not authenticated',
    );
  if (prepared.ledgerKey === 'created')
    log.info(
      { source: services.ledgerKey.source },
      'created a ledger key file beside the database: back it up, apart from the database backups',
    );
  // Contacts left sharing an address from before addresses were compared without regard to case.
  const dups = await services.contacts.duplicateSummary();
  if (dups.addresses) log.warn(dups, 'addresses held by more than one contact: list them with `assent contacts duplicates` and merge them');
  const app = await buildApp(services);
  const address = await app.listen({ port: config.port, host: config.host });
  // Links follow the port actually bound (PORT=0 picks one) while publicBaseUrl is not set.
  const bound = app.server.address();
  if (bound && typeof bound === 'object' && config.listenBaseUrl === listenBaseUrl(config.host, config.port))
    services.settings.listeningAt(listenBaseUrl(config.host, bound.port));
  // Serving processes also work the job queue unless told not to (ASSENT_WORKER=off), so one
  // process is a whole installation; more workers can run beside it (`assent worker`).
  const background = process.env.ASSENT_WORKER === 'off' ? null : startBackground(services);
  // The SMTP endpoint for bounces and complaints, when the `bounceInbound` setting names a port.
  // A port it cannot bind is logged, not fatal: the API and the worker serve on.
  await services.bounceInbound.start().catch((e: NodeJS.ErrnoException) => {
    log.error({ code: e.code ?? 'error' }, 'the bounce endpoint (setting bounceInbound) could not listen');
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await services.bounceInbound.stop();
      await background?.stop();
      await services.close();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return { app, services, url: address, stop };
}
