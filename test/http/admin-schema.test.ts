import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SCHEMA_FILE, schemaTypes, servedDocument } from '../../scripts/admin-schema.ts';

// The console's API types are generated, never written by hand: when a route changes, the types must
// be regenerated (`npm run admin:schema`) or the console would call the API as it was.
test("the console's generated API types match the served /openapi.json", async () => {
  const doc = (await servedDocument()) as { paths: Record<string, unknown> };
  assert.ok(doc.paths['/api/v1/session'], 'the served document has the session routes');
  const expected = await schemaTypes(doc);
  const actual = readFileSync(SCHEMA_FILE, 'utf8');
  assert.ok(actual === expected, 'admin/src/api/schema.d.ts is stale: run `npm run admin:schema` and commit it');
});

test('the generator follows the document: a changed route changes the types', async () => {
  const doc = structuredClone(await servedDocument()) as { paths: Record<string, Record<string, { summary?: string }>> };
  const before = await schemaTypes(doc);
  delete doc.paths['/api/v1/session']!.delete;
  assert.notEqual(await schemaTypes(doc), before);
});
