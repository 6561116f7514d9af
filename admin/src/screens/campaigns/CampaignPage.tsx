import { Alert, Anchor, Badge, Button, Group, Modal, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useRights } from '../../api/session';
import { type Campaign, emailApi, useListsAndSegments, useMessageName } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { CAMPAIGN_STATUS, reasonWords } from '../../ui/email/words';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { isLive, progressOf } from './progress';

/** One campaign: live progress while it sends, pause/resume/cancel, and its anonymous counts. */
export function CampaignPage() {
  const { id } = useParams();
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => emailApi.campaign(id!),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? 1500 : false),
  });
  if (campaign.isPending) return <Loading label="Loading the campaign" />;
  if (campaign.isError)
    return (
      <Page title="Campaign">
        <ErrorState error={campaign.error} retry={() => campaign.refetch()} title="Could not load this campaign" />
        <Anchor component={Link} to="/campaigns">
          Back to the campaigns
        </Anchor>
      </Page>
    );
  return <Loaded c={campaign.data} />;
}

type Action = 'pause' | 'resume' | 'cancel';
const ACTIONS: Record<Action, { label: string; question: string; explain: string; color?: string }> = {
  pause: {
    label: 'Pause',
    question: 'Pause this campaign?',
    explain: 'No further mail goes out until you resume it. Mail already sent stays sent.',
  },
  resume: {
    label: 'Resume',
    question: 'Resume this campaign?',
    explain: 'Sending continues with the recipients not yet dealt with; each one’s consent is checked again.',
  },
  cancel: {
    label: 'Cancel the campaign',
    question: 'Cancel this campaign for good?',
    explain: 'Nobody not yet sent to gets this mail. A cancelled campaign cannot be resumed; mail already sent stays sent.',
    color: 'red',
  },
};

function Loaded({ c }: { c: Campaign }) {
  const queries = useQueryClient();
  const { can } = useRights();
  const { segments } = useListsAndSegments();
  const messageName = useMessageName(c.messageId, c.messageName);
  const [asking, setAsking] = useState<Action | null>(null);
  const act = useMutation({
    mutationFn: (a: Action) => emailApi.campaignAction(c.id, a),
    onSuccess: async (next) => {
      setAsking(null);
      if (next && typeof next === 'object' && 'status' in next) queries.setQueryData(['campaign', c.id], next);
      await queries.invalidateQueries({ queryKey: ['campaign', c.id] });
      await queries.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
  const p = progressOf(c);
  const ended = c.endedAt ? ` · ended ${formatDateTime(c.endedAt)}` : '';
  const status = CAMPAIGN_STATUS[c.status] ?? { label: c.status, color: 'gray' };
  const segmentName = c.segmentName ?? segments.data?.find((s) => s.id === c.segmentId)?.name ?? 'a deleted segment';
  const possible: Action[] =
    c.status === 'sending' || c.status === 'preparing' ? ['pause', 'cancel'] : c.status === 'paused' ? ['resume', 'cancel'] : [];
  const refused = Object.entries(c.counts.refused ?? {}).filter(([, n]) => n > 0);
  const stat = (label: string, n: number, hint?: string) => (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-stat={label}>
        {formatNumber(n)}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
  return (
    <Page
      title={messageName}
      description={`To ${segmentName} · started ${formatDateTime(c.startedAt ?? c.createdAt)}${ended}`}
      actions={
        can(EMAIL_AREA, 'write')
          ? possible.map((a) => (
              <Button key={a} variant={a === 'cancel' ? 'outline' : 'default'} color={ACTIONS[a].color} onClick={() => setAsking(a)}>
                {ACTIONS[a].label}
              </Button>
            ))
          : null
      }
    >
      <Anchor component={Link} to="/campaigns" size="sm">
        ← All campaigns
      </Anchor>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="progress-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="progress-title">
            Progress
          </Title>
          <Badge variant="dot" color={status.color} size="lg" role="status">
            {status.label}
          </Badge>
        </Group>
        <Progress value={p.percent} size="lg" aria-label={`Progress: ${p.percent}%`} animated={isLive(c.status)} />
        <Text size="sm" mt="xs" aria-live="polite">
          {formatNumber(p.done)} of {formatNumber(c.recipients)} recipients dealt with ({p.percent}%)
          {c.counts.queued + c.counts.deferred > 0 ? ` · ${formatNumber(c.counts.queued + c.counts.deferred)} waiting` : ''}
        </Text>
      </Paper>
      <section aria-labelledby="stats-title">
        <Title order={2} size="h4" id="stats-title" mb="xs">
          Results
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 5 }} spacing="sm">
          {stat('Sent', c.counts.sent)}
          {stat('Not sent', p.refused, 'consent or address')}
          {stat('Failed', c.counts.failed)}
          {stat('Delivered', c.counts.delivered)}
          {stat('Bounced', c.counts.bounced)}
          {stat('Opened', c.counts.opened, 'only people who allow tracking')}
          {stat('Clicked', c.counts.clicked, 'only people who allow tracking')}
          {stat('Unsubscribed', c.counts.unsubscribed)}
          {stat('Complaints', c.counts.complained)}
          {stat('Cancelled', c.counts.cancelled)}
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          Counts without names: they stay when a recipient is erased.
        </Text>
      </section>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="refused-title">
        <Title order={2} size="h4" id="refused-title" mb="xs">
          Why some were not sent
        </Title>
        {refused.length === 0 ? (
          <Text size="sm">Nobody has been left out.</Text>
        ) : (
          <TableScroll label="Reasons for not sending" minWidth={240}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Contacts
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {refused.map(([reason, n]) => (
                  <Table.Tr key={reason}>
                    <Table.Td>{reasonWords(reason)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(n)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Paper>
      <Modal
        opened={asking !== null}
        onClose={() => setAsking(null)}
        title={asking ? ACTIONS[asking].question : ''}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {asking && (
          <Stack gap="sm">
            <Text size="sm">{ACTIONS[asking].explain}</Text>
            {act.isError && (
              <Alert color="red" role="alert" title="Not done">
                {errorMessage(act.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>
                Keep it as it is
              </Button>
              <Button color={ACTIONS[asking].color} loading={act.isPending} onClick={() => act.mutate(asking)}>
                {ACTIONS[asking].label}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Page>
  );
}
