import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { deniedFields } from '../../http/access.ts';
import { actorOf } from '../../http/auth.ts';
import { commonErrors, Data, ErrorBody, Id, Obj, withExamples } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import { decodeText } from '../../lib/text-encoding.ts';
import { mayRead, type JobProgress } from '../platform/module.ts';
import { IMPORT_RESULT } from './contacts.examples.ts';
import { IMPORT_QUEUE, type ImportService } from './import.service.ts';

const CSV_EXAMPLE =
  'email,firstName,lastName,country,consentLevel\nlea.martin@example.com,Léa,Martin,FR,4\njonas.berg@example.org,Jonas,Berg,SE,3\n';
const MAP_EXAMPLE = 'E-mail=email,Prénom=firstName,Newsletter=-';

const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
/**
 * A file larger than this is imported by a job (202): about 20,000 rows of a usual contact
 * export, some seconds of work, past which a request would hold its connection (and a proxy's
 * timeout) for the whole import.
 */
export const ASYNC_FROM_BYTES = 2 * 1024 * 1024;
const PIECE = 1 << 20;

/** The body in pieces, so the reader holds a piece's rows at a time rather than the whole file's. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += PIECE) yield bytes.subarray(i, i + PIECE);
}

/** A flag as clients write it: `true`/`false` or `1`/`0`. */
const Flag = Type.Unsafe<'true' | 'false' | '1' | '0'>({
  type: 'string',
  enum: ['true', 'false', '1', '0'],
  description: '`true` or `1`: check and count only, nothing is written; `false` or `0` (the default): import.',
});
const isSet = (flag: string | undefined) => flag === 'true' || flag === '1';

const AsyncFlag = Type.Unsafe<'true' | 'false' | '1' | '0'>({
  type: 'string',
  enum: ['true', 'false', '1', '0'],
  description: '`true` or `1`: import by a job whatever the size (answer 202 with its id). A file over 2 MiB is always imported by a job.',
});

const Charset = Type.String({
  maxLength: 40,
  pattern: '^[A-Za-z0-9._:-]+$',
  description:
    "The file's encoding when it is not detected right: utf-8, utf-16le, utf-16be, windows-1252, iso-8859-1 (and their usual " +
    'aliases). Also taken from the `charset` parameter of the Content-Type (of the body, or of the multipart file part).',
});

/** The form fields a multipart upload may carry besides its file (the query's parameters, for clients that only post forms). */
const FormFields = Obj(
  {
    // Read before validation (readUpload): documented here, never present in the body the schema checks.
    file: Type.Optional(
      Type.Unsafe<string>({ type: 'string', format: 'binary', maxLength: IMPORT_BODY_LIMIT, description: 'The CSV file (required).' }),
    ),
    dryRun: Type.Optional(Flag),
    map: Type.Optional(Type.String({ maxLength: 4000, description: 'Column mapping, `col=field,…`.' })),
    charset: Type.Optional(Charset),
    async: Type.Optional(AsyncFlag),
  },
  { description: 'The file and the options as form fields.' },
);

/** What a multipart upload brought: the file's bytes and the charset its part declared. */
interface Upload {
  bytes: Buffer;
  charset: string | null;
}
const uploads = new WeakMap<FastifyRequest, Upload>();

const MULTIPART_LIMITS = { fileSize: IMPORT_BODY_LIMIT, files: 1, fields: 4, fieldSize: 4000, parts: 5, headerPairs: 20 };

/** The `charset` parameter of a Content-Type, if any. */
function charsetOf(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}

/**
 * Reads a multipart upload before validation: the one file part (named `file`) into memory,
 * bounded like a raw body, and the form fields into the body, which the schema then checks.
 * The parser's own limit errors become the API's codes.
 */
async function readUpload(req: FastifyRequest): Promise<void> {
  const fields: Record<string, string> = {};
  let upload: Upload | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || upload) {
          part.file.resume();
          throw new AppError('validation_failed', 'send one file, in the part named "file"', [
            { path: `/${part.fieldname.slice(0, 40)}`, message: 'unexpected file' },
          ]);
        }
        upload = { bytes: await part.toBuffer(), charset: charsetOf(part.mimetype) };
      } else {
        if (Object.hasOwn(fields, part.fieldname) || part.fieldname === 'file')
          throw new AppError('validation_failed', `the field "${part.fieldname.slice(0, 40)}" is given twice (or "file" as text)`, [
            { path: `/${part.fieldname.slice(0, 40)}`, message: 'duplicate field' },
          ]);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('payload_too_large', `the file is larger than ${IMPORT_BODY_LIMIT / 1024 / 1024} MiB`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new AppError(
        'payload_too_large',
        'the upload has more parts than the import takes: one file and at most dryRun, map, charset, async',
      );
    throw new AppError('validation_failed', 'the multipart body cannot be read', [{ path: '/body', message: 'malformed multipart' }]);
  }
  if (!upload)
    throw new AppError('validation_failed', 'the upload has no file: send it in a part named "file"', [
      { path: '/file', message: 'missing' },
    ]);
  uploads.set(req, upload);
  req.body = fields;
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
  progress: JobProgress;
}

const Accepted = Data(
  Obj({
    jobId: Type.Unsafe<string>({
      ...Id,
      description:
        'follow it at GET /api/v1/jobs/{jobId} (done and total count the lines after the header); its result has the counts ' +
        'of a 200 answer, `rejected` being the number of rejected lines, listed by GET /api/v1/imports/{jobId}/rejected',
    }),
  }),
);

/**
 * CSV import for programs. The plugin accepts text/csv alone: its own content-type parsers
 * replace the app's JSON one, so any other body is refused as 415 before the route runs.
 */
export const importRoutes =
  (s: ImportRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeAllContentTypeParsers();
    // Bytes, not text: the importer finds the encoding (lib/text-encoding.ts), where a string parser would have guessed UTF-8.
    app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: true });

    app.post(
      '/imports',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        // The file's text is checked by the importer, which names the line and column (a NUL in a cell rejects that row).
        config: { access: { area: 'contacts', op: 'write' }, audit: { action: 'contact.import', target: 'import' }, textBody: 'reader' },
        preValidation: async (req) => {
          if (req.isMultipart()) await readUpload(req);
        },
        schema: {
          tags: ['contacts'],
          summary: 'Import contacts from CSV (upsert by email; a consent level column is recorded in the ledger with source "import")',
          description:
            'The body is the CSV file, at most 50 MiB: raw (Content-Type: text/csv) or uploaded as a form (multipart/form-data, the ' +
            'file in a part named `file`, optional fields `dryRun`, `map` and `charset` as in the query). The separator is the one the ' +
            'header line uses: comma, semicolon or tab (a quoted field may hold the others). The encoding is detected: UTF-8 with or ' +
            'without BOM, UTF-16 LE/BE (BOM, or the NUL bytes of its ASCII), else Windows-1252 (Latin-1) when the bytes are not ' +
            'UTF-8; a `charset` (query, form field, or Content-Type parameter) names it instead. A file in any other encoding, or ' +
            'whose bytes are not valid in the one named or found, is refused whole with `unsupported_encoding` (415): no character ' +
            'is guessed or replaced. Lines end in LF or CRLF. The first line names the columns: email, firstName, ' +
            'lastName, phone, company, country, language, timeZone, birthDate, isChild, consentLevel, customFields.NAME (or a ' +
            "custom field's bare name), in any case and with _ or spaces. `map` overrides names (`col=field,…`; `col=-` ignores " +
            'a column); an ' +
            'unknown column refuses the file. An empty cell leaves the field unchanged. The consentLevel, isChild and birthDate ' +
            'columns decide consent: they need consent write access (admin, privacy officer), and each change is recorded in the ' +
            'consent ledger with source "import"; for other roles the file is refused with 403 unless those columns are mapped to ' +
            '`-`. guardianId and guardianConsent columns (as an export writes them) are ignored. Bad rows are rejected by line and ' +
            'the rest imported; an address erased earlier is suppressed and its row rejected. ' +
            '`dryRun` checks and counts without writing. The answer counts the created and updated ' +
            'contacts and lists each rejected line with its reason (never the cell values). A file over 2 MiB, or any file with ' +
            '`async=true`, is imported by a job: the header is checked ' +
            'in the request (the same 400, 403 and 415 answers), then the answer is 202 with `{"data":{"jobId"}}`; follow it at ' +
            'GET /api/v1/jobs/{jobId} and fetch the rejected lines at GET /api/v1/imports/{jobId}/rejected. The file waits for its ' +
            'job in the database and is deleted when the job ends (and after one day in any case).',
          consumes: ['text/csv', 'multipart/form-data'],
          querystring: Obj({
            dryRun: Type.Optional(withExamples(Flag, 'true')),
            map: Type.Optional(Type.String({ maxLength: 4000, description: 'Column mapping, `col=field,…`.', examples: [MAP_EXAMPLE] })),
            charset: Type.Optional(withExamples(Charset, 'windows-1252')),
            async: Type.Optional(AsyncFlag),
          }),
          body: {
            content: {
              // No type: the parser hands the bytes over as a Buffer; the importer reads them.
              'text/csv': {
                schema: Type.Unsafe<Buffer>({ description: 'The CSV file, in any encoding described above.', examples: [CSV_EXAMPLE] }),
              },
              'multipart/form-data': { schema: withExamples(FormFields, { file: CSV_EXAMPLE, dryRun: 'false', map: MAP_EXAMPLE }) },
            },
          },
          response: {
            200: withExamples(Data(ImportResultSchema), { data: IMPORT_RESULT }),
            202: Accepted,
            413: ErrorBody,
            415: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const upload = uploads.get(req);
        const form = upload ? (req.body as { dryRun?: string; map?: string; charset?: string; async?: string }) : {};
        if (!upload && !Buffer.isBuffer(req.body))
          throw new AppError('unsupported_media_type', 'send the file as text/csv or multipart/form-data');
        const bytes = upload ? upload.bytes : (req.body as Buffer);
        const charset = req.query.charset ?? form.charset ?? (upload ? upload.charset : charsetOf(req.headers['content-type']));
        const map = req.query.map ?? form.map;
        const opts = {
          actor: actorOf(req),
          mayChangeConsent: !!req.principal && deniedFields(req.principal.role, ['consentLevel', 'isChild', 'birthDate']).length === 0,
          dryRun: isSet(req.query.dryRun ?? form.dryRun),
          ...(map ? { map } : {}),
        };
        if (isSet(req.query.async ?? form.async) || bytes.length > ASYNC_FROM_BYTES) {
          // Decoded whole here: a file in an encoding it cannot be read in is refused in the request, not by the job.
          let text = '';
          for await (const chunk of decodeText(pieces(bytes), charset)) text += chunk;
          const p = req.principal!;
          const job = await s.imports.startJob(text, opts, { role: p.role, type: p.kind, id: p.id });
          req.auditTargetId = job.jobId;
          req.auditCount = job.total;
          return reply.status(202).send({ data: { jobId: job.jobId } });
        }
        const result = await s.imports.importCsv(decodeText(pieces(bytes), charset), opts);
        return reply.status(200).send({ data: result });
      },
    );

    app.get(
      '/imports/:jobId/rejected',
      {
        config: { access: { area: 'contacts', op: 'write' }, audit: { action: 'contact.import_rejects', target: 'job' } },
        schema: {
          tags: ['contacts'],
          summary: 'The lines an import job rejected, as CSV',
          description:
            'For an import that answered 202: its rejected lines as CSV (text/csv), `line,reason`, in line order (the line ' +
            "numbers are the file's, the header being line 1). The reasons name columns and rules, never a cell's value: the " +
            'lines themselves are in the file the caller sent. Complete once the job is done (GET /api/v1/jobs/{jobId}); while it ' +
            'runs, the lines rejected so far. Readable by admins and by callers of the role that started the import; for anyone ' +
            'else, and for an id that names no import job, 404 not_found.',
          params: Obj({ jobId: Id }),
          produces: ['text/csv'],
          response: {
            200: {
              description: 'The rejected lines',
              content: {
                'text/csv': {
                  schema: withExamples(
                    Type.String(),
                    'line,reason\n4,email: not an email address\n9,consentLevel: a whole number from 0 to 5\n',
                  ),
                },
              },
            },
            ...commonErrors,
          },
        },
      },
      async (req, reply) => {
        const job = await s.progress.get(req.params.jobId);
        if (!job || job.queue !== IMPORT_QUEUE || !mayRead(req.principal!, job)) throw new AppError('not_found', 'no such import job');
        req.auditTargetId = job.id;
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="rejected.csv"')
            .header('cache-control', 'no-store')
            // A stream is sent as it is, past the response schema (which documents the text it carries).
            .send(Readable.from(s.imports.rejectedCsv(job.id)) as unknown as string)
        );
      },
    );
  };
