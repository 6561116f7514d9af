import { Type, type Static } from 'typebox';
import { parseDuration, subtractDuration } from '../../lib/duration.ts';

/** Purposes caps and quiet hours never touch (the reasons: the email module's policy.ts). */
export const UNCAPPED_PURPOSES: readonly string[] = ['requested', 'transactional'];

const HHMM = '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$';
// long-line: the duration grammar of lib/duration.ts, as Ajv's pattern
const DURATION = '^P(?!$)(?:\\d+Y)?(?:\\d+M)?(?:\\d+W)?(?:\\d+D)?(?:T(?=\\d)(?:\\d+H)?(?:\\d+M)?(?:\\d+S)?)?$';

/** A cap's window: at least a minute (a zero window caps nothing) and at most a year (sends are not kept to count longer). */
const WindowSchema = Type.Refine(
  Type.String({ minLength: 2, maxLength: 40, pattern: DURATION, description: 'ISO-8601 duration, e.g. P7D' }),
  (v: string) => {
    const d = parseDuration(v);
    if (!d) return false;
    const at = new Date('2001-03-01T00:00:00.000Z'); // after a February of 28 days: P1Y is 365 days back
    const back = at.getTime() - subtractDuration(at, d).getTime();
    return back >= 60_000 && back <= 366 * 86_400_000;
  },
  () => 'a duration from PT1M to P1Y',
);

export const FrequencyCapSchema = Type.Object(
  {
    purpose: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,39}$',
      maxLength: 40,
      description: 'a purpose of the installation (not requested or transactional)',
    }),
    max: Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: 1000,
      description: 'messages of the purpose a contact may be sent in the window',
    }),
    window: WindowSchema,
  },
  { additionalProperties: false },
);

// Equal ends could mean no quiet hours or a whole quiet day: refused rather than guessed.
export const QuietHoursSchema = Type.Refine(
  Type.Object(
    {
      start: Type.String({ pattern: HHMM, maxLength: 5, description: "HH:MM in the recipient's time zone: sending stops" }),
      end: Type.String({ pattern: HHMM, maxLength: 5, description: 'HH:MM: sending resumes (before start: the window crosses midnight)' }),
    },
    { additionalProperties: false },
  ),
  (q: { start: string; end: string }) => q.start !== q.end,
  () => 'start and end must differ',
);

/** Rules every campaign and journey send obeys (the policy of the email module). */
export const EmailRulesSchema = Type.Object(
  {
    frequencyCaps: Type.Array(FrequencyCapSchema, {
      maxItems: 20,
      description: 'At most `max` messages of a purpose per contact within `window`; a send over it is refused (frequency_cap).',
    }),
    quietHours: Type.Union([QuietHoursSchema, Type.Null()], {
      description: "A daily window in each recipient's own time zone; a send in it is deferred to its end.",
    }),
    dropDeferredWhenCancelled: Type.Boolean({
      description: 'A send deferred by quiet hours whose campaign was cancelled meanwhile is dropped (true) or still sent (false).',
    }),
  },
  { additionalProperties: false },
);
export type EmailRules = Static<typeof EmailRulesSchema>;
export type FrequencyCap = Static<typeof FrequencyCapSchema>;
export type QuietHours = Static<typeof QuietHoursSchema>;
