import { Alert, Button, Checkbox, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { type Contact, type CustomField, displayName, useCustomFields } from './common';

type Values = Record<string, string>;
const PROFILE = [
  ['email', 'Email'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['phone', 'Phone'],
  ['company', 'Company'],
] as const;

/** New contact (no id) or edit one: profile, custom fields by type, and the child fields where the role may. */
export function ContactForm() {
  const { id } = useParams();
  const fields = useCustomFields();
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: id! } } }))).data,
    enabled: id !== undefined,
  });
  if (fields.isPending || (id !== undefined && contact.isPending)) return <Loading label="Loading the form" />;
  if (fields.isError) return <ErrorState error={fields.error} retry={() => fields.refetch()} />;
  if (contact.isError) return <ErrorState error={contact.error} retry={() => contact.refetch()} />;
  return <Form key={id ?? 'new'} original={contact.data} fields={fields.data} />;
}

function initialValues(c: Contact | undefined, fields: CustomField[]): Values {
  const v: Values = {};
  for (const [k] of PROFILE) v[k] = (c?.[k] as string | null | undefined) ?? '';
  for (const f of fields) {
    const x = c?.customFields[f.name];
    v[`cf.${f.name}`] = x === null || x === undefined ? '' : String(x);
  }
  v.birthDate = c?.birthDate ?? '';
  v.isChild = c?.isChild ? 'true' : '';
  v.guardianEmail = '';
  return v;
}

/** A custom field's typed value from its input, or an error in words. */
function typed(f: CustomField, raw: string): { value: string | number | boolean | null } | { error: string } {
  if (raw.trim() === '') return { value: null };
  if (f.type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? { value: n } : { error: 'Enter a number, such as 12 or 4.5' };
  }
  if (f.type === 'boolean') return { value: raw === 'true' };
  if (f.type === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? { value: raw } : { error: 'Enter a date' };
  return { value: raw };
}

function Form({ original, fields }: { original: Contact | undefined; fields: CustomField[] }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const { can } = useRights();
  const consentWrite = can('consent', 'write');
  const [values, setValues] = useState<Values>(() => initialValues(original, fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const set = (k: string, v: string) => setValues((old) => ({ ...old, [k]: v }));

  // The guardian is named by address on screen; the API takes its id.
  const guardian = useQuery({
    queryKey: ['contact', original?.guardianId],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: original!.guardianId! } } }))).data,
    enabled: consentWrite && !!original?.guardianId,
  });
  useEffect(() => {
    if (guardian.data) setValues((old) => (old.guardianEmail === '' ? { ...old, guardianEmail: guardian.data.email } : old));
  }, [guardian.data]);

  const save = useMutation({
    mutationFn: async (): Promise<string> => {
      const found: Record<string, string> = {};
      const body: Record<string, unknown> = {};
      for (const [k] of PROFILE) {
        const v = values[k]!.trim();
        const before = (original?.[k] as string | null | undefined) ?? '';
        if (k === 'email' && v === '') found.email = 'Enter the email address';
        if (original ? v !== before : v !== '') body[k] = v === '' ? null : v;
      }
      const custom: Record<string, unknown> = {};
      for (const f of fields) {
        const t = typed(f, values[`cf.${f.name}`] ?? '');
        if ('error' in t) found[`cf.${f.name}`] = t.error;
        else if (original ? t.value !== (original.customFields[f.name] ?? null) : t.value !== null) custom[f.name] = t.value;
      }
      if (Object.keys(custom).length > 0) body.customFields = custom;
      if (consentWrite) {
        const isChild = values.isChild === 'true';
        if (original ? isChild !== original.isChild && !(original.birthDate && !isChild) : isChild) body.isChild = isChild;
        const birth = values.birthDate ?? '';
        if (original ? birth !== (original.birthDate ?? '') : birth !== '') body.birthDate = birth === '' ? null : birth;
        const gEmail = values.guardianEmail!.trim();
        const before = guardian.data?.email ?? '';
        if (gEmail !== before) {
          if (gEmail === '') body.guardianId = null;
          else {
            const g = await call(api.GET('/api/v1/contacts', { params: { query: { email: gEmail, limit: 1 } } }));
            if (!g.data[0]) found.guardianEmail = 'No contact has this address: add the guardian as a contact first';
            else body.guardianId = g.data[0].id;
          }
        }
      }
      if (Object.keys(found).length > 0) throw new FieldErrors(found);
      if (!original) {
        const made = await call(api.POST('/api/v1/contacts', { body: body as { email: string } }));
        return made.data.id;
      }
      if (Object.keys(body).length > 0)
        await call(api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: original.id } }, body: body as { email: string } }));
      return original.id;
    },
    onMutate: () => {
      setErrors({});
      setFormError(null);
    },
    onSuccess: async (savedId) => {
      await queries.invalidateQueries({ queryKey: ['contacts'] });
      await queries.invalidateQueries({ queryKey: ['contact', savedId] });
      navigate(`/contacts/${savedId}`);
    },
    onError: (e) => {
      if (e instanceof FieldErrors) {
        setErrors(e.fields);
        setFormError('Some fields need attention: see the messages below them.');
        return;
      }
      if (e instanceof ApiFailure) {
        if (e.code === 'contact_exists') return setErrors({ email: 'Another contact already has this address.' });
        if (e.code === 'suppressed')
          return setErrors({ email: 'This address belongs to an erased person and is suppressed: it cannot be added again.' });
        if (e.code === 'validation_failed' && Array.isArray(e.details)) {
          const found: Record<string, string> = {};
          for (const d of e.details as { path?: string; message?: string }[]) {
            const path = (d.path ?? '').replace(/^\//, '');
            const key = path.startsWith('customFields/') ? `cf.${path.slice('customFields/'.length)}` : path.split('/')[0]!;
            found[key in values ? key : '_'] = d.message ?? 'invalid';
          }
          const rest = found._;
          delete found._;
          setErrors(found);
          setFormError(rest ? `The server refused this: ${rest}` : 'Some fields need attention: see the messages below them.');
          return;
        }
      }
      setFormError(errorMessage(e));
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const cancelTo = original ? `/contacts/${original.id}` : '/contacts';

  return (
    <Page
      title={original ? `Edit ${displayName(original)}` : 'New contact'}
      description={original ? 'Change the profile and custom fields.' : 'A new contact starts with no consent: set it on their page.'}
    >
      <form onSubmit={submit} noValidate aria-label={original ? 'Edit contact' : 'New contact'}>
        <Stack gap="md" maw={760}>
          {formError && (
            <Alert color="red" role="alert" title="Not saved">
              {formError}
            </Alert>
          )}
          <Fieldset legend="Profile">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {PROFILE.map(([k, label]) => (
                <TextInput
                  key={k}
                  label={label}
                  type={k === 'email' ? 'email' : k === 'phone' ? 'tel' : 'text'}
                  required={k === 'email'}
                  value={values[k]}
                  onChange={(e) => set(k, e.currentTarget.value)}
                  error={errors[k]}
                  autoComplete="off"
                />
              ))}
            </SimpleGrid>
          </Fieldset>
          {fields.length > 0 && (
            <Fieldset legend="Custom fields">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {fields.map((f) => (
                  <CustomInput key={f.id} field={f} value={values[`cf.${f.name}`] ?? ''} error={errors[`cf.${f.name}`]} onChange={set} />
                ))}
              </SimpleGrid>
            </Fieldset>
          )}
          {consentWrite && (
            <Fieldset legend="Child and guardian">
              <Stack gap="sm">
                <Text size="sm" c="dimmed">
                  These decide consent: a child without guardian consent is treated as having none, and a child is never profiled. Changes
                  are recorded in the consent history.
                </Text>
                <Checkbox
                  label="This contact is a child"
                  checked={values.isChild === 'true'}
                  onChange={(e) => set('isChild', e.currentTarget.checked ? 'true' : '')}
                  error={errors.isChild}
                />
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label="Birth date"
                    type="date"
                    value={values.birthDate}
                    onChange={(e) => set('birthDate', e.currentTarget.value)}
                    error={errors.birthDate}
                  />
                  <TextInput
                    label="Guardian's email"
                    description="The parent or guardian, already a contact"
                    type="email"
                    value={values.guardianEmail}
                    onChange={(e) => set('guardianEmail', e.currentTarget.value)}
                    error={errors.guardianEmail ?? errors.guardianId}
                    autoComplete="off"
                  />
                </SimpleGrid>
              </Stack>
            </Fieldset>
          )}
          <Group>
            <Button type="submit" loading={save.isPending}>
              {original ? 'Save changes' : 'Create contact'}
            </Button>
            <Button component={Link} to={cancelTo} variant="default">
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Page>
  );
}

class FieldErrors extends Error {
  constructor(readonly fields: Record<string, string>) {
    super('field errors');
  }
}

function CustomInput({
  field,
  value,
  error,
  onChange,
}: {
  field: CustomField;
  value: string;
  error: string | undefined;
  onChange: (k: string, v: string) => void;
}) {
  const key = `cf.${field.name}`;
  const label = field.label || field.name;
  if (field.type === 'boolean')
    return (
      <NativeSelect
        label={label}
        value={value}
        error={error}
        onChange={(e) => onChange(key, e.currentTarget.value)}
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
      type={field.type === 'date' ? 'date' : 'text'}
      inputMode={field.type === 'number' ? 'decimal' : undefined}
      value={value}
      error={error}
      onChange={(e) => onChange(key, e.currentTarget.value)}
      autoComplete="off"
    />
  );
}
