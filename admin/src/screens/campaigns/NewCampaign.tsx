import { Alert, Anchor, Button, Group, List, Modal, NativeSelect, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { emailApi, useListsAndSegments } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { purposeWords, reasonWords } from '../../ui/email/words';
import { formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';

/** Choose a message and a segment, see who the gate would leave out and why, then start. */
export function NewCampaign() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const { can } = useRights();
  const levels = useConsentLevels();
  const levelName = useLevelName();
  const { segments } = useListsAndSegments();
  const messages = useQuery({ queryKey: ['messages', 'all'], queryFn: () => emailApi.messages({ limit: 100 }) });
  const [messageId, setMessageId] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const audience = useQuery({
    queryKey: ['audience', messageId, segmentId],
    queryFn: () => emailApi.audience(messageId, segmentId),
    enabled: messageId !== '' && segmentId !== '',
    retry: false,
  });
  const start = useMutation({
    mutationFn: () => emailApi.startCampaign(messageId, segmentId),
    onSuccess: async (c) => {
      await queries.invalidateQueries({ queryKey: ['campaigns'] });
      navigate(`/campaigns/${c.id}`);
    },
  });
  if (messages.isPending || segments.isPending) return <Loading label="Loading messages and segments" />;
  if (messages.isError || segments.isError)
    return (
      <Page title="New campaign">
        <ErrorState
          error={messages.error ?? segments.error}
          retry={() => {
            void messages.refetch();
            void segments.refetch();
          }}
        />
      </Page>
    );
  const message = messages.data.data.find((m) => m.id === messageId);
  const segment = segments.data.find((s) => s.id === segmentId);
  const back = (
    <Anchor component={Link} to="/campaigns" size="sm">
      ← All campaigns
    </Anchor>
  );
  if (messages.data.data.length === 0 || segments.data.length === 0)
    return (
      <Page title="New campaign">
        {back}
        <EmptyState
          title={messages.data.data.length === 0 ? 'Write a message first' : 'Make a segment first'}
          action={
            messages.data.data.length === 0 ? (
              <Button component={Link} to="/messages/new">
                New message
              </Button>
            ) : (
              <Button component={Link} to="/segments/new">
                New segment
              </Button>
            )
          }
        >
          A campaign sends one message to the contacts of one segment.
        </EmptyState>
      </Page>
    );
  const refused = Object.entries(audience.data?.refused ?? {}).filter(([, n]) => n > 0);
  return (
    <Page
      title="New campaign"
      description="One message to everyone in a segment, each recipient’s consent checked when their mail is sent."
    >
      {back}
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <NativeSelect
            label="Message"
            value={messageId}
            data={[{ value: '', label: 'Choose a message' }, ...messages.data.data.map((m) => ({ value: m.id, label: m.name }))]}
            onChange={(e) => setMessageId(e.currentTarget.value)}
          />
          <NativeSelect
            label="Segment"
            value={segmentId}
            data={[{ value: '', label: 'Choose a segment' }, ...segments.data.map((s) => ({ value: s.id, label: s.name }))]}
            onChange={(e) => setSegmentId(e.currentTarget.value)}
          />
        </SimpleGrid>
        {message && (
          <Text size="sm" c="dimmed" mt="xs">
            Purpose: {purposeWords(message.purpose)}, which needs{' '}
            {levels.data?.purposes[message.purpose] !== undefined ? levelName(levels.data.purposes[message.purpose]) : 'its level'}.
            Subject: {message.subject}
          </Text>
        )}
      </Paper>
      {messageId && segmentId && (
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="audience-title">
          <Title order={2} size="h4" id="audience-title" mb="xs">
            Who would get it
          </Title>
          {audience.isPending ? (
            <Loading label="Checking the audience" />
          ) : audience.isError ? (
            <ErrorState error={audience.error} retry={() => audience.refetch()} title="Could not check the audience" />
          ) : (
            <Stack gap="xs">
              <Text>
                <strong>{formatNumber(audience.data.allowed)}</strong> of the {formatNumber(audience.data.recipients)} contacts now in{' '}
                {segment?.name ?? 'the segment'} would get this message.
              </Text>
              {refused.length > 0 ? (
                <>
                  <Text size="sm">{formatNumber(audience.data.recipients - audience.data.allowed)} would not:</Text>
                  <List size="sm">
                    {refused.map(([reason, n]) => (
                      <List.Item key={reason}>
                        {formatNumber(n)}: {reasonWords(reason)}
                      </List.Item>
                    ))}
                  </List>
                </>
              ) : (
                <Text size="sm">Nobody in it would be left out today.</Text>
              )}
              <Text size="xs" c="dimmed">
                The recipients are fixed when the campaign starts; anyone whose consent falls before their mail goes out is left out then.
              </Text>
              {can(EMAIL_AREA, 'write') && (
                <Group>
                  <Button onClick={() => setConfirming(true)} disabled={audience.data.allowed === 0}>
                    Start the campaign
                  </Button>
                </Group>
              )}
            </Stack>
          )}
        </Paper>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Start sending?" closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack gap="sm">
          <Text size="sm">
            “{message?.name}” goes to about {formatNumber(audience.data?.allowed)} contacts in {segment?.name}. You can pause or cancel it
            while it runs, but mail already sent cannot be called back.
          </Text>
          {start.isError && (
            <Alert color="red" role="alert" title="Not started">
              {errorMessage(start.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Not now
            </Button>
            <Button loading={start.isPending} onClick={() => start.mutate()}>
              Start sending
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}
