import { Alert, Anchor, Button, Grid, Group, NativeSelect, Paper, Radio, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { READABLE_ERRORS } from '../../ui/contrast';
import { formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { plain } from '../forms/draft';
import { formsApi } from '../forms/forms.api';
import { DeletePage } from './DeletePage';
import { PageCounts } from './PageCounts';
import { PagePreview } from './PagePreview';
import { type PageInput, type PageType, pagesApi, type SavedPage } from './types';
import { LANGUAGES, PAGE_TYPES, SLUG, slugFrom, typeWords } from './words';

/** A saved page, loaded, then edited. */
export function ExistingPage() {
  const { id } = useParams();
  const page = useQuery({ queryKey: ['page', id], queryFn: () => pagesApi.page(id!) });
  if (page.isPending) return <Loading label="Loading the page" />;
  if (page.isError)
    return (
      <Page title="Page">
        <ErrorState error={page.error} retry={() => page.refetch()} title="Could not load this page" />
        <Anchor component={Link} to="/pages">
          Back to the pages
        </Anchor>
      </Page>
    );
  return <PageEditor key={`${page.data.id}:${page.data.updatedAt}`} saved={page.data} />;
}

/**
 * The installation's public address, for the full URL of a page not saved yet: from a saved page's
 * URL, else the settings (where the role may read them), else this console's own address.
 */
function usePublicBase(): string {
  const { can } = useRights();
  const pages = useQuery({ queryKey: ['pages', null], queryFn: () => pagesApi.list(null), retry: false });
  const settings = useQuery({
    queryKey: ['settings', 'publicBaseUrl'],
    queryFn: async () => (await call(api.GET('/api/v1/settings'))).data.publicBaseUrl,
    enabled: can('settings') && !pages.data?.data.length,
    staleTime: 5 * 60_000,
  });
  const known = pages.data?.data[0];
  if (known) return known.url.slice(0, known.url.length - `/p/${known.slug}`.length);
  return (settings.data ?? window.location.origin).replace(/\/+$/, '');
}

/** New or saved: type (new only), address, title, introduction, language, form, published; a live preview; counts once saved. */
export function PageEditor({ saved }: { saved?: SavedPage }) {
  const navigate = useNavigate();
  const justSaved = (useLocation().state as { saved?: boolean } | null)?.saved === true;
  const queries = useQueryClient();
  const { can } = useRights();
  const writable = can('forms', 'write');
  const base = usePublicBase();
  const forms = useQuery({ queryKey: ['forms', 'all'], queryFn: async () => (await formsApi.list({ limit: 500 })).data });
  const [input, setInput] = useState<PageInput>(
    saved
      ? {
          type: saved.type,
          slug: saved.slug,
          title: saved.title,
          intro: saved.intro,
          language: saved.language,
          formId: saved.formId,
          published: saved.published,
        }
      : { type: 'landing', slug: '', title: '', intro: '', language: 'en', formId: null, published: false },
  );
  const [slugTyped, setSlugTyped] = useState(!!saved);
  const [dirty, setDirty] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const set = (patch: Partial<PageInput>) => {
    setInput((i) => ({ ...i, ...patch }));
    setDirty(true);
  };
  const body = (): PageInput => ({
    ...input,
    slug: input.slug.trim(),
    title: input.title.trim(),
    formId: input.type === 'landing' ? input.formId : null,
  });

  const save = useMutation({
    mutationFn: () => {
      if (!saved) return pagesApi.create(body());
      const { type: _t, ...patch } = body();
      return pagesApi.update(saved.id, patch);
    },
    onSuccess: async (p) => {
      setDirty(false);
      queries.setQueryData(['page', p.id], p);
      await queries.invalidateQueries({ queryKey: ['pages'] });
      navigate(`/pages/${p.id}`, { replace: true, state: { saved: true } });
    },
  });
  const failure = save.error instanceof ApiFailure ? save.error : null;
  const details = new Map<string, string>();
  if (failure && Array.isArray(failure.details))
    for (const d of failure.details as { path?: string; message?: string }[])
      if (d.path && d.message && !details.has(d.path)) details.set(d.path, plain(d.message));
  const problem = (path: string) => {
    if (path === '/slug' && failure?.code === 'conflict') return 'Another page has this address: choose another';
    return details.get(path);
  };
  const shown = ['/slug', '/title', '/intro', '/language', '/formId', '/published'];
  const otherProblem = save.isError && ![...details.keys()].some((p) => shown.includes(p)) && failure?.code !== 'conflict';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const b = body();
    const why = b.title === '' ? 'title' : !SLUG.test(b.slug) ? 'slug' : b.type === 'landing' && !b.formId ? 'form' : null;
    setMissing(why);
    if (!why) save.mutate();
  };
  const slugError =
    missing === 'slug'
      ? 'Lower-case letters, digits and hyphens, such as spring-sale (not starting or ending with a hyphen)'
      : problem('/slug');

  return (
    <Page
      title={saved ? saved.title : 'New page'}
      description={
        saved
          ? `${typeWords(saved.type)} · ${
              saved.published ? 'published' : 'a draft, ' + 'not public'
            } · last changed ${formatDateTime(saved.updatedAt)}`
          : 'A web page Assent serves at its own address, in your words.'
      }
      actions={
        saved ? (
          <>
            {saved.published && (
              <Button component="a" href={saved.url} target="_blank" rel="noopener noreferrer" variant="default">
                View page
              </Button>
            )}
            {writable && <DeletePage page={saved} />}
          </>
        ) : null
      }
    >
      <Anchor component={Link} to="/pages" size="sm">
        ← All pages
      </Anchor>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <form onSubmit={submit} noValidate aria-label="Page" style={READABLE_ERRORS}>
            <Stack gap="md">
              <Paper withBorder p="md" radius="md">
                <Stack gap="sm">
                  {saved ? (
                    <Text size="sm">
                      <strong>{typeWords(saved.type)}</strong>: {PAGE_TYPES.find((t) => t.value === saved.type)?.description} The type stays
                      as it was made.
                    </Text>
                  ) : (
                    <Radio.Group
                      label="Type"
                      description="What the page is for. It cannot be changed later."
                      value={input.type}
                      onChange={(v) => set({ type: v as PageType })}
                    >
                      <Stack gap="xs" mt="xs">
                        {PAGE_TYPES.map((t) => (
                          <Radio key={t.value} value={t.value} label={t.label} description={t.description} disabled={!writable} />
                        ))}
                      </Stack>
                    </Radio.Group>
                  )}
                  <TextInput
                    label="Title"
                    description="The page’s heading, and its name in the browser tab"
                    required
                    value={input.title}
                    onChange={(e) => {
                      const title = e.currentTarget.value;
                      set({ title, ...(slugTyped ? {} : { slug: slugFrom(title) }) });
                    }}
                    error={missing === 'title' ? 'Give the page a title' : problem('/title')}
                    readOnly={!writable}
                    maxLength={200}
                  />
                  <TextInput
                    label="Address"
                    description={
                      <>
                        {saved ? 'Changing it breaks links to the old address.' : 'Suggested from the title.'} The page’s full address:{' '}
                        <span style={{ overflowWrap: 'anywhere', fontFamily: 'var(--mantine-font-family-monospace)' }}>
                          {base}/p/{input.slug || '…'}
                        </span>
                      </>
                    }
                    required
                    value={input.slug}
                    onChange={(e) => {
                      const slug = e.currentTarget.value;
                      setSlugTyped(true);
                      set({ slug });
                    }}
                    error={slugError}
                    readOnly={!writable}
                    maxLength={64}
                    spellCheck={false}
                  />
                  <Textarea
                    label="Introduction"
                    description={
                      'Shown under the title. Markdown: a blank line starts a paragraph; **bold**, *italic*, [words](https://…) for a ' +
                      '' +
                      '' +
                      '' +
                      '' +
                      '' +
                      '' +
                      '' +
                      'link, - for a list. HTML shows as text.'
                    }
                    value={input.intro}
                    onChange={(e) => set({ intro: e.currentTarget.value })}
                    error={problem('/intro')}
                    readOnly={!writable}
                    autosize
                    minRows={4}
                    maxRows={16}
                    maxLength={20000}
                  />
                  <NativeSelect
                    label="Language"
                    description="Of the page’s buttons, labels and messages; write the title and introduction in it too"
                    value={input.language}
                    data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))}
                    onChange={(e) => set({ language: e.currentTarget.value })}
                    error={problem('/language')}
                    disabled={!writable}
                  />
                  {input.type === 'landing' && (
                    <NativeSelect
                      label="Form"
                      description="The form the page shows"
                      required
                      value={input.formId ?? ''}
                      data={[
                        { value: '', label: forms.data?.length ? 'Choose a form' : 'No form yet: create one first' },
                        ...(forms.data ?? []).map((f) => ({ value: f.id, label: f.name })),
                      ]}
                      onChange={(e) => set({ formId: e.currentTarget.value || null })}
                      error={missing === 'form' ? 'Choose the form the page shows' : problem('/formId')}
                      disabled={!writable}
                    />
                  )}
                  <Switch
                    label="Published"
                    description={
                      input.published
                        ? 'Anyone with the address can open the page.'
                        : 'A draft: the address answers “not found” until you publish it.'
                    }
                    checked={input.published}
                    onChange={(e) => set({ published: e.currentTarget.checked })}
                    disabled={!writable}
                  />
                </Stack>
              </Paper>
              {otherProblem && (
                <Alert color="red" role="alert" title="Not saved">
                  {errorMessage(save.error)}
                </Alert>
              )}
              {save.isError && !otherProblem && (
                <Text size="sm" c="var(--mantine-color-error)" role="alert">
                  Not saved: see the message beside the field.
                </Text>
              )}
              {writable ? (
                <Group gap="sm">
                  <Button type="submit" loading={save.isPending}>
                    {saved ? 'Save changes' : 'Save page'}
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
              ) : (
                <Text size="sm" c="dimmed">
                  Your role reads pages; a marketer or an administrator changes them.
                </Text>
              )}
            </Stack>
          </form>
          {saved && (
            <Stack mt="md">
              <PageCounts id={saved.id} />
            </Stack>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <PagePreview input={body()} />
        </Grid.Col>
      </Grid>
    </Page>
  );
}
