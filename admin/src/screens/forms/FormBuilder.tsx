import { Alert, Anchor, Button, Grid, Group, Paper, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiFailure } from '../../api/client';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { READABLE_ERRORS } from '../../ui/contrast';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { type Draft, type DraftField, emailField, move, newField, plain, problemsByPath, readOrigins, toDraft, toInput } from './draft';
import { DeleteForm } from './DeleteForm';
import { EmbedPanel } from './EmbedPanel';
import { FieldEditor } from './FieldEditor';
import { type Form, formsApi } from './forms.api';
import { FormPreview } from './FormPreview';

/** A saved form, loaded, then built on. */
export function ExistingForm() {
  const { id } = useParams();
  const form = useQuery({ queryKey: ['form', id], queryFn: () => formsApi.form(id!) });
  if (form.isPending) return <Loading label="Loading the form" />;
  if (form.isError)
    return (
      <Page title="Form">
        <ErrorState error={form.error} retry={() => form.refetch()} title="Could not load this form" />
        <Anchor component={Link} to="/forms">
          Back to the forms
        </Anchor>
      </Page>
    );
  return <FormBuilder key={`${form.data.id}:${form.data.updatedAt}`} saved={form.data} />;
}

/** New or saved: the form's name, double opt-in, allowed origins and its fields, with a live preview and (saved) the embed snippets. */
export function FormBuilder({ saved }: { saved?: Form }) {
  const navigate = useNavigate();
  const justSaved = (useLocation().state as { saved?: boolean } | null)?.saved === true;
  const queries = useQueryClient();
  const { can } = useRights();
  const writable = can('forms', 'write');
  const consent = useConsentLevels();
  const levelName = useLevelName();
  const custom = useQuery({ queryKey: ['contact-fields'], queryFn: formsApi.customFields, enabled: can('contacts'), staleTime: 60_000 });
  const lists = useQuery({ queryKey: ['lists', 'all'], queryFn: formsApi.lists, enabled: can('lists'), staleTime: 60_000 });
  const counts = useQuery({
    queryKey: ['form-counts', saved?.id],
    queryFn: () => formsApi.counts(saved!.id),
    enabled: !!saved,
    retry: false,
  });
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved));
  const [dirty, setDirty] = useState(false);
  const [missingName, setMissingName] = useState(false);
  const edit = (f: (d: Draft) => Draft) => {
    setDraft(f);
    setDirty(true);
  };
  // A field moved, added or removed: the server's messages name fields by position, so they go.
  const reshape = (f: (fields: DraftField[]) => DraftField[]) => {
    edit((d) => ({ ...d, fields: f(d.fields) }));
    save.reset();
  };
  const origins = useMemo(() => readOrigins(draft.origins), [draft.origins]);

  const save = useMutation({
    mutationFn: () => (saved ? formsApi.update(saved.id, toInput(draft)) : formsApi.create(toInput(draft))),
    onSuccess: async (f) => {
      setDirty(false);
      queries.setQueryData(['form', f.id], f);
      await queries.invalidateQueries({ queryKey: ['forms'] });
      await queries.invalidateQueries({ queryKey: ['form-embed', f.id] });
      navigate(`/forms/${f.id}`, { replace: true, state: { saved: true } });
    },
  });
  const failure = save.error instanceof ApiFailure ? save.error : null;
  const problems =
    failure && ['form_invalid', 'validation_failed'].includes(failure.code) ? problemsByPath(failure.details) : new Map<string, string>();
  const problem = (path: string) => {
    const m = problems.get(path);
    return m === undefined ? undefined : plain(m);
  };
  const originProblems = [...origins.problems, ...[...problems].filter(([p]) => p.startsWith('/allowedOrigins')).map(([, m]) => plain(m))];
  const fieldsProblem = problem('/fields');
  const handled = (p: string) =>
    p === '/name' || p.startsWith('/allowedOrigins') || p === '/fields' || /^\/fields\/\d+/.test(p) || p === '/doubleOptIn';
  const otherProblems = [...problems].filter(([p]) => !handled(p));

  const submissions = counts.data?.total.submissions ?? 0;
  // Both sides in the builder's own form: a form written through the API may order or omit keys differently.
  const fieldsChanged = saved ? JSON.stringify(toInput(draft).fields) !== JSON.stringify(toInput(toDraft(saved)).fields) : false;
  const newVersion = !!saved && submissions > 0 && fieldsChanged;
  // Without the counters (a server before them) nobody knows whether it has submissions: say what would happen.
  const maybeNewVersion = !!saved && counts.isSuccess && counts.data === null && fieldsChanged;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.name.trim() === '') {
      setMissingName(true);
      return;
    }
    setMissingName(false);
    if (origins.problems.length) return;
    save.mutate();
  };
  const listName = (id: string) => lists.data?.find((l) => l.id === id)?.name ?? 'a list no longer there';
  const levels = consent.data?.consentLevels ?? [0, 1, 2, 3, 4, 5].map((l) => ({ level: l, name: `Level ${l}`, description: '' }));

  return (
    <Page
      title={saved ? saved.name : 'New form'}
      description={
        saved
          ? `Version ${saved.version} · last changed ${formatDateTime(saved.updatedAt)}${
              counts.data ? ` · ${formatNumber(submissions)} ` + `submissions` : ''
            }`
          : 'A sign-up form: the fields a person fills in, and what each one changes for the contact.'
      }
      actions={saved && writable ? <DeleteForm form={saved} /> : null}
    >
      <Anchor component={Link} to="/forms" size="sm">
        ← All forms
      </Anchor>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <form onSubmit={submit} noValidate aria-label="Form builder" style={READABLE_ERRORS}>
            <Stack gap="md">
              <Paper withBorder p="md" radius="md">
                <Stack gap="sm">
                  <TextInput
                    label="Name"
                    description="For you and your team; it is the subject of the confirmation email too"
                    required
                    value={draft.name}
                    onChange={(e) => {
                      const name = e.currentTarget.value;
                      edit((d) => ({ ...d, name }));
                    }}
                    error={missingName ? 'Give the form a name' : problem('/name')}
                    readOnly={!writable}
                    maxLength={200}
                  />
                  <Switch
                    label="Double opt-in"
                    description={
                      draft.doubleOptIn
                        ? 'On: nothing changes until the person clicks the link we email them. Recommended: it proves the address is ' +
                          'theirs.'
                        : 'Off: the contact is created or updated as soon as the form is sent, without checking the address.'
                    }
                    checked={draft.doubleOptIn}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      edit((d) => ({ ...d, doubleOptIn: on }));
                    }}
                    disabled={!writable}
                  />
                  <Textarea
                    label="Allowed origins"
                    description={
                      'The websites that may show and send this form, one per ' +
                      'line, such as https://shop.example. Assent’s own pages ' +
                      'always may.'
                    }
                    value={draft.origins}
                    onChange={(e) => {
                      const origins = e.currentTarget.value;
                      edit((d) => ({ ...d, origins }));
                    }}
                    error={originProblems.length ? originProblems.join(' ') : undefined}
                    readOnly={!writable}
                    autosize
                    minRows={2}
                    spellCheck={false}
                  />
                </Stack>
              </Paper>

              <Stack gap="xs" component="section" aria-labelledby="fields-title">
                <Group justify="space-between" gap="xs">
                  <Title order={2} size="h4" id="fields-title">
                    Fields
                  </Title>
                  <Text size="sm" c="dimmed">
                    {draft.fields.length} {draft.fields.length === 1 ? 'field' : 'fields'}, in the order shown
                  </Text>
                </Group>
                {fieldsProblem && (
                  <Text size="sm" c="var(--mantine-color-error)" role="alert">
                    {fieldsProblem}
                  </Text>
                )}
                {!draft.fields.some((f) => f.maps === 'email') && writable && (
                  <Button variant="default" onClick={() => reshape((fs) => [emailField(), ...fs])}>
                    Add the email field back
                  </Button>
                )}
                {draft.fields.map((f, i) => (
                  <FieldEditor
                    key={f.key}
                    f={f}
                    index={i}
                    count={draft.fields.length}
                    others={draft.fields.filter((x) => x.key !== f.key).map((x) => x.name)}
                    writable={writable}
                    custom={custom.data ?? []}
                    levels={levels}
                    lists={lists.data ?? []}
                    problem={(p) => problem(`/fields/${i}${p}`)}
                    change={(nf) => edit((d) => ({ ...d, fields: d.fields.map((x) => (x.key === f.key ? nf : x)) }))}
                    moveBy={(by) => reshape((fs) => move(fs, i, by))}
                    remove={() => reshape((fs) => fs.filter((x) => x.key !== f.key))}
                  />
                ))}
                {writable && (
                  <div>
                    <Button variant="default" onClick={() => reshape((fs) => [...fs, newField(fs)])} disabled={draft.fields.length >= 100}>
                      Add a field
                    </Button>
                  </div>
                )}
              </Stack>

              {otherProblems.length > 0 && (
                <Alert color="red" role="alert" title="Not saved">
                  {otherProblems.map(([p, m]) => (
                    <Text size="sm" key={p}>
                      {p}: {plain(m)}
                    </Text>
                  ))}
                </Alert>
              )}
              {save.isError && problems.size === 0 && (
                <Alert color="red" role="alert" title="Not saved">
                  {errorMessage(save.error)}
                </Alert>
              )}
              {problems.size > 0 && (
                <Text size="sm" c="var(--mantine-color-error)" role="alert">
                  Not saved: {problems.size === 1 ? 'one thing needs' : `${problems.size} things need`} another look (shown beside
                  {problems.size === 1 ? ' it' : ' each'}).
                </Text>
              )}
              {newVersion && (
                <Notice color="orange" title="Saving makes a new version" role="status">
                  This form has {formatNumber(submissions)} submissions. Saving the changed fields makes version {saved.version + 1}: new
                  submissions use it, and the earlier ones keep version {saved.version}, the fields they were sent with.
                </Notice>
              )}
              {maybeNewVersion && (
                <Text size="sm" c="dimmed">
                  If this form already has submissions, saving the changed fields makes a new version; earlier submissions keep the fields
                  they were sent with.
                </Text>
              )}
              {writable && (
                <Group gap="sm">
                  <Button type="submit" loading={save.isPending}>
                    {!saved ? 'Save form' : newVersion ? `Save as version ${saved.version + 1}` : 'Save changes'}
                  </Button>
                  {dirty && saved && (
                    <Text size="sm" c="dimmed" role="status">
                      Unsaved changes.
                    </Text>
                  )}
                  {!dirty && saved && justSaved && (
                    <Text size="sm" c="light-dark(var(--mantine-color-teal-9), var(--mantine-color-teal-4))" role="status">
                      Saved.
                    </Text>
                  )}
                </Group>
              )}
              {!writable && (
                <Text size="sm" c="dimmed">
                  Your role reads forms; a marketer or an administrator changes them.
                </Text>
              )}
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <div style={{ position: 'sticky', top: 72 }}>
            <FormPreview name={draft.name} fields={draft.fields} levelName={levelName} listName={listName} />
          </div>
        </Grid.Col>
      </Grid>
      {saved ? (
        <EmbedPanel form={saved} />
      ) : (
        <Text size="sm" c="dimmed">
          Save the form to get the code that puts it on your website.
        </Text>
      )}
    </Page>
  );
}
