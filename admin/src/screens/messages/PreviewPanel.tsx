import { Alert, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../api/client';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { emailApi, type Message } from '../../ui/email/api';
import { purposeWords, reasonWords } from '../../ui/email/words';
import { ErrorState, errorMessage, Loading } from '../../ui/states';

type Found = { id: string; email: string; firstName: string | null; lastName: string | null };
const nameOf = (c: Found) => [c.firstName, c.lastName].filter((p) => p?.trim()).join(' ') || c.email;

/**
 * The saved message as one chosen contact would get it (subject, HTML in a sandboxed frame, text),
 * what the consent gate answers for that person, and a test send to a staff address.
 * The search text stays in this component: never in the URL.
 */
export function PreviewPanel({ message }: { message: Message }) {
  const [contact, setContact] = useState<Found | null>(null);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="preview-title">
      <Stack gap="md">
        <Title order={2} size="h3" id="preview-title">
          Preview and test
        </Title>
        <ContactSearch chosen={contact} onChoose={setContact} />
        {contact && <ContactPreview message={message} contact={contact} />}
        <TestSend message={message} contact={contact} />
      </Stack>
    </Paper>
  );
}

function ContactSearch({ chosen, onChoose }: { chosen: Found | null; onChoose: (c: Found | null) => void }) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const found = useQuery({
    queryKey: ['contacts', 'search', debounced],
    queryFn: async () => (await call(api.GET('/api/v1/contacts', { params: { query: { q: debounced, limit: 8 } } }))).data as Found[],
    enabled: debounced.length > 0,
  });
  return (
    <Stack gap="xs">
      <TextInput
        label="Preview as a contact"
        description="Search by name or email address"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        autoComplete="off"
        maw={480}
      />
      {debounced.length > 0 &&
        (found.isPending ? (
          <Loading label="Searching contacts" />
        ) : found.isError ? (
          <ErrorState error={found.error} retry={() => found.refetch()} title="Could not search" />
        ) : found.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No contact matches.
          </Text>
        ) : (
          <Group gap="xs" role="group" aria-label="Matching contacts">
            {found.data.map((c) => (
              <Button
                key={c.id}
                size="xs"
                variant={chosen?.id === c.id ? 'filled' : 'default'}
                aria-pressed={chosen?.id === c.id}
                onClick={() => onChoose(c)}
              >
                {nameOf(c)}
                {nameOf(c) !== c.email ? ` · ${c.email}` : ''}
              </Button>
            ))}
          </Group>
        ))}
      {chosen && (
        <Group gap="xs">
          <Text size="sm">
            Previewing as <strong>{nameOf(chosen)}</strong>
          </Text>
          <UnstyledButton onClick={() => onChoose(null)} style={{ textDecoration: 'underline', fontSize: 'var(--mantine-font-size-sm)' }}>
            Clear
          </UnstyledButton>
        </Group>
      )}
    </Stack>
  );
}

function ContactPreview({ message, contact }: { message: Message; contact: Found }) {
  const levelName = useLevelName();
  const levels = useConsentLevels();
  const preview = useQuery({
    queryKey: ['message-preview', message.id, message.updatedAt, contact.id],
    queryFn: () => emailApi.preview(message.id, contact.id),
    retry: false,
  });
  if (preview.isPending) return <Loading label="Rendering the preview" />;
  if (preview.isError) return <ErrorState error={preview.error} retry={() => preview.refetch()} title="Could not preview" />;
  const p = preview.data;
  const needed = levels.data?.purposes[message.purpose];
  return (
    <Stack gap="sm">
      <Alert
        color={p.gate.allowed ? 'teal' : 'orange'}
        role="status"
        title={p.gate.allowed ? `${nameOf(contact)} would get this message` : `${nameOf(contact)} would not get this message`}
        styles={{ title: { color: 'var(--mantine-color-text)' } }}
      >
        <Text size="sm">
          {purposeWords(message.purpose)} needs {needed !== undefined ? levelName(needed) : 'its level'}; this person’s consent is{' '}
          {levelName(p.gate.effectiveLevel)}.{' '}
          {p.gate.allowed
            ? p.gate.reason === 'data_protection_off'
              ? 'Allowed because data protection is off.'
              : ''
            : `Refused: ${reasonWords(p.gate.reason)}.`}{' '}
          {p.tracking
            ? 'Opens and clicks would be recorded (the person allows profiling).'
            : 'No open or click tracking for this person (no profiling consent).'}
        </Text>
      </Alert>
      <div>
        <Text size="xs" c="dimmed" fw={600}>
          Subject
        </Text>
        <Text style={{ overflowWrap: 'anywhere' }}>{p.subject}</Text>
      </div>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <iframe
          title={`The message as ${nameOf(contact)} would get it`}
          sandbox=""
          srcDoc={p.html}
          style={{ width: '100%', height: 560, border: '1px solid var(--mantine-color-default-border)', background: '#fff' }}
        />
        <div>
          <Text size="xs" c="dimmed" fw={600}>
            Plain-text version
          </Text>
          <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 540, overflowY: 'auto' }}>
            {p.text}
          </Code>
        </div>
      </SimpleGrid>
    </Stack>
  );
}

function TestSend({ message, contact }: { message: Message; contact: Found | null }) {
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = useMutation({ mutationFn: () => emailApi.test(message.id, to.trim(), contact?.id) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+$/.test(to.trim())) {
      setError('Give an email address, such as you@example.com');
      return;
    }
    setError(null);
    send.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Send a test">
      <Stack gap="xs">
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Send a test to"
            description={
              contact
                ? `Filled in as ${nameOf(contact)}; the subject starts with [Test]`
                : 'Filled in with a sample contact; the subject starts with [Test]'
            }
            type="email"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={error}
            style={{ flex: '1 1 280px' }}
            maw={480}
          />
          <Button type="submit" variant="default" loading={send.isPending}>
            Send a test
          </Button>
        </Group>
        {send.isSuccess && (
          <Badge color="teal" variant="dot" role="status" size="lg" style={{ textTransform: 'none' }}>
            Test sent to {to.trim()}
          </Badge>
        )}
        {send.isError && (
          <Alert color="red" role="alert" title="The test was not sent">
            {errorMessage(send.error)}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
