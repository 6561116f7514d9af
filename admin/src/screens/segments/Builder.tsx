import { Alert, Button, Code, Fieldset, Group, Menu, NativeSelect, Stack, Text, Textarea, TextInput, VisuallyHidden } from '@mantine/core';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { newKey, type TreeNode, update } from './filterTree';
import { type FieldType, INTERACTION_LABELS, type InteractionType, type Op, OPS_BY_TYPE, opLabel } from './language';
import { purposeWords, type Vocabulary } from './vocabulary';

interface BuilderContext {
  vocab: Vocabulary;
  readOnly: boolean;
  /** The server's problems with the filter, by the key of the node they name. */
  problems: Map<string, string[]>;
  edit(key: string, f: (n: TreeNode) => TreeNode | null): void;
  /** A node was added: its first control takes the focus, so keyboard users carry on there. */
  added(key: string): void;
  legend: string;
}
const Ctx = createContext<BuilderContext | null>(null);
const useBuilder = () => useContext(Ctx)!;

/** An empty "all of" group: where a new filter starts, and what removing the last node leaves. */
export const emptyFilter = (): TreeNode => ({ key: newKey(), kind: 'and', children: [] });

/**
 * The visual editor of a whole filter: groups (all / any of), "not", and conditions, nested at any
 * depth, every part a native control (keyboard first: selects, inputs, buttons; nothing is drag-only).
 */
export function Builder({
  tree,
  onChange,
  readOnly,
  problems,
  vocab,
  legend = 'Contacts who match',
}: {
  tree: TreeNode;
  onChange: (t: TreeNode) => void;
  readOnly: boolean;
  problems: Map<string, string[]>;
  vocab: Vocabulary;
  /** The whole filter's heading (the scoring editor's: leads whose contact or lead matches). */
  legend?: string;
}) {
  const edit = (key: string, f: (n: TreeNode) => TreeNode | null) => onChange(update(tree, key, f) ?? emptyFilter());
  const root = useRef<HTMLDivElement>(null);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  useEffect(() => {
    if (!focusKey) return;
    // After the menu has handed the focus back to its button.
    const t = setTimeout(() => {
      // Only from where the adding was done (a button, or nowhere): never away from a field the user went on to.
      const at = document.activeElement;
      if (at && at !== document.body && at.tagName !== 'BUTTON') return setFocusKey(null);
      root.current?.querySelector<HTMLElement>(`[data-node="${focusKey}"] :is(select, input, textarea, button)`)?.focus();
      setFocusKey(null);
    }, 60);
    return () => clearTimeout(t);
  }, [focusKey]);
  return (
    <Ctx.Provider value={{ vocab, readOnly, problems, edit, added: setFocusKey, legend }}>
      <div ref={root}>
        <NodeView node={tree} number="" parent={null} />
      </div>
    </Ctx.Provider>
  );
}

const child = (number: string, i: number) => (number ? `${number}.${i + 1}` : `${i + 1}`);

function NodeView({ node, number, parent }: { node: TreeNode; number: string; parent: TreeNode | null }) {
  if (node.kind === 'and' || node.kind === 'or') return <GroupView node={node} number={number} parent={parent} />;
  if (node.kind === 'not') return <NotView node={node} number={number} parent={parent} />;
  return <ConditionView node={node} number={number} parent={parent} />;
}

function Problems({ nodeKey }: { nodeKey: string }) {
  const { problems } = useBuilder();
  const list = problems.get(nodeKey);
  if (!list?.length) return null;
  return (
    <Alert color="red" variant="light" p="xs" title="Fix this to count and save">
      {list.map((m) => (
        <Text key={m} size="sm">
          {m}
        </Text>
      ))}
    </Alert>
  );
}

/** Negate / remove a node; the root, when it is not a group, can be put into one. */
function NodeActions({ node, name, parent }: { node: TreeNode; name: string; parent: TreeNode | null }) {
  const { readOnly, edit } = useBuilder();
  if (readOnly) return null;
  const isGroup = node.kind === 'and' || node.kind === 'or';
  return (
    <Group gap="xs">
      {node.kind === 'not' ? (
        <Button
          size="xs"
          variant="default"
          aria-label={`Remove not from ${name}`}
          onClick={() => edit(node.key, (n) => (n.kind === 'not' ? n.child : n))}
        >
          Remove not
        </Button>
      ) : (
        parent?.kind !== 'not' && (
          <Button
            size="xs"
            variant="default"
            aria-label={`Negate ${name}`}
            onClick={() => edit(node.key, (n) => ({ key: newKey(), kind: 'not', child: n }))}
          >
            Negate (not)
          </Button>
        )
      )}
      {!parent && !isGroup && (
        <Button size="xs" variant="default" onClick={() => edit(node.key, (n) => ({ key: newKey(), kind: 'and', children: [n] }))}>
          {/* The visible words start the accessible name (axe: label-content-name-mismatch). */}
          Put in a group<VisuallyHidden>: {name}</VisuallyHidden>
        </Button>
      )}
      {parent && (
        <Button size="xs" variant="subtle" color="red" aria-label={`Remove ${name}`} onClick={() => edit(node.key, () => null)}>
          Remove
        </Button>
      )}
    </Group>
  );
}

function GroupView({ node, number, parent }: { node: Extract<TreeNode, { kind: 'and' | 'or' }>; number: string; parent: TreeNode | null }) {
  const { readOnly, edit, added, legend } = useBuilder();
  const name = number ? `group ${number}` : 'the filter';
  const add = (n: TreeNode) => {
    edit(node.key, (g) => (g.kind === 'and' || g.kind === 'or' ? { ...g, children: [...g.children, n] } : g));
    added(n.key);
  };
  return (
    <Fieldset
      data-node={node.key}
      legend={number ? `Group ${number}` : legend}
      variant={number ? 'default' : 'unstyled'}
      p={number ? 'sm' : 0}
    >
      <Stack gap="sm">
        <NativeSelect
          label="Match"
          w={280}
          maw="100%"
          disabled={readOnly}
          value={node.kind}
          data={[
            { value: 'and', label: 'all of these (and)' },
            { value: 'or', label: 'any of these (or)' },
          ]}
          onChange={(e) => {
            const kind = e.currentTarget.value as 'and' | 'or';
            edit(node.key, (g) => (g.kind === 'and' || g.kind === 'or' ? { ...g, kind } : g));
          }}
        />
        {node.children.map((c, i) => (
          <NodeView key={c.key} node={c} number={child(number, i)} parent={node} />
        ))}
        {node.children.length === 0 && (
          <Text size="sm" c="dimmed">
            {readOnly ? 'No conditions.' : 'No conditions yet: add one to start counting.'}
          </Text>
        )}
        <Problems nodeKey={node.key} />
        {!readOnly && (
          <Group gap="xs" wrap="wrap">
            <AddCondition to={name} onAdd={add} />
            <Button
              size="xs"
              variant="default"
              aria-label={`Add group to ${name}`}
              onClick={() => add({ key: newKey(), kind: node.kind === 'and' ? 'or' : 'and', children: [] })}
            >
              Add group
            </Button>
            {(parent || node.children.length > 0) && <NodeActions node={node} name={name} parent={parent} />}
          </Group>
        )}
      </Stack>
    </Fieldset>
  );
}

function AddCondition({ to, onAdd }: { to: string; onAdd: (n: TreeNode) => void }) {
  const { vocab } = useBuilder();
  const k = newKey;
  return (
    <Menu position="bottom-start">
      <Menu.Target>
        <Button size="xs" aria-label={`Add condition to ${to}`}>
          Add condition
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => onAdd({ key: k(), kind: 'field', field: 'email', op: 'contains', value: '', hasValue: true })}>
          Contact field
        </Menu.Item>
        <Menu.Item onClick={() => onAdd({ key: k(), kind: 'consent', atLeast: 4 })}>Consent level</Menu.Item>
        <Menu.Item onClick={() => onAdd({ key: k(), kind: 'allowed', purpose: 'marketing' })}>Purpose allowed</Menu.Item>
        <Menu.Item onClick={() => onAdd({ key: k(), kind: 'list', list: vocab.lists[0]?.id ?? '' })}>List membership</Menu.Item>
        <Menu.Item onClick={() => onAdd({ key: k(), kind: 'behaviour', type: 'email_opened', withinDays: 30 })}>Behaviour</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function NotView({ node, number, parent }: { node: Extract<TreeNode, { kind: 'not' }>; number: string; parent: TreeNode | null }) {
  const name = number ? `not ${number}` : 'the not';
  return (
    <Fieldset
      data-node={node.key}
      legend={number ? `Not ${number}: contacts for whom this does not hold` : 'Contacts for whom this does not hold'}
      p="sm"
    >
      <Stack gap="sm">
        <NodeView node={node.child} number={number ? `${number}.1` : '1'} parent={node} />
        <Problems nodeKey={node.key} />
        <NodeActions node={node} name={name} parent={parent} />
      </Stack>
    </Fieldset>
  );
}

const KIND_WORDS: Record<string, string> = {
  field: 'Contact field',
  consent: 'Consent level',
  allowed: 'Purpose allowed',
  list: 'List membership',
  behaviour: 'Behaviour',
  raw: 'Other',
};

function ConditionView({ node, number, parent }: { node: TreeNode; number: string; parent: TreeNode | null }) {
  const name = `condition ${number || '1'}`;
  let body: ReactNode;
  switch (node.kind) {
    case 'field':
      body = <FieldCondition node={node} />;
      break;
    case 'consent':
      body = <ConsentCondition node={node} />;
      break;
    case 'allowed':
      body = <AllowedCondition node={node} />;
      break;
    case 'list':
      body = <ListCondition node={node} />;
      break;
    case 'behaviour':
      body = <BehaviourCondition node={node} />;
      break;
    default:
      body = (
        <Stack gap={4}>
          <Text size="sm">The builder does not know this condition. Change it in the JSON view:</Text>
          <Code block>{JSON.stringify(node.kind === 'raw' ? node.json : null)}</Code>
        </Stack>
      );
  }
  // A field of the lead (scoring's rules name `lead.<field>`) is not the contact's.
  const kindWords = node.kind === 'field' && node.field.startsWith('lead.') ? 'Lead field' : (KIND_WORDS[node.kind] ?? '');
  return (
    <Fieldset data-node={node.key} legend={`Condition ${number || '1'}: ${kindWords}`} p="sm">
      <Stack gap="xs">
        <Group gap="sm" align="flex-end" wrap="wrap">
          {body}
        </Group>
        <Problems nodeKey={node.key} />
        <NodeActions node={node} name={name} parent={parent} />
      </Stack>
    </Fieldset>
  );
}

type Of<K extends TreeNode['kind']> = Extract<TreeNode, { kind: K }>;

function defaultValue(type: FieldType): unknown {
  if (type === 'number') return 0;
  if (type === 'boolean') return true;
  return '';
}

/** A typed line as the field's type wants it; what does not parse stays text, for the server to name. */
function parseScalar(s: string, type: FieldType): unknown {
  if (type === 'number') return s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
  if (type === 'boolean') return s === 'true' ? true : s === 'false' ? false : s;
  return s;
}

/** datetime-local shows local time; the language takes UTC like 2026-01-31T12:00:00.000Z. */
function toLocalInput(v: unknown): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return '';
  const d = new Date(v);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const show = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function FieldCondition({ node }: { node: Of<'field'> }) {
  const { vocab, readOnly, edit } = useBuilder();
  const f = vocab.field(node.field);
  const type: FieldType = f?.type ?? 'text';
  const set = (patch: Partial<Of<'field'>>) => edit(node.key, (n) => ({ ...n, ...patch }) as TreeNode);
  const ops = OPS_BY_TYPE[type];
  const opValue = node.op === 'is_null' ? (node.value === false ? 'is_null:false' : 'is_null:true') : node.op;
  const opData = ops.flatMap((op) =>
    op === 'is_null'
      ? [
          { value: 'is_null:true', label: 'is empty' },
          { value: 'is_null:false', label: 'has a value' },
        ]
      : [{ value: op, label: opLabel(op, type) }],
  );
  if (!ops.includes(node.op as Op)) opData.push({ value: node.op, label: `${node.op} (not for this field)` });
  // Under their headings, in the vocabulary's order: Contact, Custom fields, and any a screen adds (scoring's Lead).
  const groups = new Map<string, { value: string; label: string }[]>([['Contact', []]]);
  for (const x of vocab.fields) {
    const g = x.group ?? (x.custom ? 'Custom fields' : 'Contact');
    groups.set(g, [...(groups.get(g) ?? []), { value: x.name, label: x.label }]);
  }
  const fieldData = [
    ...[...groups].map(([group, items]) => ({ group, items })),
    ...(f ? [] : [{ group: 'Unknown', items: [{ value: node.field, label: `${node.field} (no such field)` }] }]),
  ];
  let value: ReactNode = null;
  if (node.op === 'in') {
    const lines = Array.isArray(node.value) ? node.value.map(show).join('\n') : show(node.value);
    value = (
      <Textarea
        label="Values, one per line"
        autosize
        minRows={2}
        w={260}
        maw="100%"
        readOnly={readOnly}
        value={lines}
        onChange={(e) => set({ value: e.currentTarget.value.split('\n').map((l) => parseScalar(l, type)) })}
      />
    );
  } else if (node.op !== 'is_null') {
    if (type === 'boolean')
      value = (
        <NativeSelect
          label="Value"
          disabled={readOnly}
          value={show(node.value)}
          data={[
            { value: 'true', label: 'yes' },
            { value: 'false', label: 'no' },
            ...(typeof node.value === 'boolean' ? [] : [{ value: show(node.value), label: show(node.value) || '(nothing)' }]),
          ]}
          onChange={(e) => set({ value: parseScalar(e.currentTarget.value, type), hasValue: true })}
        />
      );
    else if (type === 'datetime')
      value = (
        <TextInput
          label="Value (your local time)"
          type="datetime-local"
          readOnly={readOnly}
          value={toLocalInput(node.value)}
          onChange={(e) => {
            const t = e.currentTarget.value;
            set({ value: t && !Number.isNaN(Date.parse(t)) ? new Date(t).toISOString() : '', hasValue: true });
          }}
        />
      );
    else
      value = (
        <TextInput
          label="Value"
          type={type === 'date' ? 'date' : type === 'number' ? 'number' : 'text'}
          w={type === 'text' ? 240 : undefined}
          maw="100%"
          readOnly={readOnly}
          value={show(node.value)}
          onChange={(e) => set({ value: parseScalar(e.currentTarget.value, type), hasValue: true })}
        />
      );
  }
  return (
    <>
      <NativeSelect
        label="Field"
        disabled={readOnly}
        value={node.field}
        data={fieldData}
        onChange={(e) => {
          const name = e.currentTarget.value;
          const nt = vocab.field(name)?.type ?? 'text';
          const keep = OPS_BY_TYPE[nt].includes(node.op as Op) && nt === type;
          edit(node.key, (n) =>
            keep
              ? { ...n, field: name }
              : { key: n.key, kind: 'field', field: name, op: OPS_BY_TYPE[nt][0]!, value: defaultValue(nt), hasValue: true },
          );
        }}
      />
      <NativeSelect
        label="Operator"
        disabled={readOnly}
        value={opValue}
        data={opData}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v.startsWith('is_null:')) return set({ op: 'is_null', value: v === 'is_null:true', hasValue: true });
          const first = Array.isArray(node.value) ? node.value[0] : node.value;
          const scalar = node.op === 'is_null' || first === undefined ? defaultValue(type) : first;
          set({ op: v, value: v === 'in' ? [scalar] : scalar, hasValue: true });
        }}
      />
      {value}
    </>
  );
}

function ConsentCondition({ node }: { node: Of<'consent'> }) {
  const { vocab, readOnly, edit } = useBuilder();
  const data = vocab.levels.map((l) => ({ value: String(l.level), label: l.name }));
  if (!vocab.levels.some((l) => l.level === node.atLeast))
    data.push({ value: show(node.atLeast), label: `${show(node.atLeast)} (no such level)` });
  return (
    <NativeSelect
      label="Consent level at least"
      disabled={readOnly}
      value={show(node.atLeast)}
      data={data}
      onChange={(e) => edit(node.key, (n) => ({ ...n, atLeast: Number(e.currentTarget.value) }))}
    />
  );
}

function AllowedCondition({ node }: { node: Of<'allowed'> }) {
  const { vocab, readOnly, edit } = useBuilder();
  const data = vocab.purposes.map((p) => ({ value: p.name, label: `${purposeWords(p.name)} (needs ${vocab.levelName(p.level)})` }));
  if (!vocab.purposes.some((p) => p.name === node.purpose))
    data.push({ value: show(node.purpose), label: `${show(node.purpose)} (no such purpose)` });
  return (
    <NativeSelect
      label="The consent gate allows, now"
      description="Children, guardian consent and the data protection switch included"
      disabled={readOnly}
      value={show(node.purpose)}
      data={data}
      onChange={(e) => edit(node.key, (n) => ({ ...n, purpose: e.currentTarget.value }))}
    />
  );
}

function ListCondition({ node }: { node: Of<'list'> }) {
  const { vocab, readOnly, edit } = useBuilder();
  const data = vocab.lists.map((l) => ({ value: l.id, label: l.name }));
  if (!vocab.lists.some((l) => l.id === node.list))
    data.unshift({
      value: show(node.list),
      label: !vocab.listsKnown ? 'A list' : vocab.lists.length ? 'A list that no longer exists' : 'No lists yet: make one under Lists',
    });
  return (
    <NativeSelect
      label="Member of the list"
      disabled={readOnly}
      value={show(node.list)}
      data={data}
      onChange={(e) => edit(node.key, (n) => ({ ...n, list: e.currentTarget.value }))}
    />
  );
}

function BehaviourCondition({ node }: { node: Of<'behaviour'> }) {
  const { readOnly, edit } = useBuilder();
  /** An optional part: empty removes it from the condition. */
  const setPart = (part: 'ref' | 'withinDays' | 'atLeast', raw: string) =>
    edit(node.key, (n) => {
      const { [part]: _, ...rest } = n as Of<'behaviour'>;
      if (raw === '') return rest as TreeNode;
      return { ...rest, [part]: part === 'ref' ? raw : parseScalar(raw, 'number') } as TreeNode;
    });
  const types = Object.entries(INTERACTION_LABELS).map(([value, label]) => ({ value, label }));
  if (!(show(node.type) in INTERACTION_LABELS)) types.push({ value: show(node.type), label: `${show(node.type)} (no such type)` });
  return (
    <>
      <NativeSelect
        label="Interaction"
        disabled={readOnly}
        value={show(node.type)}
        data={types}
        onChange={(e) => edit(node.key, (n) => ({ ...n, type: e.currentTarget.value as InteractionType }))}
      />
      <TextInput
        label="Which one (optional)"
        description="Message, page or form reference"
        readOnly={readOnly}
        value={show(node.ref)}
        onChange={(e) => setPart('ref', e.currentTarget.value)}
      />
      <TextInput
        label="At least (times)"
        description="Empty: at least once"
        type="number"
        min={1}
        w={140}
        readOnly={readOnly}
        value={show(node.atLeast)}
        onChange={(e) => setPart('atLeast', e.currentTarget.value)}
      />
      <TextInput
        label="In the last (days)"
        description="Empty: ever"
        type="number"
        min={1}
        w={140}
        readOnly={readOnly}
        value={show(node.withinDays)}
        onChange={(e) => setPart('withinDays', e.currentTarget.value)}
      />
    </>
  );
}
