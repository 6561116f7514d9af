import { defineModule } from '../module.ts';
import { datamapRoutes } from './datamap.routes.ts';
import { DataMapService } from './datamap.service.ts';

/** The data map is composed from every module's declaration (the core carries it); this module serves it. */
export const datamap = defineModule({
  name: 'datamap',
  needs: [],
  dataMap: [],
  create: (core) => ({ datamap: new DataMapService(core.db, core.dataMap) }),
  routes: (s) => [{ prefix: '/api/v1', plugin: datamapRoutes(s) }],
});
