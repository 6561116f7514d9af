import { Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { emailApi, type Send, useMessageName } from '../../ui/email/api';
import { reasonWords, SEND_STATUS } from '../../ui/email/words';
import { formatDateTime } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';

/** A campaign's send is named by its campaign's message (the campaign carries the name); another by its message. */
function useSendMessageName(s: Send): string {
  const campaign = useQuery({
    queryKey: ['campaign', s.campaignId],
    queryFn: () => emailApi.campaign(s.campaignId!),
    enabled: s.campaignId !== null,
    staleTime: 60_000,
  });
  const fromMessage = useMessageName(s.campaignId === null ? s.messageId : null);
  if (s.campaignId === null) return fromMessage;
  return campaign.data?.messageName ?? (campaign.isError ? 'a message' : '…');
}

function SendRow({ s }: { s: Send }) {
  const name = useSendMessageName(s);
  const status = SEND_STATUS[s.status] ?? { label: s.status, color: 'gray' };
  return (
    <Table.Tr>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{name}</Table.Td>
      <Table.Td>
        <Badge variant="dot" color={status.color}>
          {status.label}
        </Badge>
      </Table.Td>
      <Table.Td>{s.status === 'sent' ? '—' : reasonWords(s.reason)}</Table.Td>
      <Table.Td>{formatDateTime(s.sentAt ?? s.updatedAt)}</Table.Td>
    </Table.Tr>
  );
}

/** The email sent to (or held back from) this contact, newest first, with why a mail did not go. */
export function ContactSends({ contactId }: { contactId: string }) {
  const sends = useQuery({ queryKey: ['sends', 'contact', contactId], queryFn: () => emailApi.sends({ contact: contactId, limit: 20 }) });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="sends-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="sends-title">
          Sends
        </Title>
        {sends.isPending ? (
          <Loading label="Loading sends" />
        ) : sends.isError ? (
          <ErrorState error={sends.error} retry={() => sends.refetch()} title="Could not load the sends" />
        ) : sends.data.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No email has been sent to this contact.
          </Text>
        ) : (
          <TableScroll label="Sends to this contact" minWidth={560}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Message</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Why not sent</Table.Th>
                  <Table.Th scope="col">When</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sends.data.data.map((s) => (
                  <SendRow key={s.id} s={s} />
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Stack>
    </Paper>
  );
}
