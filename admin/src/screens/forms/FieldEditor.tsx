import {
  Button,
  Checkbox,
  Group,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import type { CustomField } from './forms.api';
import { type DraftField, INPUT_TYPES, mapOptions, nameFromLabel, remap, uniqueName } from './draft';

type Groups = { group: string; items: { value: string; label: string }[] }[];

/** The options with the field's own value among them: a custom field deleted since (or still loading) shows by its name. */
function withCurrent(groups: Groups, maps: string): Groups {
  if (groups.some((g) => g.items.some((i) => i.value === maps))) return groups;
  return [...groups, { group: 'Not found now', items: [{ value: maps, label: maps }] }];
}

export interface Level {
  level: number;
  name: string;
  description: string;
}

/**
 * One field of the form: its label, input name, what it fills, its checks, and (consent level,
 * lists) what it offers. Moved and removed by buttons, so the keyboard does everything.
 * `problem(path)` is the server's message for a part of this field (`/label`, `/levels/0/notice`).
 */
export function FieldEditor({
  f,
  index,
  count,
  others,
  writable,
  custom,
  levels,
  lists,
  problem,
  change,
  moveBy,
  remove,
}: {
  f: DraftField;
  index: number;
  count: number;
  others: readonly string[];
  writable: boolean;
  custom: readonly CustomField[];
  levels: readonly Level[];
  lists: readonly { id: string; name: string }[];
  problem: (path: string) => string | undefined;
  change: (f: DraftField) => void;
  moveBy: (by: -1 | 1) => void;
  remove: () => void;
}) {
  const n = index + 1;
  const what = `field ${n}`;
  const isEmail = f.maps === 'email';
  const special = f.maps === 'consentLevel' || f.maps === 'lists';
  const textual = !special && !isEmail && f.type !== 'checkbox' && f.type !== 'select' && f.type !== 'radio';
  const set = (patch: Partial<DraftField>) => change({ ...f, ...patch });
  const setLabel = (label: string) => set({ label, ...(f.nameTyped ? {} : { name: uniqueName(nameFromLabel(label), others) }) });
  const offered = new Map((f.levels ?? []).map((l) => [l.level, l.notice]));
  const toggleLevel = (level: number, on: boolean) =>
    set({
      levels: on
        ? [...(f.levels ?? []), { level, notice: '' }].sort((a, b) => a.level - b.level)
        : (f.levels ?? []).filter((l) => l.level !== level),
    });
  const setNotice = (level: number, notice: string) =>
    set({ levels: (f.levels ?? []).map((l) => (l.level === level ? { ...l, notice } : l)) });
  const levelProblem = (level: number, part: 'level' | 'notice') => {
    const j = (f.levels ?? []).findIndex((l) => l.level === level);
    return j < 0 ? undefined : problem(`/levels/${j}/${part}`);
  };
  const listsProblem = problem('/listIds') ?? (f.listIds ?? []).map((_, j) => problem(`/listIds/${j}`)).find(Boolean);
  return (
    <Paper withBorder p="sm" radius="md" component="fieldset" aria-label={`Field ${n}: ${f.label || 'no label'}`} data-field={n} m={0}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere', flex: '1 1 200px' }}>
            {n}. {f.label || 'No label yet'}
          </Text>
          {writable && (
            <Group gap={4} wrap="wrap">
              <Button size="compact-xs" variant="default" onClick={() => moveBy(-1)} disabled={index === 0} aria-label={`Move ${what} up`}>
                ↑ Up
              </Button>
              <Button
                size="compact-xs"
                variant="default"
                onClick={() => moveBy(1)}
                disabled={index === count - 1}
                aria-label={`Move ${what} down`}
              >
                ↓ Down
              </Button>
              {!isEmail && (
                <Button size="compact-xs" variant="default" color="red" onClick={remove} aria-label={`Remove ${what}`}>
                  Remove
                </Button>
              )}
            </Group>
          )}
        </Group>
        {isEmail && (
          <Text size="xs" c="dimmed">
            Every form has this one email field, always required: it is how a submission finds the contact (or makes a new one), and where a
            confirmation is sent. It cannot be removed.
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <TextInput
            label="Label"
            description="What the person reads"
            required
            value={f.label}
            onChange={(e) => setLabel(e.currentTarget.value)}
            error={problem('/label')}
            readOnly={!writable}
            maxLength={2000}
          />
          <TextInput
            label="Input name"
            description="Suggested from the label"
            required
            value={f.name}
            onChange={(e) => set({ name: e.currentTarget.value, nameTyped: true })}
            error={problem('/name')}
            readOnly={!writable}
            maxLength={64}
            spellCheck={false}
          />
          <NativeSelect
            label="Fills"
            description="Where the answer goes"
            value={f.maps}
            data={
              isEmail
                ? [{ value: 'email', label: 'Email address' }]
                : withCurrent(
                    mapOptions(custom).map((g) => ({ group: g.group, items: g.items.filter((i) => i.value !== 'email') })),
                    f.maps,
                  )
            }
            onChange={(e) => change(remap(f, e.currentTarget.value))}
            error={problem('/maps')}
            disabled={!writable || isEmail}
          />
        </SimpleGrid>
        <Group gap="md" align="flex-end" wrap="wrap">
          {f.maps === 'lists' ? (
            <Text size="sm">Shown as tick boxes, one per list.</Text>
          ) : (
            <NativeSelect
              label="Input"
              value={f.type ?? 'text'}
              data={INPUT_TYPES.filter((t) =>
                isEmail ? t.value === 'email' : f.maps === 'consentLevel' ? t.value === 'radio' || t.value === 'select' : true,
              ).map((t) => ({ value: t.value, label: t.value === 'radio' && f.maps === 'consentLevel' ? 'Radio buttons' : t.label }))}
              onChange={(e) => set({ type: e.currentTarget.value as DraftField['type'] })}
              error={problem('/type')}
              disabled={!writable || isEmail}
              w={220}
            />
          )}
          <Checkbox
            label="Required"
            checked={isEmail || !!f.required}
            onChange={(e) => set({ required: e.currentTarget.checked })}
            disabled={!writable || isEmail}
            error={problem('/required')}
            mb={8}
          />
        </Group>
        {(textual || isEmail) && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <NumberInput
              label="Longest answer (characters)"
              description="Empty: up to 2,000"
              value={f.maxLength ?? ''}
              onChange={(v) => set({ maxLength: typeof v === 'number' && v > 0 ? v : undefined })}
              min={1}
              max={10000}
              allowDecimal={false}
              error={problem('/maxLength')}
              readOnly={!writable}
            />
            {!isEmail && (
              <TextInput
                label="Pattern (optional)"
                description="A regular expression the whole answer must match, such as [0-9]{5}"
                value={f.pattern ?? ''}
                onChange={(e) => set({ pattern: e.currentTarget.value })}
                error={problem('/pattern')}
                readOnly={!writable}
                spellCheck={false}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              />
            )}
          </SimpleGrid>
        )}
        {!special && (f.type === 'select' || f.type === 'radio') && (
          <Textarea
            label="Choices"
            description="One per line, in the order shown"
            value={(f.choices ?? []).join('\n')}
            onChange={(e) => set({ choices: e.currentTarget.value.split('\n') })}
            error={problem('/choices')}
            readOnly={!writable}
            autosize
            minRows={2}
          />
        )}
        {f.maps === 'consentLevel' && (
          <Stack gap="xs" role="group" aria-label={`Consent levels offered by ${what}`}>
            <Text size="sm" fw={500}>
              Levels offered, each with the notice the person reads beside it
            </Text>
            <Text size="xs" c="dimmed">
              The notice is kept in the consent history with each choice: say plainly what the person agrees to. A form only raises consent;
              it never lowers it.
            </Text>
            {problem('/levels') && (
              <Text size="sm" c="var(--mantine-color-error)" role="alert">
                {problem('/levels')}
              </Text>
            )}
            {levels.map((l) => (
              <Stack key={l.level} gap={4}>
                <Checkbox
                  label={l.name}
                  description={l.description}
                  checked={offered.has(l.level)}
                  onChange={(e) => toggleLevel(l.level, e.currentTarget.checked)}
                  disabled={!writable}
                  error={levelProblem(l.level, 'level')}
                />
                {offered.has(l.level) && (
                  <Textarea
                    label={`Notice for ${l.name}`}
                    value={offered.get(l.level) ?? ''}
                    onChange={(e) => setNotice(l.level, e.currentTarget.value)}
                    error={levelProblem(l.level, 'notice')}
                    readOnly={!writable}
                    autosize
                    minRows={2}
                    ml={32}
                    required
                  />
                )}
              </Stack>
            ))}
          </Stack>
        )}
        {f.maps === 'lists' && (
          <MultiSelect
            label="Lists offered"
            description="The person ticks the ones to join; the field’s label is shown above them and kept as the notice"
            data={lists.map((l) => ({ value: l.id, label: l.name }))}
            value={f.listIds ?? []}
            onChange={(ids) => set({ listIds: ids })}
            error={listsProblem}
            disabled={!writable}
            searchable
            nothingFoundMessage="No list is named like that"
            placeholder={(f.listIds ?? []).length ? undefined : 'Choose lists'}
          />
        )}
        {problem('') && (
          <Text size="sm" c="var(--mantine-color-error)" role="alert">
            {problem('')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
