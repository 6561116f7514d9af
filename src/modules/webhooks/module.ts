import { contacts } from '../contacts/module.ts';
import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { platform } from '../platform/module.ts';
import { webhooksDataMap } from './webhooks.data-map.ts';
import { webhooksMigrations } from './webhooks.migrations.ts';
import { webhooksRoutes } from './webhooks.routes.ts';
import { DELIVER_QUEUE, WebhooksService } from './webhooks.service.ts';
import type { WebhookDeliveriesTable, WebhooksTable } from './webhooks.table.ts';
import { TargetGuard } from './webhooks.target.ts';

export { HEADERS as WEBHOOK_HEADERS, signature as webhookSignature, type WebhooksService } from './webhooks.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    webhooks: WebhooksTable;
    webhook_deliveries: WebhookDeliveriesTable;
  }
}

/**
 * Webhooks: signed POSTs of new events to endpoints an admin subscribes, through the job queue
 * (docs/webhooks.md). Above contacts, whose current values a webhook may ask to receive.
 */
export const webhooks = defineModule({
  name: 'webhooks',
  needs: [platform, events, contacts],
  migrations: webhooksMigrations,
  dataMap: webhooksDataMap,
  create: (core, deps) => {
    const guard = new TargetGuard({ allowHttp: core.config.webhookAllowHttp, allowRanges: core.config.webhookAllowRanges });
    const service = new WebhooksService(
      core.db,
      core.clock,
      deps.jobs,
      deps.events,
      deps.contacts,
      guard,
      { disableAfter: core.config.webhookDisableAfter, timeoutMs: core.config.webhookTimeoutMs },
      core.log,
    );
    deps.events.consume('webhooks', (evs) => service.fanOut(evs));
    return { webhooks: service };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: webhooksRoutes(s) }],
  jobs: (s) => ({ [DELIVER_QUEUE]: (payload, job) => s.webhooks.deliver(payload, job) }),
});
