import { Alert, Anchor, Button, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { READABLE_ERRORS } from '../../ui/contrast';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { fieldErrors } from '../requests/fieldErrors';
import { useLeadFields } from '../scoring/vocabulary';
import { leadBody, type LeadValues, valuesOf } from './form';
import { LEAD_STATUSES, type Lead, type LeadField, type LeadStatus, leadsApi, personName } from './leads.api';
import { useOwners } from './owners';

/** New lead (no id; `?contact=` names the contact when started from its page) or edit one. */
export function LeadForm() {
  const { id } = useParams();
  const fields = useLeadFields();
  const lead = useQuery({ queryKey: ['lead', id], queryFn: () => leadsApi.lead(id!), enabled: id !== undefined });
  if (fields.isPending || (id !== undefined && lead.isPending)) return <Loading label="Loading the form" />;
  if (fields.isError) return <ErrorState error={fields.error} retry={() => fields.refetch()} />;
  if (lead.isError) return <ErrorState error={lead.error} retry={() => lead.refetch()} />;
  return <Form key={id ?? 'new'} original={lead.data} fields={fields.data} />;
}

interface Found {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/** The contact a new lead is about: found by email address or name. */
function ContactPicker({
  chosen,
  onChoose,
  error,
}: {
  chosen: Found | null;
  onChoose: (c: Found | null) => void;
  error: string | undefined;
}) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const found = useQuery({
    queryKey: ['contacts', 'search', debounced],
    queryFn: async () => (await call(api.GET('/api/v1/contacts', { params: { query: { q: debounced, limit: 8 } } }))).data as Found[],
    enabled: debounced.length > 0,
  });
  if (chosen)
    return (
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Contact
        </Text>
        <Group gap="xs" wrap="wrap">
          <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="lead-contact">
            {personName(chosen)}
            {personName(chosen) !== chosen.email ? ` · ${chosen.email}` : ''}
          </Text>
          <Button size="compact-xs" variant="default" onClick={() => onChoose(null)}>
            Choose another
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Stack gap="xs">
      <TextInput
        label="Contact"
        description="Search by email address or name; the lead is about this person"
        required
        value={q}
        error={error}
        onChange={(e) => setQ(e.currentTarget.value)}
        autoComplete="off"
      />
      {debounced.length > 0 &&
        (found.isPending ? (
          <Loading label="Searching contacts" />
        ) : found.isError ? (
          <ErrorState error={found.error} retry={() => found.refetch()} title="Could not search" />
        ) : found.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No contact matches. Add the person under Contacts first.
          </Text>
        ) : (
          <Group gap="xs" role="group" aria-label="Matching contacts">
            {found.data.map((c) => (
              <Button key={c.id} size="xs" variant="default" onClick={() => onChoose(c)}>
                {personName(c)}
                {personName(c) !== c.email ? ` · ${c.email}` : ''}
              </Button>
            ))}
          </Group>
        ))}
    </Stack>
  );
}

function FieldInput({
  field,
  value,
  error,
  onChange,
}: {
  field: LeadField;
  value: string;
  error?: string | undefined;
  onChange: (v: string) => void;
}) {
  const label = field.label || field.name;
  if (field.type === 'boolean')
    return (
      <NativeSelect
        label={label}
        value={value}
        error={error}
        onChange={(e) => onChange(e.currentTarget.value)}
        data={[
          { value: '', label: 'Not set' },
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
      />
    );
  return (
    <TextInput
      label={label}
      type={field.type === 'date' ? 'date' : field.type === 'datetime' ? 'datetime-local' : 'text'}
      inputMode={field.type === 'number' ? 'decimal' : undefined}
      value={field.type === 'datetime' && value && !Number.isNaN(Date.parse(value)) ? value.slice(0, 16) : value}
      error={error}
      onChange={(e) => onChange(e.currentTarget.value)}
      autoComplete="off"
    />
  );
}

function Form({ original, fields }: { original: Lead | undefined; fields: LeadField[] }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [search] = useSearchParams();
  const preset = original ? undefined : (search.get('contact') ?? undefined);
  const [values, setValues] = useState<LeadValues>(() => valuesOf(original, fields, preset));
  const [contact, setContact] = useState<Found | null>(original?.contact ?? null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const owners = useOwners(values.ownerId);
  const session = useSession();
  // A contact named by the page it came from (?contact=): shown by its address.
  const presetContact = useQuery({
    queryKey: ['contact', preset],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: preset! } } }))).data,
    enabled: !!preset && !contact,
  });
  const shownContact = contact ?? (presetContact.data && values.contactId === preset ? presetContact.data : null);
  const set = (patch: Partial<LeadValues>) => setValues((v) => ({ ...v, ...patch }));

  const save = useMutation({
    mutationFn: async () => {
      const made = leadBody(values, fields, !original);
      if ('errors' in made) throw new LocalErrors(made.errors);
      if (original) {
        const { contactId: _, ...body } = made.body;
        return leadsApi.update(original.id, body);
      }
      return leadsApi.create({ ...made.body, contactId: values.contactId });
    },
    onMutate: () => setErrors({}),
    onSuccess: async (l) => {
      queries.setQueryData(['lead', l.id], l);
      await queries.invalidateQueries({ queryKey: ['leads'] });
      await queries.invalidateQueries({ queryKey: ['lead-scores', l.id] });
      navigate(`/leads/${l.id}`);
    },
    onError: (e) => setErrors(e instanceof LocalErrors ? e.fields : fieldErrors(e)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const at = (path: string) => errors[path];
  const known = new Set(['/contactId', '/title', '/status', '/ownerId', '/value', ...fields.map((f) => `/fields/${f.name}`)]);
  const other = Object.entries(errors).filter(([p]) => !known.has(p));
  const me = session.data?.principal.kind === 'user' ? session.data.principal.id : null;
  return (
    <Page
      title={original ? `Edit “${original.title}”` : 'New lead'}
      description="A lead is a sales opportunity about one contact: what they might buy, how far it has got, and who looks after it."
    >
      <form onSubmit={submit} noValidate aria-label={original ? 'Edit lead' : 'New lead'} style={READABLE_ERRORS}>
        <Stack gap="md" maw={760}>
          {Object.keys(errors).length > 0 && (
            <Alert color="red" role="alert" title="Not saved">
              {other.length
                ? other.map(([p, m]) => (
                    <Text key={p} size="sm">
                      {m}
                    </Text>
                  ))
                : 'Some fields need attention: see the messages below them.'}
            </Alert>
          )}
          <Fieldset legend="Lead">
            <Stack gap="sm">
              {original ? (
                <Stack gap={2}>
                  <Text size="sm" fw={500}>
                    Contact
                  </Text>
                  <Anchor component={Link} to={`/contacts/${original.contactId}`} size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {personName(original.contact)}
                  </Anchor>
                </Stack>
              ) : (
                <ContactPicker
                  chosen={shownContact}
                  onChoose={(c) => {
                    setContact(c);
                    set({ contactId: c?.id ?? '' });
                  }}
                  error={at('/contactId')}
                />
              )}
              <TextInput
                label="Title"
                required
                maxLength={500}
                value={values.title}
                error={at('/title')}
                onChange={(e) => set({ title: e.currentTarget.value })}
                autoComplete="off"
              />
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <NativeSelect
                  label="Status"
                  value={values.status}
                  data={LEAD_STATUSES.map((s) => ({ value: s.value, label: s.label }))}
                  error={at('/status')}
                  onChange={(e) => set({ status: e.currentTarget.value as LeadStatus })}
                />
                <NativeSelect
                  label="Owner"
                  description={owners.note}
                  value={values.ownerId}
                  data={owners.options(me)}
                  error={at('/ownerId')}
                  onChange={(e) => set({ ownerId: e.currentTarget.value })}
                />
                <TextInput
                  label="Value"
                  description="What it is worth, in your currency"
                  inputMode="decimal"
                  value={values.value}
                  error={at('/value')}
                  onChange={(e) => set({ value: e.currentTarget.value })}
                  autoComplete="off"
                />
              </SimpleGrid>
            </Stack>
          </Fieldset>
          {fields.length > 0 && (
            <Fieldset legend="Custom lead fields">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {fields.map((f) => (
                  <FieldInput
                    key={f.name}
                    field={f}
                    value={values.fields[f.name] ?? ''}
                    error={at(`/fields/${f.name}`)}
                    onChange={(v) => set({ fields: { ...values.fields, [f.name]: v } })}
                  />
                ))}
              </SimpleGrid>
            </Fieldset>
          )}
          {save.isError && !(save.error instanceof LocalErrors) && Object.keys(errors).length === 0 && (
            <Alert color="red" role="alert" title="Not saved">
              {errorMessage(save.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={save.isPending}>
              {original ? 'Save changes' : 'Create lead'}
            </Button>
            <Button component={Link} to={original ? `/leads/${original.id}` : '/leads'} variant="default">
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Page>
  );
}

class LocalErrors extends Error {
  constructor(readonly fields: Record<string, string>) {
    super('field errors');
  }
}
