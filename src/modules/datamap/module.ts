import { defineModule } from '../module.ts';
import { datamapRoutes } from './datamap.routes.ts';
import { DataMapService } from './datamap.service.ts';

// What other modules may use: the declarations' types and their checks, and the service that reads the composed map.
export type { ColumnDecl, DataMap, EraseAction, SubjectLink, TableDecl } from './datamap.model.ts';
export { rowKeyOf, validateDataMap } from './datamap.model.ts';
export type { DataMapService } from './datamap.service.ts';
export type { RecordsFacts } from './datamap.records.ts';

/** The data map is composed from every module's declaration (the core carries it); this module serves it. */
export const datamap = defineModule({
  name: 'datamap',
  needs: [],
  dataMap: [],
  create: (core) => ({ datamap: new DataMapService(core.db, core.dataMap) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: datamapRoutes(s) }],
});
