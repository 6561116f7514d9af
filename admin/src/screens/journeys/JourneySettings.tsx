import { Autocomplete, NativeSelect, NumberInput, Paper, Radio, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { DurationInput } from './DurationInput';
import type { useRequirement } from './consent';
import type { Lookups } from './TilePanel';
import type { Goal, JourneyInput, Reentry } from './types';

type Settings = Pick<JourneyInput, 'name' | 'requiredConsent' | 'goal' | 'reentry' | 'holdoutPercent'>;

/** The journey as a whole, at the top of the designer: name, required consent, goal, re-entry, holdout. */
export function JourneySettings({
  value,
  set,
  look,
  requirement,
  readOnly,
  nameError,
}: {
  value: Settings;
  set: (patch: Partial<Settings>) => void;
  look: Lookups;
  requirement: ReturnType<typeof useRequirement>;
  readOnly: boolean;
  nameError?: string | undefined;
}) {
  const goal = value.goal;
  const goalKind = goal === null ? 'none' : 'segmentId' in goal ? 'segment' : 'event';
  const setReentry = (r: Reentry) => set({ reentry: r });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Journey settings">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" verticalSpacing="sm">
        <TextInput
          label="Name"
          required
          value={value.name}
          maxLength={200}
          onChange={(e) => set({ name: e.currentTarget.value })}
          readOnly={readOnly}
          error={nameError}
        />
        <NativeSelect
          label="Required consent"
          description="Contacts below it never enter, and leave at their next step if their consent falls"
          value={requirement.toValue(value.requiredConsent)}
          data={requirement.options}
          onChange={(e) => set({ requiredConsent: requirement.fromValue(e.currentTarget.value) })}
          disabled={readOnly}
        />
        <Stack gap={6}>
          <NativeSelect
            label="Goal"
            description="Met at any step: the contact leaves, counted as converted"
            value={goalKind}
            data={[
              { value: 'none', label: 'No goal' },
              { value: 'segment', label: 'Joins a segment' },
              { value: 'event', label: 'Something happens (an event)' },
            ]}
            onChange={(e) => {
              const k = e.currentTarget.value;
              set({ goal: k === 'none' ? null : k === 'segment' ? ({ segmentId: '' } as Goal) : ({ event: '' } as Goal) });
            }}
            disabled={readOnly}
          />
          {goal && 'segmentId' in goal && (
            <NativeSelect
              aria-label="Goal segment"
              value={goal.segmentId}
              data={[{ value: '', label: 'Choose a segment' }, ...look.segments.map((s) => ({ value: s.id, label: s.name }))]}
              onChange={(e) => set({ goal: { segmentId: e.currentTarget.value } })}
              disabled={readOnly}
            />
          )}
          {goal && 'event' in goal && (
            <Autocomplete
              aria-label="Goal event"
              placeholder="Event type, such as form.submitted"
              value={goal.event}
              data={look.eventTypes}
              onChange={(v) => set({ goal: { event: v } })}
              disabled={readOnly}
            />
          )}
        </Stack>
        <Stack gap={6}>
          <Radio.Group
            label="Entering again"
            value={value.reentry.policy}
            onChange={(v) => setReentry(v === 'once' ? { policy: 'once' } : { policy: 'again', after: 'P30D' })}
          >
            <Stack gap={4} mt={4}>
              <Radio value="once" label="A contact goes through it once" disabled={readOnly} />
              <Radio value="again" label="Again, a while after the last time ended" disabled={readOnly} />
            </Stack>
          </Radio.Group>
          {value.reentry.policy === 'again' && (
            <DurationInput
              label="After"
              value={value.reentry.after}
              onChange={(after) => setReentry({ policy: 'again', after })}
              disabled={readOnly}
            />
          )}
        </Stack>
        <Stack gap={4}>
          <NumberInput
            label="Holdout (%)"
            description="A share who would enter but never do, to measure what the journey changes"
            value={value.holdoutPercent}
            min={0}
            max={50}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="strict"
            onChange={(v) => set({ holdoutPercent: typeof v === 'number' ? v : 0 })}
            readOnly={readOnly}
          />
          {value.holdoutPercent > 0 && (
            <Text size="xs" c="dimmed">
              About {value.holdoutPercent} in 100 contacts are held out, each always the same way.
            </Text>
          )}
        </Stack>
      </SimpleGrid>
    </Paper>
  );
}
