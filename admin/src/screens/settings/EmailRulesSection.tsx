import { Button, Fieldset, Group, NativeSelect, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

type Rules = SettingsView['emailRules'];
/** A cap as typed: the number stays text until it is sent, so nothing typed is lost to a refusal. */
type CapDraft = { purpose: string; max: string; window: string };

/** Purposes no rule touches (the email module's policy): offered nowhere here. */
const UNCAPPED = new Set(['requested', 'transactional']);

const WINDOW_HELP = 'An ISO-8601 duration: P7D is 7 days, PT12H 12 hours, P1M a month.';

/** Frequency caps and quiet hours: the rules every campaign and journey send obeys. */
export function EmailRulesSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const rules: Rules = settings.emailRules;
  const [caps, setCaps] = useState<CapDraft[]>(rules.frequencyCaps.map((c) => ({ ...c, max: String(c.max) })));
  const [quiet, setQuiet] = useState(rules.quietHours !== null);
  const [start, setStart] = useState(rules.quietHours?.start ?? '21:00');
  const [end, setEnd] = useState(rules.quietHours?.end ?? '08:00');
  const [drop, setDrop] = useState(rules.dropDeferredWhenCancelled);
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  // Each end's own error; the window's (equal ends) on both, when neither end has one of its own (a
  // refused end also reports the window as not matching: that is not news about the other end).
  const quietError = (end: 'start' | 'end') => {
    const own = fieldError(`/emailRules/quietHours/${end}`);
    const either = fieldError('/emailRules/quietHours/start') ?? fieldError('/emailRules/quietHours/end');
    const whole = either ? undefined : problem?.fields['/emailRules/quietHours'];
    return (own ?? whole) && 'Enter two different times as HH:MM, such as 21:00 and 08:00.';
  };
  const purposes = Object.keys(settings.purposes).filter((p) => !UNCAPPED.has(p));
  const set = (i: number, change: Partial<CapDraft>) => setCaps(caps.map((c, k) => (k === i ? { ...c, ...change } : c)));
  return (
    <Section
      id="settings-email-rules"
      title="Email rules"
      description={
        "How often a contact may be mailed, and when not: in each recipient's own time zone (the contact's, else its " +
        "country's, else the installation's). Requested and transactional mail is never capped or held."
      }
      canWrite={canWrite}
      onSave={() =>
        save({
          emailRules: {
            frequencyCaps: caps.map((c) => ({
              purpose: c.purpose,
              // A number the API refuses by name rather than one guessed here.
              max: /^\d+$/.test(c.max.trim()) ? Number(c.max) : -1,
              window: c.window.trim(),
            })),
            quietHours: quiet ? { start: start.trim(), end: end.trim() } : null,
            dropDeferredWhenCancelled: drop,
          },
        }).catch(() => undefined)
      }
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save email rules"
    >
      <Fieldset legend="Frequency caps" variant="unstyled">
        <Stack gap="xs">
          {caps.length === 0 && (
            <Text size="sm" c="dimmed">
              No caps: a contact may receive any number of messages.
            </Text>
          )}
          {caps.map((c, i) => {
            const at = `/emailRules/frequencyCaps/${i}`;
            const n = i + 1;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: caps have no identity but their place
              <Group key={i} gap="sm" align="flex-start" wrap="wrap">
                <NativeSelect
                  label={`Cap ${n} purpose`}
                  data={[...new Set([c.purpose, ...purposes])]}
                  value={c.purpose}
                  onChange={(e) => set(i, { purpose: e.currentTarget.value })}
                  disabled={!canWrite}
                  error={fieldError(`${at}/purpose`)}
                />
                <TextInput
                  label={`Cap ${n} at most`}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1000}
                  value={c.max}
                  onChange={(e) => set(i, { max: e.currentTarget.value })}
                  disabled={!canWrite}
                  error={fieldError(`${at}/max`) && 'Enter a whole number from 1 to 1000.'}
                />
                <TextInput
                  label={`Cap ${n} within`}
                  placeholder="P7D"
                  value={c.window}
                  onChange={(e) => set(i, { window: e.currentTarget.value })}
                  disabled={!canWrite}
                  description={WINDOW_HELP}
                  error={fieldError(`${at}/window`) && 'Enter a duration from PT1M to P1Y, such as P7D.'}
                />
                {canWrite && (
                  <Button variant="subtle" color="red" mt={24} onClick={() => setCaps(caps.filter((_, k) => k !== i))}>
                    Remove cap {n}
                  </Button>
                )}
              </Group>
            );
          })}
          {canWrite && purposes.length > 0 && (
            <Group>
              <Button
                variant="light"
                onClick={() =>
                  setCaps([...caps, { purpose: purposes.includes('marketing') ? 'marketing' : purposes[0]!, max: '3', window: 'P7D' }])
                }
              >
                Add a cap
              </Button>
            </Group>
          )}
        </Stack>
      </Fieldset>
      <Switch
        label="Quiet hours"
        checked={quiet}
        onChange={(e) => setQuiet(e.currentTarget.checked)}
        disabled={!canWrite}
        description="A send that falls in them waits until they end, in the recipient's time zone."
      />
      {quiet && (
        <Group gap="sm" align="flex-start">
          <TextInput
            label="Quiet from"
            placeholder="21:00"
            value={start}
            onChange={(e) => setStart(e.currentTarget.value)}
            disabled={!canWrite}
            description="HH:MM, 24-hour clock"
            error={quietError('start')}
          />
          <TextInput
            label="Quiet until"
            placeholder="08:00"
            value={end}
            onChange={(e) => setEnd(e.currentTarget.value)}
            disabled={!canWrite}
            description="Before the start: the quiet hours cross midnight."
            error={quietError('end')}
          />
        </Group>
      )}
      <Switch
        label="Drop held sends of a cancelled campaign"
        checked={drop}
        onChange={(e) => setDrop(e.currentTarget.checked)}
        disabled={!canWrite}
        description="Off: a send waiting for quiet hours to end still goes after its campaign is cancelled."
      />
    </Section>
  );
}
