import { ActionIcon, Alert, Button, Checkbox, Group, NativeSelect, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { READABLE_ERRORS } from '../../ui/contrast';
import { Page } from '../../ui/Page';
import { errorMessage } from '../../ui/states';
import { FIELD_TYPES, type FieldType, RETENTIONS } from './words';

interface FieldDraft {
  key: number;
  name: string;
  type: FieldType;
  personal: boolean;
}

const NAME_RULE = 'Lower-case letters, digits and _, starting with a letter (at most 40).';

/** The API's validation details by path (`/fields/0/name` → its message). */
function detailsOf(e: unknown): Record<string, string> {
  if (!(e instanceof ApiFailure) || !Array.isArray(e.details)) return {};
  const out: Record<string, string> = {};
  for (const d of e.details as { path?: string; message?: string }[]) if (d.path && d.message) out[d.path] = d.message;
  return out;
}

/** Define an entity: its name, whether records name a contact, what erasure does, how long records are kept, its fields. */
export function NewEntity() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [linked, setLinked] = useState(true);
  const [erase, setErase] = useState<'delete' | 'anonymise'>('delete');
  const [retention, setRetention] = useState('');
  const [fields, setFields] = useState<FieldDraft[]>([{ key: 1, name: '', type: 'text', personal: false }]);
  const [nextKey, setNextKey] = useState(2);

  const save = useMutation({
    mutationFn: async () =>
      (
        await call(
          api.POST('/api/v1/entities', {
            body: {
              name: name.trim(),
              ...(label.trim() ? { label: label.trim() } : {}),
              linked,
              erase,
              retention: retention || null,
              fields: fields.map((f) => ({ name: f.name.trim(), type: f.type, personal: f.personal })),
            },
          }),
        )
      ).data,
    onSuccess: (e) => {
      void queries.invalidateQueries({ queryKey: ['entities'] });
      navigate(`/entities/${e.name}`);
    },
  });
  const details = detailsOf(save.error);
  const code = save.error instanceof ApiFailure ? save.error.code : null;
  const nameError =
    code === 'entity_exists'
      ? 'An entity with this name exists: choose another name.'
      : code === 'name_taken'
        ? 'The database already uses this name: choose another.'
        : details['/name']
          ? NAME_RULE
          : undefined;
  const fieldNames = fields.map((f) => f.name.trim());
  const doubled = fieldNames.filter((n, i) => n && fieldNames.indexOf(n) !== i);
  const shown = new Set(['/name', '/label', ...fields.map((_, i) => `/fields/${i}/name`)]);
  const other = Object.entries(details).filter(([p]) => !shown.has(p));

  const update = (key: number, patch: Partial<FieldDraft>) => setFields((fs) => fs.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <Page
      title="New custom entity"
      description={
        'A record type of your own. Its name, fields and erasure rule ' +
        'cannot be changed once defined: they are what the data map ' +
        'promises about stored data.'
      }
      actions={
        <Button component={Link} to="/entities" variant="subtle">
          All entities
        </Button>
      }
    >
      <form onSubmit={submit} noValidate style={READABLE_ERRORS}>
        <Stack gap="md" maw={760}>
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <TextInput
                label="Label"
                description="What people read, e.g. “Orders”."
                value={label}
                onChange={(e) => setLabel(e.currentTarget.value)}
                maxLength={200}
                error={details['/label']}
              />
              <TextInput
                label="Name"
                description={`Used by the API, e.g. orders. ${NAME_RULE}`}
                required
                value={name}
                maxLength={40}
                onChange={(e) => setName(e.currentTarget.value)}
                error={nameError}
              />
              <Checkbox
                label="Records are about a contact"
                description="Each record may name a contact; only such records are exported and erased with the person."
                checked={linked}
                onChange={(e) => setLinked(e.currentTarget.checked)}
              />
              <Radio.Group label="When the person is erased" value={erase} onChange={(v) => setErase(v as typeof erase)}>
                <Stack gap={6} mt={6}>
                  <Radio value="delete" label="Delete their records" />
                  <Radio value="anonymise" label="Keep the records, clear their personal fields and the link to the person" />
                </Stack>
              </Radio.Group>
              <NativeSelect
                label="Keep records for"
                description="Counted from each record’s creation; older records are deleted by retention."
                value={retention}
                onChange={(e) => setRetention(e.currentTarget.value)}
                data={RETENTIONS}
                error={details['/retention']}
              />
            </Stack>
          </Paper>
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Title order={2} size="h4">
                Fields
              </Title>
              <Text size="sm" c="dimmed">
                Each field has a name ({NAME_RULE.toLowerCase().replace(/\.$/, '')}) and a type. Mark as personal what identifies or
                describes the person.
              </Text>
              {fields.map((f, i) => (
                <Group key={f.key} align="flex-end" gap="sm" wrap="wrap">
                  <TextInput
                    label={`Field ${i + 1} name`}
                    required
                    value={f.name}
                    maxLength={40}
                    onChange={(e) => update(f.key, { name: e.currentTarget.value })}
                    error={
                      details[`/fields/${i}/name`] ? NAME_RULE : doubled.includes(f.name.trim()) ? 'Two fields have this name.' : undefined
                    }
                    style={{ flex: '1 1 180px' }}
                  />
                  <NativeSelect
                    label={`Field ${i + 1} type`}
                    value={f.type}
                    onChange={(e) => update(f.key, { type: e.currentTarget.value as FieldType })}
                    data={FIELD_TYPES.map((t) => ({ value: t.value, label: t.label }))}
                    style={{ flex: '0 1 150px' }}
                  />
                  <Checkbox
                    label="Personal"
                    aria-label={`Field ${i + 1} is personal data`}
                    checked={f.personal}
                    onChange={(e) => update(f.key, { personal: e.currentTarget.checked })}
                    mb={8}
                  />
                  <ActionIcon
                    variant="default"
                    size="lg"
                    mb={2}
                    aria-label={`Remove field ${i + 1}`}
                    disabled={fields.length === 1}
                    onClick={() => setFields((fs) => fs.filter((x) => x.key !== f.key))}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              <Group>
                <Button
                  variant="default"
                  onClick={() => {
                    setFields((fs) => [...fs, { key: nextKey, name: '', type: 'text', personal: false }]);
                    setNextKey((k) => k + 1);
                  }}
                >
                  Add a field
                </Button>
              </Group>
            </Stack>
          </Paper>
          {save.isError && (nameError === undefined || other.length > 0) && !Object.keys(details).some((p) => shown.has(p)) && (
            <Alert color="red" role="alert" title="The entity was not defined">
              {other.length ? other.map(([p, m]) => `${p}: ${m}`).join('; ') : errorMessage(save.error)}
            </Alert>
          )}
          {save.isError && (nameError !== undefined || Object.keys(details).some((p) => shown.has(p))) && (
            <Alert color="red" role="alert" title="The entity was not defined">
              Correct the fields marked above, then define it again.
            </Alert>
          )}
          <Group>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!name.trim() || fields.some((f) => !f.name.trim()) || doubled.length > 0}
            >
              Define entity
            </Button>
          </Group>
        </Stack>
      </form>
    </Page>
  );
}
