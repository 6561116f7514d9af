import { Anchor, Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { useRequirement } from '../journeys/consent';
import { type Explanation, type ExplainedRule, scoringApi } from './scoring.api';
import { notScoredWords } from './words';

const signed = (n: number) => (n > 0 ? `+${formatNumber(n)}` : formatNumber(n));

/** What a rule counted, in words: "3 interactions in the last 30 days (at least 2 needed)", the decay. */
function countedWords(r: ExplainedRule): string {
  if (r.kind === 'condition') return 'The condition holds';
  const parts: string[] = [];
  const n = r.counted ?? 0;
  parts.push(
    `${formatNumber(n)} interaction${n === 1 ? '' : 's'} ` +
      `${r.window ? `in the last ${formatNumber(r.window.withinDays)} days` : 'ever'}`,
  );
  if (r.atLeast && r.atLeast > 1) parts.push(`at least ${formatNumber(r.atLeast)} needed`);
  if (r.latestAt) parts.push(`latest ${formatDateTime(r.latestAt)}`);
  return parts.join('; ');
}

function pointsWords(r: ExplainedRule): string {
  if (r.decayDays && r.points !== r.rulePoints)
    return `${signed(r.points)} of ${signed(r.rulePoints)} (fading over ${formatNumber(r.decayDays)} days)`;
  if (r.decayDays) return `${signed(r.points)} (fades over ${formatNumber(r.decayDays)} days)`;
  return signed(r.points);
}

/** One model's explanation for a lead: score, grade, sales-ready, and each rule that gave points; or why it is not scored. */
export function ModelExplanation({ e, requiredConsent }: { e: Explanation; requiredConsent?: number | string | undefined }) {
  const requirement = useRequirement();
  const { can } = useRights();
  const titleId = `explain-${e.modelId}`;
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby={titleId} data-testid="explanation" data-model={e.modelId}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={3} size="h4" id={titleId} style={{ overflowWrap: 'anywhere' }}>
            {can('scoring') ? (
              <Anchor component={Link} to={`/scoring/${e.modelId}`} inherit>
                {e.modelName}
              </Anchor>
            ) : (
              e.modelName
            )}
          </Title>
          {e.score !== null && (
            <Group gap="xs">
              <Text size="sm">
                Score <strong data-testid="score">{formatNumber(e.score)}</strong>
              </Text>
              <Badge color={e.grade ? 'indigo' : 'gray'} variant="light" tt="none">
                {e.grade ? `Grade ${e.grade}` : 'No grade'}
              </Badge>
              {e.salesReady && (
                <Badge color="teal.9" tt="none">
                  Sales-ready
                </Badge>
              )}
            </Group>
          )}
        </Group>
        {e.score === null ? (
          <Text size="sm" data-testid="not-scored">
            {notScoredWords(e.reason, requiredConsent, (n) => requirement.words(n))}
          </Text>
        ) : e.rules.length === 0 ? (
          <Text size="sm">No rule gave points: the score is 0.</Text>
        ) : (
          <TableScroll label={`Rules that gave points under ${e.modelName}`} minWidth={320}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Rule</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Points
                  </Table.Th>
                  <Table.Th scope="col">Why</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {e.rules.map((r, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the API's list in its order, never reordered here; names may repeat
                  <Table.Tr key={`${r.name}:${i}`}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.name}</Table.Td>
                    <Table.Td ta="right">{pointsWords(r)}</Table.Td>
                    <Table.Td>{countedWords(r)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                <Table.Tr>
                  <Table.Th scope="row">Score (the sum)</Table.Th>
                  <Table.Td ta="right" fw={700}>
                    {formatNumber(e.score)}
                  </Table.Td>
                  <Table.Td />
                </Table.Tr>
              </Table.Tfoot>
            </Table>
          </TableScroll>
        )}
        {e.computedAt && (
          <Text size="xs" c="dimmed">
            Computed {formatDateTime(e.computedAt)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** Every model's explanation for a lead (computed live by the API, so it agrees with the stored score). */
export function LeadScores({ leadId }: { leadId: string }) {
  const { can } = useRights();
  const scores = useQuery({ queryKey: ['lead-scores', leadId], queryFn: () => scoringApi.explain(leadId) });
  const models = useQuery({ queryKey: ['scoring-models'], queryFn: scoringApi.models, staleTime: 30_000 });
  const required = (id: string) => models.data?.data.find((m) => m.id === id)?.requiredConsent;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="scores-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="scores-title">
          Scores
        </Title>
        <Text size="sm" c="dimmed">
          Why this lead scored what it did under each model. The person sees the same explanation in the privacy portal.
        </Text>
        {scores.isPending ? (
          <Loading label="Loading the scores" />
        ) : scores.isError ? (
          <ErrorState error={scores.error} retry={() => void scores.refetch()} title="Could not load the scores" />
        ) : scores.data.length === 0 ? (
          <Text size="sm">
            No scoring model yet.{' '}
            {can('scoring', 'write') ? (
              <Anchor component={Link} to="/scoring/new" size="sm">
                Create one
              </Anchor>
            ) : null}
          </Text>
        ) : (
          scores.data.map((e) => <ModelExplanation key={e.modelId} e={e} requiredConsent={required(e.modelId)} />)
        )}
      </Stack>
    </Paper>
  );
}
