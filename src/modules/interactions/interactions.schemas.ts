import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Obj, Id } from '../../http/schemas.ts';
import { AppError } from '../../lib/errors.ts';
import { namedChoices } from '../../lib/choices.ts';
import {
  CUSTOM_NAME,
  EventProblem,
  INTERACTION_TYPES,
  invalidEvent,
  MAX_BATCH,
  MAX_PROPERTIES_BYTES,
  MAX_PROPERTIES_DEPTH,
  MAX_URL,
  type EventInput,
} from './interactions.model.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const EventSchema = Obj({
  type: Type.Enum([...INTERACTION_TYPES], { description: '`custom` events need a `name`' }),
  contactId: Type.Optional(Id),
  email: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 254,
      description:
        'instead of `contactId`: the contact holding this address (compared as addresses are, without regard to case); an ' +
        'address no contact holds is counted in the anonymous statistics only',
    }),
  ),
  at: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'ISO-8601 date-time with an offset; defaults to now; at most 5 minutes ahead, not before 2000',
    }),
  ),
  messageId: Type.Optional(Id),
  journeyId: Type.Optional(Id),
  pageId: Type.Optional(Id),
  url: Type.Optional(
    Type.String({
      maxLength: MAX_URL,
      description: 'absolute http(s); kept per contact without credentials, fragment or query parameters other than utm_*',
    }),
  ),
  name: Type.Optional(Type.String({ pattern: CUSTOM_NAME, maxLength: 64, description: 'custom events: the event name' })),
  behavioural: Type.Optional(
    Type.Boolean({
      description: 'custom events: whether this is behaviour (stored per contact only with profiling consent); default true',
    }),
  ),
  properties: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: `a JSON object of at most ${MAX_PROPERTIES_BYTES} bytes, nested at most ${MAX_PROPERTIES_DEPTH} levels`,
    }),
  ),
});

export const IngestBodySchema = Type.Union([EventSchema, Obj({ events: Type.Array(EventSchema, { minItems: 1, maxItems: MAX_BATCH }) })], {
  description:
    `One event, or {"events": [...]} with up to ${MAX_BATCH}. A batch ` +
    `with an invalid event is refused whole; error.details.index ` +
    `names the event.`,
});
export type IngestBody = Static<typeof IngestBodySchema>;

export const IngestResultSchema = Obj({
  accepted: Type.Integer(),
  stored: Type.Integer(),
  unlinked: Type.Integer({ description: 'events counted but not kept per contact (no profiling consent, or an unknown address)' }),
});

export const InteractionSchema = Obj({
  id: Type.String(),
  contactId: Type.String(),
  type: Type.String(),
  name: Nullable(Type.String()),
  ref: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  journeyId: Nullable(Type.String()),
  pageId: Nullable(Type.String()),
  url: Nullable(Type.String()),
  properties: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  at: Type.String(),
});

const Day = (example: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, examples: [example] });
export const StatsQuerySchema = Obj({
  from: Type.Optional(Day('2026-11-01')),
  to: Type.Optional(Day('2026-11-30')),
  type: Type.Optional(Type.Enum([...INTERACTION_TYPES])),
  ref: Type.Optional(Type.String({ maxLength: MAX_URL })),
});
export const StatsSchema = Obj({
  data: Type.Array(Obj({ day: Type.String(), type: Type.String(), ref: Type.String(), count: Type.Integer() })),
  truncated: Type.Boolean({ description: 'more rows matched than one answer holds; narrow the range or filter' }),
});

const eventCheck = Compile(EventSchema);

function firstProblem(value: unknown): EventProblem {
  for (const e of namedChoices([...eventCheck.Errors(value)], EventSchema)) {
    if (e.keyword === 'required')
      return new EventProblem(`/${(e.params as { requiredProperties: string[] }).requiredProperties[0]}`, 'required');
    if (e.keyword === 'additionalProperties')
      return new EventProblem(`/${(e.params as { additionalProperties: string[] }).additionalProperties[0]}`, 'unknown field');
    // A closed object reports each unknown field as failing the `false` schema.
    if (e.keyword === 'boolean') return new EventProblem(e.instancePath, 'unknown field');
    return new EventProblem(e.instancePath || '/', e.message);
  }
  return new EventProblem('/', 'invalid');
}

/**
 * The wire check of an ingest body, done per event so a failure names the event's index
 * (a schema validator over the whole body would report paths into a union instead).
 */
export function checkIngestBody(body: unknown): AppError | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return new AppError('validation_failed', 'expected an event or {"events": [...]}', { path: '/', message: 'must be an object' });
  if (!('events' in body)) return eventCheck.Check(body) ? null : invalidEvent(0, firstProblem(body));
  const extra = Object.keys(body).find((k) => k !== 'events');
  if (extra !== undefined)
    return new AppError('validation_failed', 'a batch has only "events"', { path: `/${extra}`, message: 'unknown field' });
  const events = (body as { events: unknown }).events;
  if (!Array.isArray(events))
    return new AppError('validation_failed', 'events must be an array', { path: '/events', message: 'must be an array' });
  if (events.length === 0)
    return new AppError('validation_failed', 'a batch needs at least one event', { path: '/events', message: 'at least one event' });
  if (events.length > MAX_BATCH)
    return new AppError('validation_failed', `a batch holds at most ${MAX_BATCH} events`, {
      path: '/events',
      message: `at most ${MAX_BATCH} events`,
    });
  for (let i = 0; i < events.length; i++) if (!eventCheck.Check(events[i])) return invalidEvent(i, firstProblem(events[i]));
  return null;
}

export const eventsOf = (body: IngestBody): EventInput[] => ('events' in body ? body.events : [body]) as EventInput[];
