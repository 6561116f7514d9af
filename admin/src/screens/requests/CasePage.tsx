import { Anchor, Badge, Button, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useRights, useSession } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { ExtendDialog, RefuseDialog, VerifyDialog } from './CaseDialogs';
import { ErasureReceipts } from './ErasureReceipts';
import { Fulfil } from './Fulfil';
import { Deadline } from './Queue';
import { Tasks } from './Tasks';
import { actorLabel, type DataRequest, STATUS_COLOR, statusLabel, typeLabel } from './words';

const OPEN = (s: string) => s !== 'completed' && s !== 'rejected';

/** One case: its facts, what can be done next, its tasks and its history. */
export function CasePage() {
  const { id = '' } = useParams();
  const kase = useQuery({
    queryKey: ['requests', 'case', id],
    queryFn: async () => (await call(api.GET('/api/v1/requests/{id}', { params: { path: { id } } }))).data,
  });
  return (
    <>
      <Anchor component={Link} to=".." relative="path" size="sm">
        ← All data requests
      </Anchor>
      {kase.isPending ? (
        <Loading label="Loading the request" />
      ) : kase.isError ? (
        <Page title="Data request">
          <ErrorState error={kase.error} retry={() => kase.refetch()} title="Could not load this request" />
        </Page>
      ) : (
        <Case r={kase.data} />
      )}
    </>
  );
}

type Dialog = 'verify' | 'extend' | 'refuse' | null;

function Case({ r }: { r: DataRequest }) {
  const { can } = useRights();
  const me = useSession().data?.principal.id;
  const [dialog, setDialog] = useState<Dialog>(null);
  const write = can('requests', 'write');
  const open = OPEN(r.status);
  const mayVerify = write && (r.status === 'received' || r.status === 'awaiting_verification');
  const actions = write && open && (
    <>
      {mayVerify && <Button onClick={() => setDialog('verify')}>Verify identity</Button>}
      {!r.extendedAt && (
        <Button variant="default" onClick={() => setDialog('extend')}>
          Extend the deadline
        </Button>
      )}
      <Button variant="default" color="red" onClick={() => setDialog('refuse')}>
        Refuse the request
      </Button>
    </>
  );
  const via = r.channel === 'public' ? ' through the website’s request form' : '';
  return (
    <Page
      title={`${typeLabel(r.type).split(' (')[0]} request`}
      description={`${typeLabel(r.type)}, received ${formatDateTime(r.receivedAt)}${via}.`}
      actions={actions || undefined}
    >
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md" verticalSpacing="sm">
          <Fact label="Status">
            <Badge color={STATUS_COLOR[r.status] ?? 'gray'} variant="dot">
              {statusLabel(r.status)}
            </Badge>
          </Fact>
          <Fact label="Requester">
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {r.email ?? 'Erased: only a keyed fingerprint of the address is kept'}
            </Text>
            {r.contactId && can('contacts') && (
              <Anchor component={Link} to={`/contacts/${r.contactId}`} size="sm">
                Open their contact
              </Anchor>
            )}
            {!r.contactId && r.email && (
              <Text size="xs" c="dimmed">
                No contact holds this address
              </Text>
            )}
          </Fact>
          <Fact label="Deadline">
            <Deadline deadline={r.deadline} daysLeft={r.daysLeft} overdue={r.overdue} />
            {r.extendedAt && (
              <Text size="xs" c="dimmed">
                Extended {formatDateTime(r.extendedAt)}: {r.extensionReason}
              </Text>
            )}
          </Fact>
          <Fact label="Identity">
            <Text size="sm">{r.verifiedAt ? `Verified ${formatDateTime(r.verifiedAt)}` : 'Not verified yet'}</Text>
          </Fact>
          {!open && (
            <Fact label="Closed">
              <Text size="sm">{r.completedAt ? `Completed ${formatDateTime(r.completedAt)}` : statusLabel(r.status)}</Text>
            </Fact>
          )}
          {r.flagged && (
            <Fact label="Needs attention">
              <Text size="sm" c="red">
                {r.flagDetail ?? 'The erasure left traces behind'}
              </Text>
            </Fact>
          )}
        </SimpleGrid>
      </Paper>

      {write && <Fulfil r={r} />}
      {r.type === 'erasure' && can('erasure') && <ErasureReceipts requestId={r.id} />}
      {can('tasks') && <Tasks requestId={r.id} />}

      <Stack gap="xs" component="section" aria-labelledby="history-title">
        <Title order={2} size="h4" id="history-title">
          History
        </Title>
        <Timeline active={(r.history?.length ?? 1) - 1} bulletSize={14} lineWidth={2}>
          {(r.history ?? []).map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only, so an event's place never changes
            <Timeline.Item key={i} title={i > 0 && r.history?.[i - 1]?.status === e.status ? 'Note' : statusLabel(e.status)}>
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)} · {actorLabel(e.actorType, e.actorId, me)}
              </Text>
              {e.note && (
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {e.note}
                </Text>
              )}
            </Timeline.Item>
          ))}
        </Timeline>
      </Stack>

      {dialog === 'verify' && <VerifyDialog r={r} onClose={() => setDialog(null)} />}
      {dialog === 'extend' && <ExtendDialog r={r} onClose={() => setDialog(null)} />}
      {dialog === 'refuse' && <RefuseDialog r={r} onClose={() => setDialog(null)} />}
    </Page>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      {children}
    </Stack>
  );
}
