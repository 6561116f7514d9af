import { consent } from '../consent/module.ts';
import { contacts, ExportService } from '../contacts/module.ts';
import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { FilterConditions } from './filter.kinds.ts';
import { segmentsDataMap } from './segments.data-map.ts';
import { segmentsMigrations } from './segments.migrations.ts';
import { segmentsRoutes } from './segments.routes.ts';
import { SegmentsService } from './segments.service.ts';
import type { SegmentMembersTable, SegmentsTable } from './segments.table.ts';

// What other modules use: the service (a bulk action's contacts, by segment).
export type { SegmentsService } from './segments.service.ts';
// The extension point of the language: a later module registers a condition kind (scoring's `score`).
export type { FilterConditionKind, FilterConditions, KindCompileContext } from './filter.kinds.ts';
// The language itself, for modules that evaluate conditions in their own queries (scoring's rules
// over a lead and its contact, through a FieldScope): one validator, one compiler.
export { compileFilter, leaves, type CompileContext } from './filter.compile.ts';
export type { FieldScope, FieldType, FilterNode, ResolvedField } from './filter.model.ts';
export { type FilterProblem, validateFilter } from './filter.validate.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    segments: SegmentsTable;
    segment_members: SegmentMembersTable;
  }
}

/**
 * Segments (dynamic filters, static sets) and their members. The contacts' CSV export is put
 * together here: it reads a segment's pages, and contacts come before segments (a segment's
 * filter reads the custom fields).
 */
export const segments = defineModule({
  name: 'segments',
  needs: [settings, consent, contacts],
  dataMap: segmentsDataMap,
  migrations: segmentsMigrations,
  create: (core, deps) => {
    // Later modules add condition kinds here when they are made (`filterConditions.register`).
    const filterConditions = new FilterConditions();
    const segments = new SegmentsService(core.db, core.clock, deps.settings, deps.customFields, deps.consent, filterConditions);
    return { segments, filterConditions, exports: new ExportService(core.db, deps.contacts, segments) };
  },
  // The access export's segments, evaluated as it is made, and those that could not be evaluated
  // (named, never stopping the export): one evaluation per contact, each segment once. They do not
  // count as holding data (the contact's own row does).
  exportSections: (face) => [
    {
      keys: ['segments', 'segmentsNotEvaluated'],
      read: async (ids) => {
        const all = [];
        for (const id of ids) all.push(await face.segments.membershipsOf(id));
        const segments = [...new Map(all.flatMap((m) => m.segments).map((x) => [x.id, x])).values()];
        const notEvaluated = [...new Map(all.flatMap((m) => m.notEvaluated).map((x) => [x.id, x])).values()];
        return {
          values: {
            segments: segments.map((s) => ({ id: s.id, name: s.name, kind: s.kind })),
            segmentsNotEvaluated: notEvaluated.map((s) => ({ id: s.id, name: s.name, kind: s.kind, reason: s.reason })),
          },
          dataHeld: false,
        };
      },
    },
  ],
  routes: (s) => [{ prefix: '/api/v1', plugin: segmentsRoutes(s) }],
});
