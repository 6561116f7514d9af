import { Alert, Anchor, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useRights } from '../../api/session';
import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { READABLE_ERRORS } from '../../ui/contrast';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { useRequirement } from '../journeys/consent';
import { Distribution } from './Distribution';
import { check, type Draft, fromModel, newRule, place, problemsOf, type Problem, type RuleDraft, toBody } from './draft';
import { RecomputePanel } from './Recompute';
import { RuleCard } from './RuleCard';
import { GRADES, type Model, scoringApi } from './scoring.api';
import { useScoringVocabulary } from './vocabulary';

/** A saved model, by the id in the URL: the editor, its recompute and its distribution. */
export function ExistingModel() {
  const { id } = useParams();
  const model = useQuery({ queryKey: ['scoring-model', id], queryFn: () => scoringApi.model(id!) });
  if (model.isPending) return <Loading label="Loading the model" />;
  if (model.isError)
    return (
      <Page title="Scoring model">
        <ErrorState error={model.error} retry={() => void model.refetch()} />
        <Anchor component={Link} to="/scoring">
          Back to the models
        </Anchor>
      </Page>
    );
  return <ModelEditor key={model.data.id} model={model.data} />;
}

/** A new model (no `model`) or a saved one: name, required consent, rules, grades and the sales-ready threshold. */
export function ModelEditor({ model }: { model?: Model }) {
  const { can } = useRights();
  const writable = can('scoring', 'write');
  const readOnly = !writable;
  const vocab = useScoringVocabulary();
  const requirement = useRequirement();
  const navigate = useNavigate();
  const location = useLocation();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => fromModel(model));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saved, setSaved] = useState<string | null>((location.state as { saved?: string } | null)?.saved ?? null);
  const placed = place(draft, problems);
  const err = (path: string) => placed.fields.get(path)?.join(' ') || undefined;

  const set = (patch: Partial<Draft>) => {
    setSaved(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const setRule = (i: number, patch: Partial<RuleDraft>) => set({ rules: draft.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const moveRule = (i: number, by: -1 | 1) => {
    const rules = [...draft.rules];
    const [r] = rules.splice(i, 1);
    rules.splice(i + by, 0, r!);
    // The problems name rules by position: they no longer match once moved.
    setProblems([]);
    set({ rules });
  };
  const removeRule = (i: number) => {
    setProblems([]);
    set({ rules: draft.rules.filter((_, j) => j !== i) });
  };
  const addRule = (kind: RuleDraft['kind']) => {
    const r = newRule(kind, draft.rules.length + 1);
    set({ rules: [...draft.rules, r] });
    // The new rule's name takes the focus, so the keyboard carries on there.
    setTimeout(() => document.querySelector<HTMLInputElement>(`[data-rule="${draft.rules.length}"] input`)?.focus(), 50);
  };

  const save = useMutation({
    mutationFn: () => (model ? scoringApi.update(model.id, toBody(draft)) : scoringApi.create(toBody(draft))),
    onSuccess: async (m) => {
      setProblems([]);
      const words = 'Saved. The leads are being scored again with it.';
      queries.setQueryData(['scoring-model', m.id], m);
      await queries.invalidateQueries({ queryKey: ['scoring-models'] });
      await queries.invalidateQueries({ queryKey: ['scoring-progress', m.id] });
      if (!model) navigate(`/scoring/${m.id}`, { replace: true, state: { saved: words } });
      else setSaved(words);
    },
    onError: (e) => setProblems(problemsOf(e) ?? []),
  });
  const onSave = () => {
    setSaved(null);
    const found = check(draft);
    setProblems(found);
    if (found.length === 0) save.mutate();
    else
      setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"], [data-problems] button, [data-problems]')?.focus(), 50);
  };
  const dirty = !model || JSON.stringify(toBody(draft)) !== JSON.stringify(toBody(fromModel(model)));
  const summary = [...placed.general, ...(placed.fields.get('/rules') ?? []), ...(placed.fields.get('/grades') ?? [])];
  const count = problems.length;

  return (
    <Page
      title={model ? model.name : 'New scoring model'}
      description={
        'Rules give a lead points; its total grades it and marks it sales-ready. ' +
        'Only leads whose contacts gave the required consent are scored.'
      }
      actions={
        <>
          <Button component={Link} to="/scoring" variant="default">
            All models
          </Button>
          {model && (
            <Button component={Link} to={`/leads?model=${model.id}`} variant="default">
              Ranked leads
            </Button>
          )}
          {model && writable && (
            <ConfirmDelete
              name={model.name}
              label="Delete model"
              remove={() => scoringApi.remove(model.id)}
              itemKey={['scoring-model', model.id]}
              listKey={['scoring-models']}
              listPath="/scoring"
            >
              The model and every lead's score under it go. Journeys and segments that use its scores no longer find them.
            </ConfirmDelete>
          )}
        </>
      }
    >
      {model && <RecomputePanel model={model} />}
      <form
        noValidate
        aria-label={model ? 'Edit the model' : 'New model'}
        style={READABLE_ERRORS}
        onSubmit={(e) => {
          e.preventDefault();
          onSave();
        }}
      >
        <Stack gap="md">
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="model-settings">
            <Stack gap="sm">
              <Title order={2} size="h3" id="model-settings">
                Model
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                <TextInput
                  label="Name"
                  required
                  maxLength={200}
                  readOnly={readOnly}
                  value={draft.name}
                  error={err('/name')}
                  onChange={(e) => set({ name: e.currentTarget.value })}
                />
                <NativeSelect
                  label="Required consent"
                  description={
                    'Leads whose contacts have not given it are not scored; a score is cleared ' +
                    'when consent falls below it. Children are never scored.'
                  }
                  value={requirement.toValue(draft.requiredConsent)}
                  data={requirement.options}
                  disabled={readOnly}
                  error={err('/requiredConsent')}
                  onChange={(e) => set({ requiredConsent: requirement.fromValue(e.currentTarget.value) })}
                />
              </SimpleGrid>
            </Stack>
          </Paper>
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="model-rules">
            <Stack gap="sm">
              <Title order={2} size="h3" id="model-rules">
                Rules
              </Title>
              <Text size="sm" c="dimmed">
                A lead's score is the sum of the points of the rules it meets. Conditions use the segment builder, with the lead's fields
                added.
              </Text>
              {draft.rules.length === 0 && <Text size="sm">No rules yet: add one below. Without rules every lead scores 0.</Text>}
              {draft.rules.map((r, i) => (
                <RuleCard
                  key={r.key}
                  rule={r}
                  index={i}
                  count={draft.rules.length}
                  set={(patch) => setRule(i, patch)}
                  move={(by) => moveRule(i, by)}
                  remove={() => removeRule(i)}
                  placed={placed}
                  vocab={vocab}
                  readOnly={readOnly}
                />
              ))}
              {writable && (
                <Group gap="xs">
                  <Button variant="default" onClick={() => addRule('condition')}>
                    Add a rule on who they are
                  </Button>
                  <Button variant="default" onClick={() => addRule('behaviour')}>
                    Add a rule on what they did
                  </Button>
                </Group>
              )}
            </Stack>
          </Paper>
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="model-grades">
            <Stack gap="sm">
              <Title order={2} size="h3" id="model-grades">
                Grades and sales-ready
              </Title>
              <Text size="sm" c="dimmed">
                A lead gets the highest grade whose threshold its score reaches (none below D), and is sales-ready from the sales-ready
                score up. A lead becoming sales-ready creates a task for the lead's owner.
              </Text>
              <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm">
                {GRADES.map((g) => (
                  <TextInput
                    key={g}
                    label={`Grade ${g} from`}
                    type="number"
                    step={1}
                    readOnly={readOnly}
                    value={draft.grades[g]}
                    error={err(`/grades/${g}`)}
                    onChange={(e) => set({ grades: { ...draft.grades, [g]: e.currentTarget.value } })}
                  />
                ))}
                <TextInput
                  label="Sales-ready from"
                  type="number"
                  step={1}
                  readOnly={readOnly}
                  value={draft.salesReady}
                  error={err('/salesReady')}
                  onChange={(e) => set({ salesReady: e.currentTarget.value })}
                />
              </SimpleGrid>
            </Stack>
          </Paper>
          {summary.length > 0 && (
            <Alert color="red" title="Fix this to save" data-problems tabIndex={-1}>
              {summary.map((m) => (
                <Text key={m} size="sm">
                  {m}
                </Text>
              ))}
            </Alert>
          )}
          {save.isError && !problemsOf(save.error) && <ErrorState error={save.error} title="Could not save" />}
          {writable && (
            <Group gap="sm">
              <Button type="submit" loading={save.isPending} disabled={!!model && !dirty}>
                {model ? 'Save changes' : 'Save model'}
              </Button>
              {count > 0 && !save.isPending && (
                <Text size="sm" role="alert">
                  {count === 1 ? 'One thing to fix' : `${count} things to fix`}: see the fields marked in red.
                </Text>
              )}
              {saved && (
                <Text size="sm" role="status">
                  {saved}
                </Text>
              )}
              {model && dirty && !saved && (
                <Text size="sm" c="dimmed">
                  Unsaved changes: the scores below are those of the saved model.
                </Text>
              )}
            </Group>
          )}
        </Stack>
      </form>
      {model && <Distribution model={model} />}
    </Page>
  );
}
