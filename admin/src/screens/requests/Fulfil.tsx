import { Button, Group, Modal, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { useLevelName } from '../../api/consent';
import { errorMessage, Loading } from '../../ui/states';
import { useCaseUpdate } from './CaseDialogs';
import { fieldErrors } from './fieldErrors';
import type { DataRequest, FulfilBody } from './words';
import { Notice } from './Notice';

type Changes = FulfilBody['changes'];

/** Carrying out the case, as its type needs: the export, the erasure, the objection or the corrections. */
export function Fulfil({ r }: { r: DataRequest }) {
  const update = useCaseUpdate(r.id);
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const fulfil = useMutation({
    mutationFn: async (changes?: Changes) =>
      (await call(api.POST('/api/v1/requests/{id}/fulfil', { params: { path: { id: r.id } }, body: changes ? { changes } : {} }))).data,
    onSuccess: async (done) => {
      setConfirming(false);
      await update(done);
      await queries.invalidateQueries({ queryKey: ['erasures', r.id] });
    },
  });
  const ready = r.status === 'verified' || r.status === 'in_progress';
  const failed = fulfil.isError && !fieldErrors(fulfil.error)['/changes'] && (
    <Notice color="red" role="alert" title="Not done">
      {errorMessage(fulfil.error)}
    </Notice>
  );

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="fulfil-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="fulfil-title">
          Answer the request
        </Title>
        {r.status === 'received' || r.status === 'awaiting_verification' ? (
          <Text size="sm">
            Verify the requester’s identity first: nothing is released, changed or erased before.{' '}
            {r.status === 'awaiting_verification'
              ? 'A confirmation link was emailed to the address; the case moves on by itself when they use it.'
              : ''}
          </Text>
        ) : r.status === 'completed' ? (
          <Text size="sm">This request has been answered. The history below says what was done.</Text>
        ) : r.status === 'rejected' ? (
          <Text size="sm">This request was refused. The history below says why.</Text>
        ) : null}

        {ready && (r.type === 'access' || r.type === 'portability') && (
          <>
            <Text size="sm">
              Produce the export of everything held about this person (from the data map). The requester is emailed a download link valid
              for 7 days; the link is theirs alone and is not shown here.
            </Text>
            <Group>
              <Button onClick={() => fulfil.mutate(undefined)} loading={fulfil.isPending}>
                Produce the export
              </Button>
            </Group>
          </>
        )}

        {ready && r.type === 'objection' && <Objection busy={fulfil.isPending} go={() => fulfil.mutate(undefined)} />}

        {ready && r.type === 'erasure' && (
          <>
            <Text size="sm">
              {r.status === 'in_progress' && r.flagged
                ? 'The erasure left traces behind (see the tasks). Once every residue task is done, complete the case.'
                : 'Erase everything held about this person, following the data map: their contact, history and linked records. This ' +
                  'cannot be undone.'}
            </Text>
            <Group>
              {r.status === 'in_progress' && r.flagged ? (
                <Button onClick={() => fulfil.mutate(undefined)} loading={fulfil.isPending}>
                  Complete the case
                </Button>
              ) : (
                <Button color="red" onClick={() => setConfirming(true)}>
                  Erase this person’s data…
                </Button>
              )}
            </Group>
          </>
        )}

        {ready && r.type === 'rectification' && (
          <Rectify r={r} busy={fulfil.isPending} error={fulfil.error} go={(changes) => fulfil.mutate(changes)} />
        )}
        {r.status === 'completed' && (r.type === 'access' || r.type === 'portability') && <ExportCopy r={r} />}
        {!confirming && failed}
      </Stack>
      {confirming && (
        <EraseConfirm
          email={r.email}
          busy={fulfil.isPending}
          error={failed}
          go={() => fulfil.mutate(undefined)}
          onClose={() => {
            setConfirming(false);
            fulfil.reset();
          }}
        />
      )}
    </Paper>
  );
}

/**
 * After an access or portability case: the requester has their link (a bearer link, theirs alone);
 * staff who may read exports download the same document as a file, through their own session.
 */
function ExportCopy({ r }: { r: DataRequest }) {
  const { can } = useRights();
  const save = useMutation({
    mutationFn: async () => {
      const doc = await call(api.GET('/api/v1/contacts/{id}/export', { params: { path: { id: r.contactId! } } }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `personal-data-${r.id}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const noted = [...(r.history ?? [])].reverse().find((e) => e.status === 'completed')?.note ?? '';
  const nothing = /no data held/.test(noted);
  return (
    <Notice color="green" title="The export was produced" role="status">
      <Stack gap={6} align="flex-start">
        <Text size="sm">
          {nothing
            ? 'Nothing is held about this person; they were told so.'
            : /requester told by email/.test(noted)
              ? 'The requester was emailed a link to it, valid for 7 days.'
              : 'The requester could not be emailed (the history says why): send them their copy another way.'}
        </Text>
        {r.contactId && can('exports') && !nothing && (
          <Button variant="default" size="xs" onClick={() => save.mutate()} loading={save.isPending}>
            Download a copy (JSON)
          </Button>
        )}
        {save.isError && (
          <Text size="sm" c="red" role="alert">
            {errorMessage(save.error)}
          </Text>
        )}
      </Stack>
    </Notice>
  );
}

function Objection({ busy, go }: { busy: boolean; go: () => void }) {
  const levelName = useLevelName();
  return (
    <>
      <Text size="sm">
        Record the objection: the person’s consent goes down to “{levelName(1)}” at most, through the consent ledger. Profiling and
        marketing stop.
      </Text>
      <Group>
        <Button onClick={go} loading={busy}>
          Record the objection
        </Button>
      </Group>
    </>
  );
}

const FIELDS = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email address'],
  ['phone', 'Phone'],
  ['company', 'Company'],
  ['country', 'Country (2 letters)'],
  ['language', 'Language'],
  ['timeZone', 'Time zone (e.g. Europe/Paris)'],
] as const;
type Field = (typeof FIELDS)[number][0];

/** The corrections the person asked for, beside what is held now; only changed fields are sent. */
function Rectify({ r, busy, error, go }: { r: DataRequest; busy: boolean; error: unknown; go: (c: Changes) => void }) {
  const contact = useQuery({
    queryKey: ['contacts', r.contactId],
    enabled: !!r.contactId,
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: r.contactId! } } }))).data,
  });
  const [values, setValues] = useState<Partial<Record<Field, string>>>({});
  if (!r.contactId)
    return (
      <Text size="sm">
        No contact holds this address, so there is nothing to correct. Completing the case tells the requester that no data is held.
      </Text>
    );
  if (contact.isPending) return <Loading label="Loading the contact" />;
  if (contact.isError) return <Text size="sm">{errorMessage(contact.error)}</Text>;
  const current = contact.data as Partial<Record<Field, string | null>>;
  const changes: Record<string, string | null> = {};
  for (const [f] of FIELDS) {
    const v = values[f];
    if (v !== undefined && v.trim() !== (current[f] ?? '')) changes[f] = v.trim() === '' ? null : v.trim();
  }
  const errors = fieldErrors(error);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        go(changes as Changes);
      }}
    >
      <Stack gap="sm">
        <Text size="sm">
          Enter the corrections the person asked for. Each field shows what is held now; only the fields you change are corrected.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {FIELDS.map(([f, label]) => (
            <TextInput
              key={f}
              label={label}
              description={`Now: ${current[f] || 'empty'}`}
              value={values[f] ?? current[f] ?? ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setValues((x) => ({ ...x, [f]: v }));
              }}
              error={errors[`/changes/${f}`]}
            />
          ))}
        </SimpleGrid>
        {errors['/changes'] && (
          <Text size="sm" c="red" role="alert">
            {errors['/changes']}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={busy} disabled={Object.keys(changes).length === 0}>
            Apply {Object.keys(changes).length || ''} correction{Object.keys(changes).length === 1 ? '' : 's'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Erasure asks for the word typed out: it cannot be undone. */
function EraseConfirm({
  email,
  busy,
  error,
  go,
  onClose,
}: {
  email: string | null;
  busy: boolean;
  error: React.ReactNode;
  go: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const ok = typed.trim().toUpperCase() === 'ERASE';
  return (
    <Modal opened onClose={onClose} title="Erase this person’s data" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) go();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            Everything held about {email ?? 'this person'} is deleted or anonymised, following the data map, and the address is suppressed
            so it cannot come back. A receipt records what went. This cannot be undone.
          </Text>
          <TextInput
            label="Type ERASE to confirm"
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          {error}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={!ok} loading={busy}>
              Erase
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
