import { Alert, Anchor, Button, Group, Modal, Paper, Radio, Stack, Tabs, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { Builder, emptyFilter } from './Builder';
import { Explain } from './Explain';
import { fromJson, hasEmptyGroup, type TreeNode, toJson } from './filterTree';
import { Members, type Picked } from './Members';
import { type Problem, problemsByNode, problemsOf, problemWords, usePreview } from './preview';
import { useVocabulary } from './vocabulary';

type Segment = Awaited<ReturnType<typeof fetchSegment>>;

async function fetchSegment(id: string) {
  return (await call(api.GET('/api/v1/segments/{id}', { params: { path: { id } } }))).data;
}

/** A new segment (no id) or a saved one: the builder with its live count, then the saved segment's count, members and "why". */
export function SegmentEditor({ id }: { id?: string | undefined }) {
  const segment = useQuery({ queryKey: ['segment', id], queryFn: () => fetchSegment(id!), enabled: id !== undefined });
  if (id !== undefined && segment.isPending) return <Loading label="Loading the segment" />;
  if (id !== undefined && segment.isError)
    return (
      <Page title="Segment">
        <ErrorState error={segment.error} retry={() => void segment.refetch()} />
        <Anchor component={Link} to="/segments">
          Back to the segments
        </Anchor>
      </Page>
    );
  return <Editor segment={segment.data} />;
}

function SavedCount({ segment }: { segment: Segment }) {
  const count = useQuery({
    queryKey: ['segment-count', segment.id],
    queryFn: async () => (await call(api.GET('/api/v1/segments/{id}/count', { params: { path: { id: segment.id } } }))).data.count,
    retry: false,
  });
  const what = segment.kind === 'static' ? `In the snapshot of ${formatDateTime(segment.snapshotAt)}` : 'In the saved segment now';
  if (count.isPending) return <Text size="sm">{what}: counting…</Text>;
  if (count.isError) return <ErrorState error={count.error} title="The saved segment cannot be counted" />;
  return (
    <Text size="sm" data-testid="saved-count">
      {what}: <strong>{formatNumber(count.data)}</strong> contact{count.data === 1 ? '' : 's'}
    </Text>
  );
}

function Editor({ segment }: { segment: Segment | undefined }) {
  const { can } = useRights();
  const canWrite = can('segments', 'write');
  const vocab = useVocabulary();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const location = useLocation();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [kind, setKind] = useState<'dynamic' | 'static'>(segment?.kind ?? 'dynamic');
  const [tree, setTree] = useState<TreeNode>(() => (segment ? fromJson(segment.filter) : emptyFilter()));
  const [mode, setMode] = useState<'visual' | 'json'>('visual');
  const [jsonText, setJsonText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [saveProblems, setSaveProblems] = useState<Problem[]>([]);
  const [saved, setSaved] = useState<string | null>((location.state as { saved?: string } | null)?.saved ?? null);
  const [why, setWhy] = useState<Picked | null>(null);

  /** The filter on screen: the tree's, or the JSON view's when it parses. */
  let filter: unknown;
  let parses = true;
  if (mode === 'visual') filter = toJson(tree);
  else
    try {
      filter = JSON.parse(jsonText) as unknown;
    } catch {
      parses = false;
    }
  const empty = mode === 'visual' && hasEmptyGroup(tree) && (tree.kind === 'and' || tree.kind === 'or') && tree.children.length === 0;
  const preview = usePreview(filter, parses && !empty);
  const problems = preview.problems.length ? preview.problems : saveProblems;
  const dirty =
    !segment ||
    JSON.stringify(filter) !== JSON.stringify(segment.filter) ||
    name.trim() !== segment.name ||
    (description.trim() || null) !== segment.description;

  const toJsonView = () => {
    setJsonText(JSON.stringify(toJson(tree), null, 2));
    setJsonError(null);
    setMode('json');
  };
  const toVisual = () => {
    try {
      setTree(fromJson(JSON.parse(jsonText)));
      setJsonError(null);
      setMode('visual');
    } catch (e) {
      setJsonError(`This is not valid JSON (${(e as Error).message}). Fix it to go back to the visual builder; nothing is lost.`);
    }
  };

  const save = useMutation({
    mutationFn: async () => {
      if (segment)
        return (
          await call(
            api.PATCH('/api/v1/segments/{id}', {
              params: { path: { id: segment.id } },
              body: { name: name.trim(), description: description.trim() || null, filter },
            }),
          )
        ).data;
      return (
        await call(api.POST('/api/v1/segments', { body: { name: name.trim(), description: description.trim() || null, kind, filter } }))
      ).data;
    },
    onSuccess: async (s) => {
      setSaveProblems([]);
      setSaved(segment ? 'Saved.' : 'Segment saved.');
      queries.setQueryData(['segment', s.id], s);
      await queries.invalidateQueries({ queryKey: ['segments'] });
      await queries.invalidateQueries({ queryKey: ['segment-count', s.id] });
      await queries.invalidateQueries({ queryKey: ['segment-members', s.id] });
      if (!segment) navigate(`/segments/${s.id}`, { replace: true, state: { saved: 'Segment saved.' } });
    },
    onError: (e) => {
      setSaved(null);
      setSaveProblems(problemsOf(e) ?? []);
    },
  });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useMutation({
    mutationFn: async () => call(api.DELETE('/api/v1/segments/{id}', { params: { path: { id: segment!.id } } })),
    // Away first: this page's queries would otherwise ask for the deleted segment once more.
    onSuccess: async () => {
      // The list shows it gone at once, not after its refetch.
      queries.setQueriesData<{ data: { id: string }[] }>({ queryKey: ['segments'] }, (old) =>
        old ? { ...old, data: old.data.filter((x) => x.id !== segment!.id) } : old,
      );
      navigate('/segments');
      await queries.invalidateQueries({ queryKey: ['segments'] });
    },
  });
  const clearFlag = useMutation({
    mutationFn: async () =>
      (await call(api.PATCH('/api/v1/segments/{id}', { params: { path: { id: segment!.id } }, body: { flagged: false } }))).data,
    onSuccess: (s) => queries.setQueryData(['segment', s.id], s),
  });
  const snapshot = useMutation({
    mutationFn: async () => (await call(api.POST('/api/v1/segments/{id}/snapshot', { params: { path: { id: segment!.id } } }))).data,
    onSuccess: async (s) => {
      queries.setQueryData(['segment', s.id], s);
      setSaved(`Snapshot taken ${formatDateTime(s.snapshotAt)}.`);
      await queries.invalidateQueries({ queryKey: ['segment-count', s.id] });
      await queries.invalidateQueries({ queryKey: ['segment-members', s.id] });
    },
  });

  const onSave = () => {
    setSaved(null);
    if (!name.trim()) return setNameError('Give the segment a name: it is how people find it.');
    if (!parses) return setJsonError('The JSON does not parse: fix it before saving.');
    if (empty) return setSaveProblems([{ path: '', message: 'add at least one condition' }]);
    setNameError(null);
    save.mutate();
  };

  const count = !parses ? (
    <Text size="sm">The JSON does not parse yet.</Text>
  ) : empty ? (
    <Text size="sm">Add a condition to see how many contacts it selects.</Text>
  ) : preview.counting ? (
    <Text size="sm">Counting…</Text>
  ) : preview.count !== undefined ? (
    <Text size="sm">
      Matches <strong data-testid="live-count">{formatNumber(preview.count)}</strong> contact{preview.count === 1 ? '' : 's'} now
    </Text>
  ) : (
    <Text size="sm">
      Cannot count this filter yet: {preview.problems.length ? 'see the problems marked below.' : errorMessage(preview.error)}
    </Text>
  );

  const kindWords =
    segment?.kind === 'static'
      ? `Static snapshot, taken ${formatDateTime(segment.snapshotAt)}: its members stay as they were until a new snapshot.`
      : segment
        ? 'Dynamic: its members are whoever matches the filter at the time it is used.'
        : 'Pick who belongs in it: the count below follows every change.';

  return (
    <Page
      title={segment ? segment.name : 'New segment'}
      description={kindWords}
      actions={
        <>
          <Button component={Link} to="/segments" variant="default">
            All segments
          </Button>
          {segment?.kind === 'static' && canWrite && (
            <Button variant="default" loading={snapshot.isPending} onClick={() => snapshot.mutate()}>
              Take a new snapshot
            </Button>
          )}
          {segment && canWrite && (
            <Button variant="default" color="red" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          )}
        </>
      }
    >
      {segment && (
        <Modal
          opened={confirmDelete}
          onClose={() => setConfirmDelete(false)}
          title={`Delete “${segment.name}”?`}
          closeButtonProps={{ 'aria-label': 'Close' }}
        >
          <Stack gap="sm">
            <Text size="sm">
              The segment and its snapshot go; its contacts stay as they are. Journeys or exports that use it will no longer find it.
            </Text>
            {remove.isError && <ErrorState error={remove.error} title="Could not delete" />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirmDelete(false)}>
                Keep it
              </Button>
              <Button color="red.9" loading={remove.isPending} onClick={() => remove.mutate()}>
                Delete the segment
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
      {segment?.flagged && (
        <Alert color="orange" title="An erasure touched this segment">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {segment.flagDetail ?? 'A value naming an erased person was replaced in the filter, or the name may name them.'} Check the
              name, description and conditions, change what still names the person, then mark it as dealt with.
            </Text>
            {canWrite && (
              <Button size="xs" variant="default" loading={clearFlag.isPending} onClick={() => clearFlag.mutate()}>
                Mark as dealt with
              </Button>
            )}
            {clearFlag.isError && <ErrorState error={clearFlag.error} title="Could not clear the flag" />}
          </Stack>
        </Alert>
      )}
      <Paper withBorder p="md">
        <Stack gap="md">
          <Group align="flex-start" wrap="wrap" gap="md">
            <TextInput
              label="Name"
              required
              w={420}
              maw="100%"
              readOnly={!canWrite}
              value={name}
              error={nameError}
              maxLength={200}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Textarea
              label="Description"
              description="What it is for, in a sentence (optional)"
              autosize
              minRows={1}
              w={420}
              maw="100%"
              maxLength={2000}
              readOnly={!canWrite}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            {!segment && (
              <Radio.Group label="Kind" value={kind} onChange={(v) => setKind(v as 'dynamic' | 'static')}>
                <Stack gap={6} mt={6}>
                  <Radio value="dynamic" label="Dynamic: always current" />
                  <Radio value="static" label="Static: a snapshot of who matches when saved" />
                </Stack>
              </Radio.Group>
            )}
          </Group>
          <Paper
            withBorder
            p="sm"
            role="status"
            aria-live="polite"
            aria-label="Live count"
            // Stays in sight below the header while a long filter scrolls.
            style={{ position: 'sticky', top: 'calc(var(--app-shell-header-offset, 56px) + 8px)', zIndex: 3 }}
          >
            {count}
          </Paper>
          <Tabs
            value={mode}
            onChange={(v) => {
              if (v === 'json' && mode === 'visual') toJsonView();
              if (v === 'visual' && mode === 'json') toVisual();
            }}
          >
            <Tabs.List>
              <Tabs.Tab value="visual">Visual builder</Tabs.Tab>
              <Tabs.Tab value="json">JSON</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="visual" pt="md">
              {mode === 'visual' && (
                <Builder tree={tree} onChange={setTree} readOnly={!canWrite} problems={problemsByNode(tree, problems)} vocab={vocab} />
              )}
            </Tabs.Panel>
            <Tabs.Panel value="json" pt="md">
              {mode === 'json' && (
                <Stack gap="xs">
                  <Textarea
                    label="Filter as JSON"
                    description="The filter language of docs/segments.md. Switching back to the visual builder rebuilds the tree from it."
                    autosize
                    minRows={8}
                    maxRows={30}
                    readOnly={!canWrite}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                    value={jsonText}
                    error={jsonError}
                    onChange={(e) => {
                      setJsonText(e.currentTarget.value);
                      setJsonError(null);
                    }}
                  />
                  {problems.length > 0 && (
                    <Alert color="red" variant="light" title="Fix this to count and save">
                      {problems.map((p) => (
                        <Text key={`${p.path} ${p.message}`} size="sm">
                          At {p.path || 'the top'}: {problemWords(p)}
                        </Text>
                      ))}
                    </Alert>
                  )}
                </Stack>
              )}
            </Tabs.Panel>
          </Tabs>
          {canWrite && (
            <Group gap="sm">
              <Button onClick={onSave} loading={save.isPending} disabled={!!segment && !dirty}>
                {segment ? 'Save changes' : 'Save segment'}
              </Button>
              {segment && dirty && (
                <Text size="sm" c="dimmed">
                  Unsaved changes: the members below are those of the saved segment.
                  {segment.kind === 'static' && ' Saving a changed filter takes a new snapshot.'}
                </Text>
              )}
              {saved && (
                <Text size="sm" role="status">
                  {saved}
                </Text>
              )}
            </Group>
          )}
          {save.isError && !problemsOf(save.error)?.length && <ErrorState error={save.error} title="Could not save" />}
          {snapshot.isError && <ErrorState error={snapshot.error} title="Could not take the snapshot" />}
        </Stack>
      </Paper>
      {segment && (
        <>
          <SavedCount segment={segment} />
          <Members segmentId={segment.id} onWhy={setWhy} />
          {why && <Explain key={why.id} segment={segment} contact={why} vocab={vocab} onClose={() => setWhy(null)} />}
        </>
      )}
    </Page>
  );
}
