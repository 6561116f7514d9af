import { consent } from '../consent/module.ts';
import { contacts } from '../contacts/module.ts';
import { defineModule } from '../module.ts';
import { listsDataMap } from './lists.data-map.ts';
import { listsRoutes } from './lists.routes.ts';
import { ListsService } from './lists.service.ts';
import type { ListMembersTable, ListsTable } from './lists.table.ts';

// What other modules use: the service (bulk membership changes, the export's list names).
export type { ListsService, MembershipsChange } from './lists.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    lists: ListsTable;
    list_members: ListMembersTable;
  }
}

/** Lists and their members; joining by double opt-in writes the ledger. */
export const lists = defineModule({
  name: 'lists',
  needs: [consent, contacts],
  dataMap: listsDataMap,
  create: (core, deps) => ({ lists: new ListsService(core.db, core.clock, deps.ledger) }),
  // The access export's lists: each of the person's contacts' memberships, in turn. Memberships
  // alone do not count as holding data (the contact's own row does).
  exportSections: (face) => [
    {
      keys: ['lists'],
      read: async (ids) => {
        const lists = [];
        for (const id of ids) lists.push(...(await face.lists.memberships(id)));
        return { values: { lists: lists.map((l) => ({ listId: l.listId, name: l.name, joinedAt: l.joinedAt })) }, dataHeld: false };
      },
    },
  ],
  routes: (s) => [{ prefix: '/api/v1', plugin: listsRoutes(s) }],
});
