import { Type } from 'typebox';
import { PageQuery } from '../../http/pagination.ts';
import { Id, Obj } from '../../http/schemas.ts';
import { MAX_BODY_BYTES, MAX_NAME, MAX_SUBJECT } from './messages.model.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const VARIABLES =
  'Subject, HTML and text are Liquid templates. Variables: `contact.<field>` — the contact as the contacts API names it ' +
  '(`contact.id`, `contact.email`, `contact.firstName`, `contact.lastName`, `contact.phone`, `contact.company`, ' +
  '`contact.country`, `contact.language`, `contact.birthDate`), every custom field as `contact.customFields.<name>` and, ' +
  'unless a built-in field has its name, as `contact.<name>`; an empty field is empty, never an error; and this send’s ' +
  '`subscription_center_url`, `unsubscribe_url` and `view_in_browser_url`, and `forward_url` (a campaign message’s ' +
  'forward-to-a-friend page: the person sends this message once to a friend’s address, kept 30 days; valid 30 days, bound to ' +
  'the contact and the send; a direct send’s gets the page’s refusal). Output is HTML-escaped in the HTML part (there ' +
  'is no `raw` filter), the subject and text are not escaped, and line breaks are taken out of the subject. No `include`, ' +
  '`render` or `layout`. A syntax error, an unknown variable or filter (found in every branch, with its line and column), or a ' +
  'template that fails or runs out of time for a sample contact is 422 `template_invalid` with `details` `{path, line, column, ' +
  'message}`. CSS in `<style>` is inlined for mail clients (media queries stay); without a `text`, the text part is made from ' +
  'the HTML. A `marketing` or `subscription` message, or one of any purpose at level 3 or higher (the `purposes` setting), must ' +
  'show `{{ subscription_center_url }}` or `{{ unsubscribe_url }}` to every recipient, in the HTML and in the text if given: ' +
  'else 422 `missing_subscription_link`. ';

export const MESSAGE_RULES =
  VARIABLES +
  '`purpose` is one of the installation’s purposes except `requested` (kept for the product’s own answers to a person): else ' +
  '400 `validation_failed` at `/purpose`. `listId` makes the message a newsletter of that list (its unsubscribe link leaves the ' +
  'list); an unknown list is 400 `validation_failed` at `/listId`. Addresses are checked and normalised; `fromName` needs ' +
  '`fromEmail`. Sizes: `subject` 500 characters, `html` and `text` 512 KiB each (UTF-8), `blocks` (the console’s block ' +
  'document, any JSON object, kept as given) 256 KiB as JSON.';

const Blocks = Type.Record(Type.String(), Type.Unknown(), {
  description: 'the console’s block document (any JSON object, at most 256 KiB as JSON), kept as given',
});

const fields = {
  name: Type.String({ minLength: 1, maxLength: MAX_NAME }),
  purpose: Type.String({ minLength: 1, maxLength: 64 }),
  listId: Type.Optional(Type.Union([Id, Type.Null()])),
  fromName: Type.Optional(Nullable(Type.String({ maxLength: MAX_NAME }))),
  fromEmail: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  replyTo: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  subject: Type.String({ minLength: 1, maxLength: MAX_SUBJECT }),
  html: Type.String({ minLength: 1, maxLength: MAX_BODY_BYTES }),
  text: Type.Optional(Nullable(Type.String({ maxLength: MAX_BODY_BYTES }))),
  blocks: Type.Optional(Type.Union([Blocks, Type.Null()])),
};

export const MessageCreateSchema = Obj(fields);

export const MessagePatchSchema = Obj(
  {
    name: Type.Optional(fields.name),
    purpose: Type.Optional(fields.purpose),
    listId: fields.listId,
    fromName: fields.fromName,
    fromEmail: fields.fromEmail,
    replyTo: fields.replyTo,
    subject: Type.Optional(fields.subject),
    html: Type.Optional(fields.html),
    text: fields.text,
    blocks: fields.blocks,
  },
  { minProperties: 1 },
);

export const MessageSchema = Obj({
  id: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  listId: Nullable(Type.String()),
  fromName: Nullable(Type.String()),
  fromEmail: Nullable(Type.String()),
  replyTo: Nullable(Type.String()),
  subject: Type.String(),
  html: Type.String(),
  text: Nullable(Type.String({ description: 'null: the text part is made from the HTML' })),
  blocks: Type.Union([Blocks, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const MessageListQuery = Obj({
  ...PageQuery,
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'words that must each appear in the name (without regard to case or accents)' }),
  ),
});

export const PreviewBody = Obj({ contactId: Id });

export const PreviewSchema = Obj({
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  gate: Obj({ allowed: Type.Boolean(), reason: Type.String(), effectiveLevel: Type.Integer() }),
  tracking: Type.Boolean({ description: 'whether this contact’s mail would carry the open pixel and click links' }),
});

export const TestBody = Obj({
  to: Type.String({ minLength: 3, maxLength: 254, description: 'the staff address to send the test to' }),
  contactId: Type.Optional(Id),
});

export const TestResultSchema = Obj({
  transport: Type.Union([Type.Literal('smtp'), Type.Literal('outbox')]),
  id: Type.String(),
  messageId: Nullable(Type.String({ description: 'the Message-ID the relay took it under (SMTP only)' })),
});
