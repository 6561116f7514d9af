import type { StoredEvent } from '../events/module.ts';
import type { JourneysService } from '../journeys/module.ts';
import type { Db } from '../database.ts';
import { leadForTask } from './score-uses.queries.ts';

export const SALES_READY = 'lead.sales_ready';
/** Who follows a lead up when it has no owner (or its owner was disabled). */
export const NO_OWNER_ROLE = 'marketer';

/**
 * The consumer of `lead.sales_ready` (issue 17 point 5): one task per event for the lead's owner,
 * or for the marketers when it has none, in the journeys' task list. Keyed by lead and model, so
 * a dispatch that runs again (or the same lead and model ready again) makes no second task.
 */
export class SalesReadyTasks {
  constructor(
    private readonly db: Db,
    private readonly journeys: Pick<JourneysService, 'addTask'>,
  ) {}

  async onEvents(events: readonly StoredEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type !== SALES_READY) continue;
      const { leadId, modelId } = e.data;
      if (typeof leadId !== 'string' || typeof modelId !== 'string') continue;
      const lead = await leadForTask(this.db.kysely, leadId, modelId);
      // The lead was deleted (or its person erased) since: nobody to follow up.
      if (!lead) continue;
      await this.journeys.addTask({
        contactId: lead.contactId,
        leadId,
        assigneeUserId: lead.ownerId,
        assigneeRole: lead.ownerId === null ? NO_OWNER_ROLE : null,
        title: `Follow up: “${lead.title}” is sales-ready${lead.modelName ? ` (${lead.modelName})` : ''}`,
        sourceKey: `${SALES_READY}:${leadId}:${modelId}`,
      });
    }
  }
}
