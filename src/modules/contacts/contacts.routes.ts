import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, requireFieldAccess, sourceOf } from '../../http/auth.ts';
import { PageQuery, listPage, sortedListPage } from '../../http/pagination.ts';
import { CONTACT_SORTS, type ContactFilter, type ContactSortField } from './contacts.queries.ts';
import { canonicalCountry, canonicalLanguage } from './contacts.model.ts';
import { commonErrors, Data, ErrorBody, IdParams, List, Obj, Id, withExamples } from '../../http/schemas.ts';
import type { ContactsService } from './contacts.service.ts';
import type { CustomFieldsService } from './custom-fields.service.ts';
import { ErasureAnswerSchema } from '../dsr/erasure/module.ts';
import {
  ContactCreateSchema,
  ContactListedSchema,
  ContactPatchSchema,
  ContactSchema,
  CustomFieldCreateSchema,
  CustomFieldSchema,
  DuplicateGroupSchema,
} from './contacts.schemas.ts';
import {
  CONTACT,
  CONTACT_CREATE,
  CONTACT_PATCH,
  CUSTOM_FIELD,
  CUSTOM_FIELD_CREATE,
  DUPLICATE_GROUP,
  ERASURE_ANSWER,
  LIST_ID,
  page,
} from './contacts.examples.ts';
import { HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';

const read = { area: 'contacts', op: 'read' } as const;
const SORTS = Object.keys(CONTACT_SORTS).flatMap((k) => [k, `-${k}`]);
const write = { area: 'contacts', op: 'write' } as const;

/** What these routes use: the module's face and the faces it needs, nothing else. */
export interface ContactsRouteDeps {
  contacts: ContactsService;
  customFields: CustomFieldsService;
}

export const contactsRoutes =
  (s: ContactsRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/contacts',
      {
        config: { access: write, audit: { action: 'contact.create', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary:
            'Create a contact (email normalised and unique); the child flag, birth date and guardian need consent write access and ' +
            'are recorded in the consent ledger',
          description:
            'The address is trimmed and compared without regard to case: ' +
            'one already held gives 409 `contact_exists`; an address erased earlier is suppressed and refused with 409 ' +
            '`suppressed`. `customFields` takes only fields defined with POST /contact-fields, each value of its type. ' +
            '`isChild`, `birthDate` and `guardianId` decide consent: a marketer sending them gets 403 `forbidden`. A new contact ' +
            'starts at consent level 0: set it with PUT /contacts/{id}/consent. Unknown fields are refused (400 ' +
            '`validation_failed`), never dropped.',
          body: withExamples(ContactCreateSchema, CONTACT_CREATE),
          response: { 201: withExamples(Data(ContactSchema), { data: CONTACT }), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        requireFieldAccess(req, Object.keys(req.body));
        const c = await s.contacts.create(req.body, { source: sourceOf(req), actor: actorOf(req) });
        req.auditTargetId = c.id;
        return reply.status(201).send({ data: c });
      },
    );

    app.get(
      '/contacts',
      {
        config: { access: read, audit: { action: 'contact.list', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary: 'List, search and sort contacts; `email` finds one by its normalised address',
          description:
            '`q` searches the address, first and last name and company: each word (up to 10, split at spaces) must be found in one ' +
            'of them, without regard to case or to accents on Latin letters (é, ü, ø, ł… match e, u, o, l), the same on SQLite and ' +
            'PostgreSQL. `sort` orders by a column, `-` before it for descending; text columns compare in lower case and a missing ' +
            'value sorts as empty (first ascending). Without `sort` contacts come in creation order. Paging follows the sort: the ' +
            'cursor carries the last sort value and id, so equal values are neither skipped nor repeated; a cursor is valid only ' +
            'with the sort it came from (`invalid_cursor` otherwise). `country` and `language` accept any case. Filters combine ' +
            '(all must hold): `list` its members, `guardian` the children linked to that guardian, `consentLevelAtLeast` and ' +
            '`consentLevel` the stored level (at least, or exactly). `sort=name` orders by the name as shown, first then last. ' +
            'Each contact comes with `lists`, the ids of the lists it is on. Each listing is one audit entry.',
          querystring: Obj({
            ...PageQuery,
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'words to find in address, names and company',
                examples: ['lea martin'],
              }),
            ),
            sort: Type.Optional(
              Type.Union(
                SORTS.map((v) => Type.Literal(v)),
                { description: 'a column to order by, `-` before it for descending', examples: ['-createdAt'] },
              ),
            ),
            email: Type.Optional(Type.String({ maxLength: 254 })),
            emailPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
            country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', maxLength: 2 })),
            language: Type.Optional(Type.String({ maxLength: 35 })),
            consentLevelAtLeast: Type.Optional(Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL })),
            consentLevel: Type.Optional(
              Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL, description: 'the stored level exactly' }),
            ),
            list: Type.Optional(Id),
            guardian: Type.Optional(Id),
          }),
          response: { 200: withExamples(List(ContactListedSchema), page([{ ...CONTACT, lists: [LIST_ID] }], 1340)), ...commonErrors },
        },
      },
      async (req) => {
        const { limit: _, cursor: __, list, guardian, sort: chosen, country, language, ...rest } = req.query;
        const sort = chosen as string | undefined;
        const filter: ContactFilter = {
          ...rest,
          ...(country !== undefined ? { country: canonicalCountry(country) } : {}),
          ...(language !== undefined ? { language: canonicalLanguage(language) } : {}),
          ...(list ? { listId: list } : {}),
          ...(guardian ? { guardianId: guardian } : {}),
        };
        const count = () => s.contacts.count(filter);
        const answer = async () => {
          if (sort === undefined) return listPage(req.query, (n, after) => s.contacts.list(filter, n, after), count);
          const order = { field: sort.replace(/^-/, '') as ContactSortField, desc: sort.startsWith('-') };
          return sortedListPage(req.query, sort, (n, after) => s.contacts.listSorted(filter, order, n, after), count);
        };
        const p = await answer();
        return { ...p, data: await s.contacts.withLists(p.data) };
      },
    );

    // Registered beside /contacts/:id: a static segment wins over the parameter.
    app.get(
      '/contacts/duplicates',
      {
        config: { access: read, audit: { action: 'contact.duplicates', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary:
            'Contacts that share an address (compared without regard to case), left from before addresses were compared so; nothing ' +
            'is merged automatically',
          description:
            'Each group is one address held by several contacts, oldest contact first; `page.total` counts the addresses. They are for ' +
            'an admin to ' +
            'merge by hand: nothing here merges or deletes. Mind that erasing one of them (DELETE /contacts/{id}) suppresses ' +
            'the address they share, while the `suppressErasedAddresses` setting is on (the default).',
          querystring: Obj({ ...PageQuery }),
          response: { 200: withExamples(List(DuplicateGroupSchema), page([DUPLICATE_GROUP])), ...commonErrors },
        },
      },
      async (req) => {
        return listPage(
          req.query,
          (n, after) => s.contacts.duplicates(n, after),
          async () => (await s.contacts.duplicateSummary()).addresses,
        );
      },
    );

    app.get(
      '/contacts/:id',
      {
        config: { access: read, audit: { action: 'contact.view', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary: 'One contact',
          description:
            'The profile, custom fields and stored consent level of one contact; 404 `not_found` for an id no contact has (never ' +
            'one, or erased). Each read is an audit entry naming the contact.',
          params: IdParams,
          response: { 200: withExamples(Data(ContactSchema), { data: CONTACT }), ...commonErrors },
        },
      },
      async (req) => ({ data: await s.contacts.get(req.params.id) }),
    );

    app.patch(
      '/contacts/:id',
      {
        config: { access: write, audit: { action: 'contact.update', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary:
            'Change profile fields (consent levels have their own routes); the child flag, birth date and guardian link decide ' +
            'consent: changing them needs consent write access, is recorded in the consent ledger, and a new guardian starts without ' +
            'guardian consent',
          description:
            'Send only the fields to change (at least one); `null` clears a field. ' +
            'The consent fields (`isChild`, `birthDate`, `guardianId`) only to admin and privacy officer (403 `forbidden` for a ' +
            'marketer). An address another contact holds gives 409 `contact_exists`. `customFields` merges: the fields named change, ' +
            'the others stay.',
          params: IdParams,
          body: withExamples(ContactPatchSchema, CONTACT_PATCH),
          response: {
            200: withExamples(Data(ContactSchema), { data: { ...CONTACT, company: 'Martin & Fils' } }),
            409: ErrorBody,
            ...commonErrors,
          },
        },
      },
      async (req) => {
        requireFieldAccess(req, Object.keys(req.body));
        return { data: await s.contacts.update(req.params.id, req.body, { source: sourceOf(req), actor: actorOf(req) }) };
      },
    );

    app.delete(
      '/contacts/:id',
      {
        config: { access: { area: 'erasure', op: 'write' }, audit: { action: 'contact.delete', target: 'contact' } },
        schema: {
          tags: ['contacts'],
          summary:
            'Erase a contact and everything linked to it, as POST /contacts/{id}/erase does (receipt, suppression, residue scan); ' +
            'its consent ledger entries become hash-only stubs',
          description:
            '204 when the erasure is complete. When identifiers of the person remain, 202 with the same answer as POST ' +
            '/contacts/{id}/erase (`complete: false`, `residue`, `tasks`): the erasure is not done until those tasks are. ' +
            'It cannot be undone. While the `suppressErasedAddresses` setting is ' +
            'on (the default) the address is then suppressed: creating or importing it again is refused with 409 `suppressed`.',
          params: IdParams,
          response: { 202: withExamples(Data(ErasureAnswerSchema), { data: ERASURE_ANSWER }), 204: Type.Null(), ...commonErrors },
        },
      },
      async (req, reply) => {
        const r = await s.contacts.delete(req.params.id, actorOf(req));
        if (!r.complete) return reply.status(202).send({ data: { ...r.receipts[0]!, tasks: r.tasks } });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/contact-fields',
      {
        config: { access: read, audit: false },
        schema: {
          tags: ['contacts'],
          summary: 'Custom contact fields',
          description:
            'Every custom field defined, with its type, whether it is personal data, and the column that holds it. Not paged (an ' +
            'installation defines at most a few hundred).',
          response: { 200: withExamples(Data(Type.Array(CustomFieldSchema)), { data: [CUSTOM_FIELD] }), ...commonErrors },
        },
      },
      async () => ({ data: await s.customFields.list() }),
    );

    app.post(
      '/contact-fields',
      {
        config: { access: write, audit: { action: 'contact_field.create', target: 'custom_field' } },
        schema: {
          tags: ['contacts'],
          summary: 'Define a custom contact field: a typed column declared in the data map',
          description:
            'Adds a typed column `cf_<name>` to contacts and declares it in the data map. `name` is lower case letters, digits and ' +
            '_ (up to 40, starting with a letter), `type` one of text, number, boolean, date; `personal: true` makes its values ' +
            'part of access exports and erasures. A name in use gives 409 `field_exists` (or `name_taken` when the database already ' +
            'has such a column).',
          body: withExamples(CustomFieldCreateSchema, CUSTOM_FIELD_CREATE),
          response: { 201: withExamples(Data(CustomFieldSchema), { data: CUSTOM_FIELD }), 409: ErrorBody, ...commonErrors },
        },
      },
      async (req, reply) => {
        const f = await s.customFields.define(req.body);
        req.auditTargetId = f.id;
        return reply.status(201).send({ data: f });
      },
    );
  };
