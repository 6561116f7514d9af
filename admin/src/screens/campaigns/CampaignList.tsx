import { Anchor, Badge, Button, Progress, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { type Campaign, emailApi, useListsAndSegments, useMessageName } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { CAMPAIGN_STATUS } from '../../ui/email/words';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { isLive, progressOf } from './progress';

function MessageCell({ c }: { c: Campaign }) {
  const name = useMessageName(c.messageId, c.messageName);
  return (
    <Anchor component={Link} to={c.id} size="sm" style={{ overflowWrap: 'anywhere' }}>
      {name}
    </Anchor>
  );
}

/** Every campaign, newest first: message, segment, status and how far it has got. */
export function CampaignList() {
  const { can } = useRights();
  const { segments } = useListsAndSegments();
  const paging = useCursor();
  const page = useQuery({
    queryKey: ['campaigns', paging.cursor],
    queryFn: () => emailApi.campaigns({ limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
    placeholderData: keepPreviousData,
    // While one is sending, the list's progress moves too.
    refetchInterval: (q) => (q.state.data?.data.some((c) => isLive(c.status)) ? 3000 : false),
  });
  const newButton = can(EMAIL_AREA, 'write') ? (
    <Button component={Link} to="new">
      New campaign
    </Button>
  ) : null;
  const segmentName = (c: Campaign) => c.segmentName ?? segments.data?.find((s) => s.id === c.segmentId)?.name ?? 'a deleted segment';
  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading campaigns" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && paging.page === 1)
    content = (
      <EmptyState title="No campaigns yet" action={newButton}>
        A campaign sends one message to everyone in a segment. Before it starts you see how many the consent gate will leave out, and why;
        while it runs you can pause or cancel it.
      </EmptyState>
    );
  else
    content = (
      <>
        <TableScroll label="Campaigns" minWidth={760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Message</Table.Th>
                <Table.Th scope="col">Segment</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Progress</Table.Th>
                <Table.Th scope="col">Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.data.data.map((c) => {
                const p = progressOf(c);
                const status = CAMPAIGN_STATUS[c.status] ?? { label: c.status, color: 'gray' };
                return (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <MessageCell c={c} />
                    </Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{segmentName(c)}</Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={status.color}>
                        {status.label}
                      </Badge>
                    </Table.Td>
                    <Table.Td miw={180}>
                      <Progress value={p.percent} size="sm" aria-label={`Progress of this campaign: ${p.percent}%`} />
                      <Text size="xs" c="dimmed">
                        {formatNumber(p.done)} of {formatNumber(c.recipients)} · {formatNumber(c.counts.sent)} sent
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(c.startedAt ?? c.createdAt)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="campaigns" />
      </>
    );
  return (
    <Page
      title="Campaigns"
      description="A message sent to a segment. Each recipient’s consent is asked again when their turn comes."
      actions={newButton}
    >
      {content}
    </Page>
  );
}
