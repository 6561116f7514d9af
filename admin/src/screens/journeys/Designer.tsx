import { Alert, Anchor, Badge, Button, Grid, Group, List, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { useListsAndSegments } from '../../ui/email/api';
import { emailApi } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { useCustomFields } from '../contacts/common';
import { formsApi } from '../forms/forms.api';
import { Canvas } from './Canvas';
import { useRequirement } from './consent';
import { addTile, arranged, connect, forApi, fromApi, problemsByTile, removeTile, unconnected } from './graph';
import { JourneySettings } from './JourneySettings';
import { JourneyStats } from './JourneyStats';
import { DeleteJourney, StateActions } from './StateActions';
import { summaryOf } from './summary';
import type { TileNodeType } from './TileNode';
import { type Lookups, TilePanel } from './TilePanel';
import {
  type InUseDetail,
  type InvalidDetail,
  type Journey,
  type JourneyInput,
  type JourneyState,
  journeysApi,
  type Problem,
  type StateChange,
  type Tile,
  type TileType,
} from './types';
import { problemWords, stateWords, tileTypeWords } from './words';

/** A saved journey, loaded, then designed. */
export function ExistingJourney() {
  const { id } = useParams();
  const journey = useQuery({ queryKey: ['journey', id], queryFn: () => journeysApi.journey(id!) });
  if (journey.isPending) return <Loading label="Loading the journey" />;
  if (journey.isError)
    return (
      <Page title="Journey">
        <ErrorState error={journey.error} retry={() => journey.refetch()} title="Could not load this journey" />
        <Anchor component={Link} to="/journeys">
          Back to the journeys
        </Anchor>
      </Page>
    );
  return <Designer key={journey.data.id} saved={journey.data} />;
}

/** Event types the installation declares (an admin reads them from the webhooks' list); else the common ones. */
const COMMON_EVENTS = ['form.submitted', 'contact.created', 'contact.updated', 'consent.changed', 'import.finished'];

/** The installation's messages, segments, lists, forms, custom fields and event types, by name for the side panel. */
function useLookups(purposeNeeds: (p: string) => string): Lookups {
  const { can } = useRights();
  const messages = useQuery({
    queryKey: ['messages', 'all'],
    queryFn: async () => (await emailApi.messages({ limit: 100 })).data,
    enabled: can(EMAIL_AREA),
    staleTime: 60_000,
  });
  const { lists, segments } = useListsAndSegments();
  const forms = useQuery({
    queryKey: ['forms', 'all'],
    queryFn: async () => (await formsApi.list({ limit: 500 })).data,
    enabled: can('forms'),
    staleTime: 60_000,
  });
  const fields = useCustomFields();
  const events = useQuery({
    queryKey: ['event-types'],
    queryFn: async () => (await call(api.GET('/api/v1/webhooks/event-types'))).data,
    enabled: can('webhooks'),
    staleTime: 5 * 60_000,
  });
  return {
    messages: (messages.data ?? []).map((m) => ({ id: m.id, name: m.name, purpose: m.purpose })),
    segments: (segments.data ?? []).map((s) => ({ id: s.id, name: s.name, filter: (s as { filter?: unknown }).filter })),
    lists: (lists.data ?? []).map((l) => ({ id: l.id, name: l.name })),
    forms: (forms.data ?? []).map((f) => ({ id: f.id, name: f.name })),
    fields: (fields.data ?? []).map((f) => ({ value: `customFields.${f.name}`, label: f.label || f.name, type: f.type })),
    eventTypes: [...new Set([...(events.data ?? []), ...COMMON_EVENTS])].sort(),
    purposeNeeds,
  };
}

const NEW_JOURNEY: JourneyInput = {
  name: '',
  requiredConsent: 'marketing',
  tiles: [{ id: 'start', type: 'start', trigger: { manual: true }, next: '', position: { x: 0, y: 0 } }],
  goal: null,
  reentry: { policy: 'once' },
  holdoutPercent: 0,
};

const toNodes = (tiles: Tile[]): TileNodeType[] =>
  tiles.map((t) => ({ id: t.id, type: 'tile', position: t.position ?? { x: 0, y: 0 }, data: undefined as never }));

/** The server's refusal drawn where it belongs: a graph rule on its tile, contacts on a tile that may not go. */
function problemsOfFailure(e: unknown, sent: Tile[]): Problem[] {
  if (!(e instanceof ApiFailure) || !Array.isArray(e.details)) return [];
  if (e.code === 'journey_in_use')
    return (e.details as InUseDetail[]).map((d) => ({
      tileId: d.tileId,
      code: 'in_use',
      message: `${d.contacts} contact${d.contacts === 1 ? ' is' : 's are'} at it now: keep it, with its type, while they are`,
    }));
  if (e.code === 'journey_invalid')
    return (e.details as InvalidDetail[]).map((d) => ({ tileId: d.tileId ?? null, code: d.code, message: d.message }));
  if (e.code === 'validation_failed')
    // A schema refusal names a place (/tiles/3/next): on that tile, in the API's words.
    return (e.details as { path?: string; message?: string }[]).map((d) => {
      const at = /^\/tiles\/(\d+)(\/.*)?$/.exec(d.path ?? '');
      const tile = at ? sent[Number(at[1])] : undefined;
      return {
        tileId: tile?.id ?? null,
        code: 'validation_failed',
        message: `${tile ? (at?.[2] ?? '') : (d.path ?? '')} ${d.message ?? ''}`.trim(),
      };
    });
  return [];
}

/** New or saved: settings at the top, the palette and canvas, the side panel; save, and the state's buttons. */
export function Designer({ saved: loaded }: { saved?: Journey }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const { can } = useRights();
  const requirement = useRequirement();
  const look = useLookups(requirement.purposeNeeds);
  const [saved, setSaved] = useState<Journey | undefined>(loaded);
  const start = loaded ?? NEW_JOURNEY;
  const [settings, setSettings] = useState({
    name: start.name,
    requiredConsent: start.requiredConsent,
    goal: start.goal ?? null,
    reentry: start.reentry ?? { policy: 'once' as const },
    holdoutPercent: start.holdoutPercent ?? 0,
  });
  // The tiles (what the API is sent) and the canvas's nodes (where each is drawn, measured, chosen) change together.
  const [graph, setGraph] = useState(() => {
    const tiles = fromApi(start.tiles);
    return { tiles, nodes: toNodes(tiles) };
  });
  const { tiles, nodes } = graph;
  const [dirty, setDirty] = useState(false);
  const [refused, setRefused] = useState<Problem[] | null>(null);
  const [missingName, setMissingName] = useState(false);
  const state: JourneyState = saved?.state ?? 'draft';
  const writable = can('journeys', 'write');
  const readOnly = !writable || state === 'stopped';

  const setTiles = (f: (t: Tile[]) => Tile[], select?: string) => {
    setGraph((g) => {
      const next = f(g.tiles);
      const have = new Map(g.nodes.map((n) => [n.id, n]));
      const nodes = next.map((t) => have.get(t.id) ?? toNodes([t])[0]!);
      return { tiles: next, nodes: select === undefined ? nodes : nodes.map((n) => ({ ...n, selected: n.id === select })) };
    });
    setDirty(true);
  };
  const setNodes = (f: (n: TileNodeType[]) => TileNodeType[]) => setGraph((g) => ({ ...g, nodes: f(g.nodes) }));
  // The chosen tile is kept in one place, the canvas nodes' `selected`: the side panel and the
  // outline on the canvas cannot disagree (kept twice, a focus and a pane click in one render
  // once left a tile outlined as chosen beside an empty side panel).
  const selected = nodes.find((n) => n.selected)?.id ?? null;
  const choose = (id: string | null) =>
    setNodes((ns) => ns.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })));

  const stats = useQuery({
    queryKey: ['journey-stats', saved?.id],
    queryFn: () => journeysApi.stats(saved!.id),
    enabled: !!saved && state !== 'draft',
    // Live: the counts move while the designer is open.
    refetchInterval: state === 'live' || state === 'paused' ? 2000 : false,
  });

  /** The tiles as the API takes them, with where each is drawn now. */
  const body = (): JourneyInput => {
    const at = new Map(nodes.map((n) => [n.id, n.position]));
    const placed = tiles.map((t) => ({ ...t, position: roundPosition(at.get(t.id) ?? t.position) }));
    return { ...settings, name: settings.name.trim(), tiles: forApi(placed) };
  };
  const afterSave = async (j: Journey) => {
    setSaved(j);
    setDirty(false);
    setRefused(null);
    queries.setQueryData(['journey', j.id], j);
    await queries.invalidateQueries({ queryKey: ['journeys'] });
    await queries.invalidateQueries({ queryKey: ['journey-stats', j.id] });
    if (!loaded) navigate(`/journeys/${j.id}`, { replace: true });
  };
  const save = useMutation({
    mutationFn: (change?: StateChange) => {
      if (!saved) return journeysApi.create(body());
      return journeysApi.update(saved.id, { ...(dirty || !change ? body() : {}), ...(change ? { state: change } : {}) });
    },
    onSuccess: afterSave,
    onError: (e) => setRefused(problemsOfFailure(e, tiles)),
  });
  // A draft is saved with outputs not yet connected (work in progress; the API lists them as
  // problems). Going live, or changing a journey that runs, needs every output connected.
  const [notConnected, setNotConnected] = useState(false);
  const saveNow = (change?: StateChange) => {
    const nameless = !settings.name.trim();
    const running = saved?.state === 'live' || saved?.state === 'paused';
    const open = unconnected(tiles).length > 0 && (change === 'live' || running);
    setMissingName(nameless);
    setNotConnected(open);
    if (!nameless && !open) save.mutate(change);
  };

  // On the tiles where they are; those of the journey as a whole, or of a tile taken away since, above the canvas.
  const problems = useMemo(() => {
    const fromServer = refused ?? saved?.problems ?? [];
    const ids = new Set(tiles.map((t) => t.id));
    const gone = (p: Problem) => p.tileId !== null && !ids.has(p.tileId);
    // The unconnected outputs are worked out here as the tiles change; the server's word for them may be older.
    const current = fromServer.filter((p) => p.code !== 'missing_next');
    return [...current.map((p) => (gone(p) ? { ...p, tileId: null, removed: p.tileId } : p)), ...unconnected(tiles)];
  }, [refused, saved, tiles]);
  const byTile = problemsByTile(problems);
  const journeyProblems = (byTile.get('') ?? []) as (Problem & { removed?: string | null })[];
  const tileProblemCount = problems.length - journeyProblems.length;
  const removedName = (id: string) => {
    const t = saved?.tiles.find((x) => x.id === id);
    return t ? `${tileTypeWords(t.type)}${t.title ? ` “${t.title}”` : ''}` : id;
  };
  const undo = () => {
    const from = saved ?? NEW_JOURNEY;
    const tiles = fromApi(from.tiles);
    setGraph({ tiles, nodes: toNodes(tiles) });
    setSettings({
      name: from.name,
      requiredConsent: from.requiredConsent,
      goal: from.goal ?? null,
      reentry: from.reentry ?? { policy: 'once' },
      holdoutPercent: from.holdoutPercent ?? 0,
    });
    setRefused(null);
    setNotConnected(false);
    setDirty(false);
    save.reset();
  };
  const summaries = new Map(tiles.map((t) => [t.id, summaryOf(t, look)]));
  const chosen = tiles.find((t) => t.id === selected);
  const failure = save.error instanceof ApiFailure ? save.error : null;
  const shownFailure = save.isError && !(failure && ['journey_invalid', 'journey_in_use'].includes(failure.code));
  const status = stateWords(state);

  return (
    <Page
      title={saved ? saved.name : 'New journey'}
      description={
        <>
          <Badge variant="dot" color={status.color} component="span" role="status" mr={6}>
            {status.label}
          </Badge>
          {saved
            ? `${status.description} Requires ${requirement.words(saved.requiredConsent)} · last changed ${formatDateTime(saved.updatedAt)}`
            : 'Tiles that act on contacts over days and weeks, each step asking their consent first.'}
        </>
      }
      actions={
        writable ? (
          <>
            {state !== 'stopped' && (
              <Button
                onClick={() => saveNow()}
                loading={save.isPending && save.variables === undefined}
                variant={dirty ? 'filled' : 'default'}
              >
                {saved ? 'Save' : 'Save draft'}
              </Button>
            )}
            {saved && <StateActions journey={saved} dirty={dirty} pending={save.isPending} onChange={(s) => saveNow(s)} />}
            {saved && (state === 'draft' || state === 'stopped') && <DeleteJourney journey={saved} />}
          </>
        ) : null
      }
    >
      <Anchor component={Link} to="/journeys" size="sm">
        ← All journeys
      </Anchor>
      <JourneySettings
        value={settings}
        set={(patch) => {
          setSettings((s) => ({ ...s, ...patch }));
          setDirty(true);
        }}
        look={look}
        requirement={requirement}
        readOnly={readOnly}
        nameError={missingName ? 'Give the journey a name' : undefined}
      />
      {(journeyProblems.length > 0 || tileProblemCount > 0) && (
        <Alert
          color="red"
          role="alert"
          title={
            refused
              ? 'Not saved'
              : saved && state === 'draft' && saved.problems.length > 0 && !dirty
                ? 'Saved as a draft, with problems'
                : 'Problems to fix'
          }
        >
          <Stack gap={4}>
            {tileProblemCount > 0 && (
              <Text size="sm">
                {tileProblemCount} problem{tileProblemCount === 1 ? '' : 's'} on the tiles, outlined in red.{' '}
                {state === 'draft' ? 'It can go live once they are fixed.' : 'Changes are saved once they are fixed.'}
              </Text>
            )}
            {journeyProblems.length > 0 && (
              <List size="sm">
                {journeyProblems.map((p) => (
                  <List.Item key={`${p.removed ?? ''}:${p.code}:${p.message}`}>
                    {p.removed ? `${removedName(p.removed)}, which you took away: ${p.message}.` : problemWords(p.code, p.message)}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        </Alert>
      )}
      {notConnected && unconnected(tiles).length > 0 && (
        <Alert color="red" role="alert" title="Not saved">
          A journey that runs needs every tile’s outputs connected: the tiles outlined in red say which. A tile you do not need can be
          removed. A draft can be saved as it is.
        </Alert>
      )}
      {shownFailure && (
        <Alert color="red" role="alert" title="Not saved">
          {errorMessage(save.error)}
        </Alert>
      )}
      {dirty && saved && (
        <Group gap="xs">
          <Text size="sm" c="dimmed" role="status">
            Unsaved changes.
          </Text>
          <Button size="compact-xs" variant="default" onClick={undo}>
            Undo my changes
          </Button>
        </Group>
      )}
      {saved && state !== 'draft' && <JourneyStats stats={stats.data ?? null} loading={stats.isPending} />}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Canvas
            tiles={tiles}
            nodes={nodes}
            setNodes={setNodes}
            summaries={summaries}
            problems={byTile}
            counts={saved && state !== 'draft' ? (stats.data?.tiles ?? {}) : null}
            readOnly={readOnly}
            onAdd={(type: TileType, at) => {
              // Chosen once added, so its settings show in the side panel.
              const r = addTile(tiles, type, at ? null : selected, at);
              setTiles(() => r.tiles, r.id);
            }}
            onConnect={(source, handle, target) => setTiles((ts) => connect(ts, source, handle, target))}
            onDisconnect={(source, handle) => setTiles((ts) => connect(ts, source, handle, ''))}
            onRemove={(ids) => {
              setTiles((ts) => ids.reduce((u, id) => removeTile(u, id), ts));
            }}
            onSelect={choose}
            onArrange={() => {
              const at = new Map(arranged(tiles).map((t) => [t.id, t.position!]));
              setGraph((g) => ({
                tiles: g.tiles.map((t) => ({ ...t, position: at.get(t.id) ?? t.position })),
                nodes: g.nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
              }));
              setDirty(true);
            }}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <TilePanel
            tile={chosen}
            tiles={tiles}
            onChange={(t) => setTiles((ts) => ts.map((x) => (x.id === t.id ? t : x)))}
            onRemove={(id) => {
              setTiles((ts) => removeTile(ts, id));
            }}
            look={look}
            problems={chosen ? (byTile.get(chosen.id) ?? []) : []}
            counts={chosen && saved && state !== 'draft' ? (stats.data?.tiles[chosen.id] ?? null) : null}
            readOnly={readOnly}
          />
        </Grid.Col>
      </Grid>
    </Page>
  );
}

const roundPosition = (p: { x: number; y: number } | undefined) => (p ? { x: Math.round(p.x), y: Math.round(p.y) } : undefined);
