import {
  ActionIcon,
  Autocomplete,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { formatNumber } from '../../ui/format';
import { DurationInput } from './DurationInput';
import { outputsOf, targetOf, withTarget } from './graph';
import { exitedOf } from './TileNode';
import type { Problem, Tile, TileStats, Trigger } from './types';
import { CONTACT_FIELDS, DID_TYPES, outcomeWords, problemWords, reasonWords, TASK_ROLES, TILE_TYPES, tileTypeWords } from './words';

/** What the side panel offers by name: the installation's messages, segments, lists, forms, fields and event types. */
export interface Lookups {
  messages: { id: string; name: string; purpose: string }[];
  segments: { id: string; name: string; filter?: unknown }[];
  lists: { id: string; name: string }[];
  forms: { id: string; name: string }[];
  fields: { value: string; label: string; type: string }[];
  eventTypes: string[];
  /** "Marketing (level 4)": what a purpose needs, in the installation's words. */
  purposeNeeds: (purpose: string) => string;
}

const choose = (what: string, items: { id: string; name: string }[]) => [
  { value: '', label: items.length ? `Choose ${what}` : `No ${what.replace(/^an? /, '')} yet` },
  ...items.map((i) => ({ value: i.id, label: i.name })),
];

/** The segment whose rule a condition's filter is (a condition keeps a copy of the rule, not the segment). */
export const segmentOfFilter = (filter: unknown, segments: Lookups['segments']) =>
  filter === undefined ? undefined : segments.find((s) => JSON.stringify(s.filter) === JSON.stringify(filter));

type Kind = 'manual' | 'segment' | 'form' | 'event';
const kindOf = (t: Trigger): Kind => ('segmentId' in t ? 'segment' : 'formId' in t ? 'form' : 'event' in t ? 'event' : 'manual');

function Settings({ tile, set, look, readOnly }: { tile: Tile; set: (t: Tile) => void; look: Lookups; readOnly: boolean }): ReactNode {
  switch (tile.type) {
    case 'start': {
      const kind = kindOf(tile.trigger);
      const trigger = tile.trigger;
      return (
        <Stack gap="sm">
          <NativeSelect
            label="Who enters"
            value={kind}
            data={[
              { value: 'manual', label: 'Contacts added by hand or through the API' },
              { value: 'segment', label: 'Members of a segment' },
              { value: 'form', label: 'People who submit a form' },
              { value: 'event', label: 'Contacts something happens to (an event)' },
            ]}
            onChange={(e) => {
              const k = e.currentTarget.value as Kind;
              const next: Trigger =
                k === 'segment' ? { segmentId: '' } : k === 'form' ? { formId: '' } : k === 'event' ? { event: '' } : { manual: true };
              set({ ...tile, trigger: next });
            }}
            disabled={readOnly}
          />
          {'segmentId' in trigger && (
            <>
              <NativeSelect
                label="Segment"
                description="Its members enter when the journey goes live"
                value={trigger.segmentId}
                data={choose('a segment', look.segments)}
                onChange={(e) => set({ ...tile, trigger: { ...trigger, segmentId: e.currentTarget.value } })}
                disabled={readOnly}
              />
              <Checkbox
                label="Also those who join the segment later"
                checked={trigger.joinLater ?? false}
                onChange={(e) => set({ ...tile, trigger: { ...trigger, joinLater: e.currentTarget.checked } })}
                disabled={readOnly}
              />
            </>
          )}
          {'formId' in trigger && (
            <NativeSelect
              label="Form"
              description="Each submission brings its person in"
              value={trigger.formId}
              data={choose('a form', look.forms)}
              onChange={(e) => set({ ...tile, trigger: { formId: e.currentTarget.value } })}
              disabled={readOnly}
            />
          )}
          {'event' in trigger && (
            <Autocomplete
              label="Event"
              description="The type of event, such as contact.created"
              value={trigger.event}
              data={look.eventTypes}
              onChange={(v) => set({ ...tile, trigger: { event: v } })}
              disabled={readOnly}
            />
          )}
          {kind === 'manual' && (
            <Text size="sm" c="dimmed">
              Contacts enter when they are added to the journey through the API, once it is live.
            </Text>
          )}
        </Stack>
      );
    }
    case 'email': {
      const m = look.messages.find((x) => x.id === tile.messageId);
      return (
        <Stack gap="xs">
          <NativeSelect
            label="Message"
            value={tile.messageId}
            data={choose('a message', look.messages)}
            onChange={(e) => set({ ...tile, messageId: e.currentTarget.value })}
            disabled={readOnly}
          />
          {m && (
            <Text size="sm" c="dimmed">
              Its purpose is {m.purpose.replace(/_/g, ' ')}: it needs {look.purposeNeeds(m.purpose)}. Consent is asked again before it goes;
              frequency caps and quiet hours apply.
            </Text>
          )}
        </Stack>
      );
    }
    case 'wait': {
      const mode = tile.until === undefined ? 'for' : /^\d{2}:\d{2}$/.test(tile.until) ? 'time' : 'date';
      const { duration: _d, until: _u, ...rest } = tile;
      return (
        <Stack gap="sm">
          <Radio.Group
            label="Wait"
            value={mode}
            onChange={(v) => set(v === 'for' ? { ...rest, duration: 'P1D' } : { ...rest, until: v === 'time' ? '09:00' : '' })}
          >
            <Stack gap={6} mt={6}>
              <Radio value="for" label="For a time" disabled={readOnly} />
              <Radio value="time" label="Until a time of day" disabled={readOnly} />
              <Radio value="date" label="Until a date" disabled={readOnly} />
            </Stack>
          </Radio.Group>
          {mode === 'for' && (
            <DurationInput
              key={tile.id}
              label="Wait for"
              value={tile.duration}
              onChange={(duration) => set({ ...rest, duration })}
              disabled={readOnly}
            />
          )}
          {mode === 'time' && (
            <TextInput
              type="time"
              label="Until"
              description="The next time it is this time of day, in the installation’s time zone"
              value={tile.until ?? ''}
              onChange={(e) => set({ ...rest, until: e.currentTarget.value })}
              disabled={readOnly}
            />
          )}
          {mode === 'date' && (
            <TextInput
              type="datetime-local"
              label="Until"
              description="In the installation’s time zone"
              value={tile.until ?? ''}
              onChange={(e) => set({ ...rest, until: e.currentTarget.value })}
              disabled={readOnly}
            />
          )}
        </Stack>
      );
    }
    case 'wait_event':
      return (
        <Stack gap="sm">
          <Autocomplete
            label="Wait until this happens"
            description="An event about the contact, such as form.submitted"
            value={tile.event}
            data={look.eventTypes}
            onChange={(v) => set({ ...tile, event: v })}
            disabled={readOnly}
          />
          <DurationInput
            key={tile.id}
            label="Give up after"
            description="Then the contact goes the “Timed out” way"
            value={tile.timeout}
            onChange={(timeout) => set({ ...tile, timeout })}
            disabled={readOnly}
          />
        </Stack>
      );
    case 'condition': {
      const mode = tile.did ? 'did' : 'segment';
      const segment = segmentOfFilter(tile.filter, look.segments);
      const { did: _did, filter: _filter, ...rest } = tile;
      return (
        <Stack gap="sm">
          <Radio.Group
            label="Ask"
            value={mode}
            onChange={(v) => set(v === 'did' ? { ...rest, did: { type: 'email_opened' } } : { ...rest, filter: undefined })}
          >
            <Stack gap={6} mt={6}>
              <Radio value="did" label="Did the contact do something since entering?" disabled={readOnly} />
              <Radio value="segment" label="Does the contact match a segment’s rule?" disabled={readOnly} />
            </Stack>
          </Radio.Group>
          {tile.did && (
            <NativeSelect
              label="Since entering, the contact…"
              description="Behaviour: this needs the profiling consent level"
              value={tile.did.type}
              data={DID_TYPES.map((d) => ({ value: d.value, label: d.label }))}
              onChange={(e) => set({ ...rest, did: { type: e.currentTarget.value } })}
              disabled={readOnly}
            />
          )}
          {mode === 'segment' && (
            <NativeSelect
              label="Segment"
              description="Its rule as it is now is copied into the tile: a later change of the segment does not change the tile"
              value={segment?.id ?? ''}
              data={choose('a segment', look.segments)}
              onChange={(e) => {
                const s = look.segments.find((x) => x.id === e.currentTarget.value);
                set({ ...rest, filter: s?.filter });
              }}
              disabled={readOnly}
            />
          )}
        </Stack>
      );
    }
    case 'split': {
      const sum = tile.branches.reduce((n, b) => n + b.percent, 0);
      return (
        <Stack gap="xs">
          {tile.branches.map((b, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a branch is its place (its output on the canvas is branch-<i>)
            <Group key={`${tile.id}-${i}`} gap="xs" align="flex-end" wrap="nowrap">
              <NumberInput
                label={`Branch ${i + 1}: share (%)`}
                value={b.percent}
                min={0}
                max={100}
                allowDecimal={false}
                onChange={(v) =>
                  set({ ...tile, branches: tile.branches.map((x, j) => (j === i ? { ...x, percent: typeof v === 'number' ? v : 0 } : x)) })
                }
                disabled={readOnly}
                style={{ flex: 1 }}
              />
              {tile.branches.length > 2 && !readOnly && (
                <ActionIcon
                  variant="default"
                  size="lg"
                  aria-label={`Remove branch ${i + 1}`}
                  onClick={() => set({ ...tile, branches: tile.branches.filter((_, j) => j !== i) })}
                >
                  ×
                </ActionIcon>
              )}
            </Group>
          ))}
          <Text size="sm" c={sum === 100 ? 'dimmed' : 'light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))'}>
            {sum}% in all{sum === 100 ? '' : ': the shares must add up to 100%'}. Each contact always goes the same way.
          </Text>
          {!readOnly && tile.branches.length < 10 && (
            <Button variant="default" size="xs" onClick={() => set({ ...tile, branches: [...tile.branches, { percent: 0, next: '' }] })}>
              Add a branch
            </Button>
          )}
        </Stack>
      );
    }
    case 'update_contact': {
      const field = look.fields.find((f) => f.value === tile.field) ?? CONTACT_FIELDS.find((f) => f.value === tile.field);
      const type = field && 'type' in field ? field.type : 'text';
      return (
        <Stack gap="sm">
          <NativeSelect
            label="Field"
            description="Consent is never set by a journey: only the person changes it"
            value={tile.field}
            data={[
              { value: '', label: 'Choose a field' },
              { group: 'The contact', items: CONTACT_FIELDS.map((f) => ({ value: f.value, label: f.label })) },
              ...(look.fields.length
                ? [{ group: 'Custom fields', items: look.fields.map((f) => ({ value: f.value, label: f.label })) }]
                : []),
            ]}
            onChange={(e) => set({ ...tile, field: e.currentTarget.value })}
            disabled={readOnly}
          />
          {type === 'boolean' ? (
            <NativeSelect
              label="Set it to"
              value={tile.value === true ? 'yes' : tile.value === false ? 'no' : ''}
              data={[
                { value: '', label: 'Empty' },
                { value: 'yes', label: 'Yes' },
                { value: 'no', label: 'No' },
              ]}
              onChange={(e) => set({ ...tile, value: e.currentTarget.value === '' ? null : e.currentTarget.value === 'yes' })}
              disabled={readOnly}
            />
          ) : (
            <TextInput
              label="Set it to"
              description="Leave empty to clear the field"
              value={tile.value === null ? '' : String(tile.value)}
              onChange={(e) => {
                const v = e.currentTarget.value;
                set({ ...tile, value: v === '' ? null : type === 'number' && Number.isFinite(Number(v)) ? Number(v) : v });
              }}
              disabled={readOnly}
            />
          )}
        </Stack>
      );
    }
    case 'list':
      return (
        <Stack gap="sm">
          <Radio.Group label="Action" value={tile.action} onChange={(v) => set({ ...tile, action: v as 'join' | 'leave' })}>
            <Group gap="md" mt={6}>
              <Radio value="join" label="Add to the list" disabled={readOnly} />
              <Radio value="leave" label="Take off the list" disabled={readOnly} />
            </Group>
          </Radio.Group>
          <NativeSelect
            label="List"
            value={tile.listId}
            data={choose('a list', look.lists)}
            onChange={(e) => set({ ...tile, listId: e.currentTarget.value })}
            disabled={readOnly}
          />
        </Stack>
      );
    case 'task':
      return (
        <Stack gap="sm">
          <NativeSelect
            label="Task for"
            value={tile.role}
            data={TASK_ROLES.map((r) => ({ value: r.value, label: r.label }))}
            onChange={(e) => set({ ...tile, role: e.currentTarget.value as typeof tile.role })}
            disabled={readOnly}
          />
          <Text size="sm" c="dimmed">
            The tile’s name (above) is the task’s title. Its people see it among their journey tasks.
          </Text>
        </Stack>
      );
    case 'end':
      return (
        <Text size="sm" c="dimmed">
          The journey ends here for the contact: counted as finished.
        </Text>
      );
  }
}

function Counts({ counts }: { counts: TileStats }) {
  const exits = Object.entries(counts.exited).filter(([, n]) => n > 0);
  const outcomes = Object.entries(counts.outcomes ?? {}).filter(([, n]) => n > 0);
  return (
    <Stack gap={4}>
      <Title order={3} size="h6">
        Contacts here
      </Title>
      <Text size="sm">
        {formatNumber(counts.entered)} entered · {formatNumber(counts.done)} done · {formatNumber(counts.waiting)} waiting now ·{' '}
        {formatNumber(exitedOf(counts))} left
      </Text>
      {exits.map(([reason, n]) => (
        <Text size="sm" key={reason}>
          Left: {reasonWords(reason)}: {formatNumber(n)}
        </Text>
      ))}
      {outcomes.map(([o, n]) => (
        <Text size="sm" key={o}>
          {outcomeWords(o)}: {formatNumber(n)}
        </Text>
      ))}
      <Text size="xs" c="dimmed">
        Counts without names: they stay when a contact is erased.
      </Text>
    </Stack>
  );
}

/** A tile as a choice in a list: its type, its name if it has one, and its id (two tiles may share a name). */
export const tileChoice = (t: Tile) => `${tileTypeWords(t.type)}${t.title ? ` “${t.title}”` : ''} (${t.id})`;

/** Where each output leads, chosen from a list: connecting tiles without a mouse. */
function NextSteps({ tile, tiles, set, readOnly }: { tile: Tile; tiles: Tile[]; set: (t: Tile) => void; readOnly: boolean }) {
  const outputs = outputsOf(tile);
  if (!outputs.length) return null;
  const others = tiles.filter((t) => t.id !== tile.id && t.type !== 'start');
  return (
    <Stack gap="xs">
      {outputs.map((o) => (
        <NativeSelect
          key={o.handle}
          label={o.label ? `Next step if “${o.label}”` : 'Next step'}
          value={targetOf(tile, o.handle)}
          data={[{ value: '', label: 'Not connected yet' }, ...others.map((t) => ({ value: t.id, label: tileChoice(t) }))]}
          onChange={(e) => set(withTarget(tile, o.handle, e.currentTarget.value))}
          disabled={readOnly}
        />
      ))}
    </Stack>
  );
}

/** The side panel: the selected tile's settings in plain words, its problems and counts. */
export function TilePanel({
  tile,
  tiles,
  onChange,
  onRemove,
  look,
  problems,
  counts,
  readOnly,
}: {
  tile: Tile | undefined;
  tiles: Tile[];
  onChange: (t: Tile) => void;
  onRemove: (id: string) => void;
  look: Lookups;
  problems: Problem[];
  counts: TileStats | null;
  readOnly: boolean;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="tile-panel-title">
      {!tile ? (
        <Stack gap="xs">
          <Title order={2} size="h4" id="tile-panel-title">
            Tile settings
          </Title>
          <Text size="sm" c="dimmed">
            Choose a tile on the canvas (click it, or Tab to it and press Enter) to set it up here. Add tiles from the palette: a click adds
            one after the chosen tile, or drag one onto the canvas. Connect a tile’s output (below it) to the next tile’s input (above it),
            or choose its next step in its settings here.
          </Text>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Title order={2} size="h4" id="tile-panel-title">
            {tileTypeWords(tile.type)}
            {tile.title ? `: ${tile.title}` : ''}
          </Title>
          <Text size="xs" c="dimmed">
            {TILE_TYPES.find((t) => t.type === tile.type)?.description}
          </Text>
          {problems.length > 0 && (
            <Stack gap={2} role="alert">
              {problems.map((p) => (
                <Text
                  key={`${p.code}:${p.message}`}
                  size="sm"
                  c="light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))"
                  fw={600}
                >
                  {problemWords(p.code, p.message)}
                  {problemWords(p.code, p.message) !== p.message && p.code !== 'not_connected' ? ` (${p.message})` : ''}
                </Text>
              ))}
            </Stack>
          )}
          <TextInput
            label={tile.type === 'task' ? 'Task: what to do' : 'Name on the canvas'}
            description={tile.type === 'task' ? undefined : 'Optional: your words for this step'}
            value={tile.title ?? ''}
            maxLength={200}
            onChange={(e) => onChange({ ...tile, title: e.currentTarget.value })}
            readOnly={readOnly}
          />
          <Settings tile={tile} set={onChange} look={look} readOnly={readOnly} />
          <NextSteps tile={tile} tiles={tiles} set={onChange} readOnly={readOnly} />
          {counts && <Counts counts={counts} />}
          {!readOnly && (
            <Group>
              <Button variant="default" color="red" size="xs" onClick={() => onRemove(tile.id)}>
                Remove this tile
              </Button>
              <Text size="xs" c="dimmed">
                or press Delete on the canvas
              </Text>
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  );
}
