import type { Db } from '../database.ts';
import { liveColumns } from '../../db/introspect.ts';
import type { DataMapRegistry } from '../module.ts';
import type { DataMapProvider } from '../../db/datamap.types.ts';
import { toJson, validateDataMap, type DataMap } from './datamap.model.ts';
import type { RecordsFacts } from './datamap.records.ts';
import { renderMarkdown } from './datamap.report.ts';

export type { DataMapProvider } from '../../db/datamap.types.ts';

export interface SchemaDrift {
  undeclared: string[];
  absent: string[];
}

export class DataMapService {
  private readonly providers: DataMapProvider[] = [];
  constructor(
    private readonly db: Db,
    /** Every module's declared tables and run-time providers, gathered from the list of modules. */
    private readonly declared: DataMapRegistry,
  ) {}

  addProvider(p: DataMapProvider): void {
    this.providers.push(p);
  }

  async getMap(): Promise<DataMap> {
    const runtime = (await Promise.all([...this.declared.providers, ...this.providers].map((p) => p()))).flat();
    const tables = new Map(this.declared.tables.map((t) => [t.name, { ...t, columns: [...t.columns] }]));
    for (const t of runtime) {
      // Run-time columns on a built-in table (custom contact fields) join its declaration.
      const existing = tables.get(t.name);
      if (existing) existing.columns.push(...t.columns);
      else tables.set(t.name, { ...t, origin: 'runtime' });
    }
    return toJson({ tables: [...tables.values()] });
  }

  async validate(): Promise<string[]> {
    return validateDataMap(await this.getMap());
  }

  /** Compares the map with the live schema: anything stored but undeclared, or declared but absent. */
  async drift(): Promise<SchemaDrift> {
    const map = await this.getMap();
    const declared = new Set(map.tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
    const live = new Set((await liveColumns(this.db)).map((c) => `${c.table}.${c.column}`));
    return {
      undeclared: [...live].filter((k) => !declared.has(k)).sort(),
      absent: [...declared].filter((k) => !live.has(k)).sort(),
    };
  }

  /** The records of processing; with `facts` (the installation's configuration) the Art. 30(1) items beyond the map too. */
  async markdown(facts?: RecordsFacts): Promise<string> {
    return renderMarkdown(await this.getMap(), facts);
  }
}
