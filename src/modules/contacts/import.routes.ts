import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deniedFields } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, ErrorBody, Obj } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import type { ImportService } from './import.service.ts';

const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

/** The body in pieces, so the reader holds a piece's rows at a time rather than the whole file's. */
function* pieces(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += 1 << 20) yield text.slice(i, i + (1 << 20));
}

const ImportResultSchema = Obj({
  created: Type.Integer(),
  updated: Type.Integer({ description: 'Rows that matched an existing contact by email (unchanged ones included).' }),
  rejected: Type.Array(Obj({ line: Type.Integer(), reason: Type.String() })),
  ignoredColumns: Type.Array(Type.String()),
  dryRun: Type.Boolean(),
});

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ImportRouteDeps {
  imports: ImportService;
}

/**
 * CSV import for programs. The plugin accepts text/csv alone: its own content-type parsers
 * replace the app's JSON one, so any other body is refused as 415 before the route runs.
 */
export const importRoutes =
  (s: ImportRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));

    app.post(
      '/imports',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        // The file's text is checked by the importer, which names the line and column (a NUL in a cell rejects that row).
        config: { access: { area: 'contacts', op: 'write' }, audit: { action: 'contact.import', target: 'import' }, textBody: 'reader' },
        schema: {
          tags: ['contacts'],
          summary: 'Import contacts from CSV (upsert by email; a consent level column is recorded in the ledger with source "import")',
          description:
            'The body is the CSV file (Content-Type: text/csv, at most 50 MiB). The first line names the columns: email, firstName, ' +
            "lastName, phone, company, country, language, birthDate, isChild, consentLevel, customFields.NAME (or a custom field's " +
            'bare name), in any case and with _ or spaces. `map` overrides names (`col=field,…`; `col=-` ignores a column); an ' +
            'unknown column refuses the file. An empty cell leaves the field unchanged. The consentLevel, isChild and birthDate ' +
            'columns decide consent: they need consent write access (admin, privacy officer), and each change is recorded in the ' +
            'consent ledger with source "import"; for other roles the file is refused with 403 unless those columns are mapped to ' +
            '`-`. guardianId and guardianConsent columns (as an export writes them) are ignored. Bad rows are rejected by line and ' +
            'the rest imported.',
          consumes: ['text/csv'],
          querystring: Obj({
            dryRun: Type.Optional(Type.Boolean({ description: 'Check and count only; nothing is written.' })),
            map: Type.Optional(Type.String({ maxLength: 4000, description: 'Column mapping, `col=field,…`.' })),
          }),
          body: Type.String({ description: 'The CSV text.' }),
          response: { 200: Data(ImportResultSchema), 415: ErrorBody, ...commonErrors },
        },
      },
      async (req) => {
        if (typeof req.body !== 'string') throw new AppError('unsupported_media_type', 'send the file as text/csv');
        const result = await s.imports.importCsv(pieces(req.body), {
          actor: actorOf(req),
          mayChangeConsent: !!req.principal && deniedFields(req.principal.role, ['consentLevel', 'isChild', 'birthDate']).length === 0,
          dryRun: req.query.dryRun === true,
          ...(req.query.map ? { map: req.query.map } : {}),
        });
        return { data: result };
      },
    );
  };
