import { Alert, Button, Fieldset, Group, NativeSelect, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { Builder } from '../segments/Builder';
import { INTERACTION_LABELS } from '../segments/language';
import { problemsByNode } from '../segments/preview';
import type { Vocabulary } from '../segments/vocabulary';
import type { Placed, RuleDraft } from './draft';

/**
 * One rule of a model: its name, kind and points; a condition built with the segment builder (the
 * contact's fields and the lead's), or a behaviour (an interaction, at least N times, within D
 * days) with an optional decay. Moved up and down by buttons, so the keyboard does all of it.
 */
export function RuleCard({
  rule,
  index,
  count,
  set,
  move,
  remove,
  placed,
  vocab,
  readOnly,
}: {
  rule: RuleDraft;
  index: number;
  count: number;
  set: (patch: Partial<RuleDraft>) => void;
  move: (by: -1 | 1) => void;
  remove: () => void;
  placed: Placed;
  vocab: Vocabulary;
  readOnly: boolean;
}) {
  const at = `/rules/${index}`;
  const err = (path: string) => placed.fields.get(path)?.join(' ') || undefined;
  const number = index + 1;
  const label = rule.name.trim() || `rule ${number}`;
  const types = Object.entries(INTERACTION_LABELS).map(([value, l]) => ({ value, label: l }));
  if (!(rule.type in INTERACTION_LABELS)) types.push({ value: rule.type, label: `${rule.type} (no such type)` });
  const ruleErrors = [...(placed.fields.get(at) ?? []), ...(placed.fields.get(`${at}/behaviour`) ?? [])];
  return (
    <Fieldset legend={`Rule ${number}: ${label}`} p="sm" data-rule={index}>
      <Stack gap="sm">
        <Group align="flex-start" wrap="wrap" gap="sm">
          <TextInput
            label="Name"
            description="The explanation shows it, to you and to the person"
            required
            w={300}
            maw="100%"
            maxLength={200}
            readOnly={readOnly}
            value={rule.name}
            error={err(`${at}/name`)}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
          <TextInput
            label="Points"
            description="Negative takes points away"
            type="number"
            min={-1000}
            max={1000}
            step={1}
            w={160}
            readOnly={readOnly}
            value={rule.points}
            error={err(`${at}/points`)}
            onChange={(e) => set({ points: e.currentTarget.value })}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id={`rule-kind-${rule.key}`}>
              Gives points for
            </Text>
            <SegmentedControl
              aria-labelledby={`rule-kind-${rule.key}`}
              disabled={readOnly}
              value={rule.kind}
              onChange={(v) => set({ kind: v as RuleDraft['kind'] })}
              data={[
                { value: 'condition', label: 'Who they are' },
                { value: 'behaviour', label: 'What they did' },
              ]}
            />
          </Stack>
        </Group>
        {rule.kind === 'condition' ? (
          <Builder
            tree={rule.tree}
            onChange={(tree) => set({ tree })}
            readOnly={readOnly}
            problems={problemsByNode(rule.tree, placed.conditions.get(index) ?? [])}
            vocab={vocab}
            legend="Leads whose contact or lead matches"
          />
        ) : (
          <Group align="flex-start" wrap="wrap" gap="sm">
            <NativeSelect
              label="Interaction"
              disabled={readOnly}
              value={rule.type}
              data={types}
              error={err(`${at}/behaviour/type`)}
              onChange={(e) => set({ type: e.currentTarget.value })}
            />
            <TextInput
              label="Which one (optional)"
              description="Message, page or form reference"
              readOnly={readOnly}
              value={rule.ref}
              error={err(`${at}/behaviour/ref`)}
              onChange={(e) => set({ ref: e.currentTarget.value })}
            />
            <TextInput
              label="At least (times)"
              description="Empty: once"
              type="number"
              min={1}
              w={140}
              readOnly={readOnly}
              value={rule.atLeast}
              error={err(`${at}/behaviour/atLeast`)}
              onChange={(e) => set({ atLeast: e.currentTarget.value })}
            />
            <TextInput
              label="Within (days)"
              description="Empty: ever"
              type="number"
              min={1}
              max={3650}
              w={140}
              readOnly={readOnly}
              value={rule.withinDays}
              error={err(`${at}/behaviour/withinDays`)}
              onChange={(e) => set({ withinDays: e.currentTarget.value })}
            />
            <TextInput
              label="Fades over (days)"
              description="Empty: no decay"
              type="number"
              min={1}
              max={3650}
              w={160}
              readOnly={readOnly}
              value={rule.decayDays}
              error={err(`${at}/decayDays`)}
              onChange={(e) => set({ decayDays: e.currentTarget.value })}
            />
          </Group>
        )}
        {rule.kind === 'behaviour' && rule.decayDays.trim() !== '' && (
          <Text size="xs" c="dimmed">
            The points shrink a little each day after the latest counted interaction, and are gone after {rule.decayDays} days.
          </Text>
        )}
        {ruleErrors.length > 0 && (
          <Alert color="red" variant="light" p="xs" title="Fix this rule to save">
            {ruleErrors.map((m) => (
              <Text key={m} size="sm">
                {m}
              </Text>
            ))}
          </Alert>
        )}
        {!readOnly && (
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={index === 0} onClick={() => move(-1)} aria-label={`Move up: ${label}`}>
              Move up
            </Button>
            <Button size="xs" variant="default" disabled={index === count - 1} onClick={() => move(1)} aria-label={`Move down: ${label}`}>
              Move down
            </Button>
            <Button size="xs" variant="subtle" color="red" onClick={remove} aria-label={`Remove rule: ${label}`}>
              Remove rule
            </Button>
          </Group>
        )}
      </Stack>
    </Fieldset>
  );
}
