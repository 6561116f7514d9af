import { defineModule } from '../module.ts';
import { entitiesDataMap } from './entities.data-map.ts';
import { entitiesRoutes } from './entities.routes.ts';
import { EntitiesService } from './entities.service.ts';
import type { CustomEntitiesTable, CustomEntityFieldsTable } from './entities.table.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    custom_entities: CustomEntitiesTable;
    custom_entity_fields: CustomEntityFieldsTable;
  }
}

/** Custom entities: tables defined at run time, declared to the data map by their definitions. */
export const entities = defineModule({
  name: 'entities',
  needs: [],
  dataMap: entitiesDataMap,
  create: (core) => ({ entities: new EntitiesService(core.db, core.clock) }),
  providers: (face) => [() => face.entities.dataMap()],
  routes: (s) => [{ prefix: '/api/v1', plugin: entitiesRoutes(s) }],
});
