import { Alert, Badge, Button, Checkbox, Code, Group, Modal, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDate } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { MODAL_PROPS } from '../../ui/contrast';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';

export const TYPES = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes or no' },
  { value: 'date', label: 'Date' },
] as const;
export const typeLabel = (t: string) => TYPES.find((x) => x.value === t)?.label ?? t;

/** A machine name from a label: "Loyalty tier" → "loyalty_tier" (the API's rule: a-z, 0-9, _; a letter first). */
export function nameFrom(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40);
}

/** The API's validation details by field (`/name` → its message), to show each at its input. */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiFailure) || !Array.isArray(e.details)) return {};
  const out: Record<string, string> = {};
  for (const d of e.details as { path?: string; message?: string }[]) if (d.path && d.message) out[d.path] = d.message;
  return out;
}

/** Custom fields: the contact fields an installation added, and defining a new one. */
export default function Fields() {
  const { can } = useRights();
  const mayWrite = can('contacts', 'write');
  const [defining, setDefining] = useState(false);
  const [made, setMade] = useState<string | null>(null);
  const fields = useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
  });
  const define = mayWrite ? <Button onClick={() => setDefining(true)}>New field</Button> : null;
  return (
    <Page
      title="Custom fields"
      description={
        'Fields your contacts have besides the built-in ones (email, ' +
        'names, phone, company, country, language). Each is a typed ' +
        'column, declared in the data map.'
      }
      actions={fields.data?.length ? define : null}
    >
      {made && (
        <Notice color="teal" title="Field defined" role="status" withCloseButton onClose={() => setMade(null)}>
          “{made}” can now be filled on every contact, in imports and in segments.
        </Notice>
      )}
      {fields.isPending ? (
        <Loading label="Loading the custom fields" />
      ) : fields.isError ? (
        <ErrorState error={fields.error} retry={() => void fields.refetch()} />
      ) : fields.data.length === 0 ? (
        <EmptyState title="No custom fields yet" action={define}>
          Add what your contacts need beyond the built-in fields: a loyalty tier, a customer number, a date of last purchase.{' '}
          {mayWrite ? '' : 'An administrator, a marketer or a privacy officer can define one.'}
        </EmptyState>
      ) : (
        <TableScroll minWidth={640} label="Custom fields, scrollable">
          <Table striped withTableBorder aria-label="Custom fields">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Label</Table.Th>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Personal data</Table.Th>
                <Table.Th scope="col">Defined</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.data.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td fw={500}>{f.label}</Table.Td>
                  <Table.Td>
                    <Code>{f.name}</Code>
                  </Table.Td>
                  <Table.Td>{typeLabel(f.type)}</Table.Td>
                  <Table.Td>
                    {f.personal ? (
                      <Badge color="grape" variant="outline" title="Exported and erased with the person">
                        Personal
                      </Badge>
                    ) : (
                      'No'
                    )}
                  </Table.Td>
                  <Table.Td>{formatDate(f.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {defining && (
        <FieldForm
          onClose={() => setDefining(false)}
          onSaved={(label) => {
            setDefining(false);
            setMade(label);
          }}
        />
      )}
    </Page>
  );
}

function FieldForm({ onClose, onSaved }: { onClose: () => void; onSaved: (label: string) => void }) {
  const queries = useQueryClient();
  const [label, setLabel] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [type, setType] = useState<(typeof TYPES)[number]['value']>('text');
  const [personal, setPersonal] = useState(true);
  const save = useMutation({
    mutationFn: async () =>
      (await call(api.POST('/api/v1/contact-fields', { body: { name, label: label.trim() || name, type, personal } }))).data,
    onSuccess: (f) => {
      void queries.invalidateQueries({ queryKey: ['contact-fields'] });
      onSaved(f.label);
    },
  });
  const errors = fieldErrors(save.error);
  const code = save.error instanceof ApiFailure ? save.error.code : null;
  const nameError =
    code === 'field_exists'
      ? 'A field with this name exists: choose another name.'
      : code === 'name_taken'
        ? 'The database already uses this name: choose another.'
        : errors['/name']
          ? 'Use lower-case letters, digits and _ only, starting with a letter (at most 40).'
          : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal {...MODAL_PROPS} opened onClose={onClose} title="New custom field">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Label"
            description="What people read on a contact’s page."
            value={label}
            maxLength={200}
            onChange={(e) => {
              setLabel(e.currentTarget.value);
              if (!nameTouched) setName(nameFrom(e.currentTarget.value));
            }}
            error={errors['/label']}
            data-autofocus
          />
          <TextInput
            label="Name"
            description={
              'Used by the API, imports and segments: lower-case letters, ' +
              'digits and _, starting with a letter. It cannot be changed ' +
              'later.'
            }
            required
            value={name}
            maxLength={40}
            onChange={(e) => {
              setNameTouched(true);
              setName(e.currentTarget.value);
            }}
            error={nameError}
          />
          <NativeSelect
            label="Type"
            description="The values it holds. It cannot be changed later."
            value={type}
            onChange={(e) => setType(e.currentTarget.value as typeof type)}
            data={TYPES.map((t) => ({ value: t.value, label: t.label }))}
            error={errors['/type']}
          />
          <Checkbox
            label="Personal data"
            description="It identifies or describes the person: exported with their data and erased with them."
            checked={personal}
            onChange={(e) => setPersonal(e.currentTarget.checked)}
          />
          {save.isError && !nameError && !Object.keys(errors).length && (
            <Alert color="red" role="alert" title="The field was not defined">
              {errorMessage(save.error)}
            </Alert>
          )}
          {save.isError && Object.keys(errors).length > 0 && !errors['/name'] && !errors['/label'] && !errors['/type'] && (
            <Alert color="red" role="alert" title="The field was not defined">
              {Object.values(errors).join(' ')}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name}>
              Define field
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            A field is a column of every contact: it is declared in the data map at once.
          </Text>
        </Stack>
      </form>
    </Modal>
  );
}
