import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../api/client';
import { formatDate, formatDateTime } from '../../ui/format';
import { ROLES, type Role, roleName } from '../../ui/roles';
import { TableScroll } from '../../ui/TableScroll';
import { ShowMore } from '../../ui/ShowMore';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';

const KEYS = ['keys'] as const;
/** An alert's title in the text colour: yellow on its light background falls short of contrast. */
const READABLE = { title: { color: 'var(--mantine-color-text)' } };
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r.value, label: `${r.label} — ${r.description}` }));

type Key = Awaited<ReturnType<typeof fetchKeys>>['data'][number];

async function fetchKeys(cursor: string | undefined) {
  return call(api.GET('/api/v1/keys', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
}

/** Name and role, then the secret, shown once, with a copy button; closing forgets it. */
function CreateKey({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tried, setTried] = useState(false);
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/v1/keys', { body: { name: name.trim(), role } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: KEYS }),
  });
  const close = () => {
    create.reset();
    setName('');
    setTried(false);
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (name.trim()) create.mutate();
  };
  const made = create.data?.data;
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={close}
      title={made ? `Key “${made.key.name}” created` : 'Create an API key'}
      size="lg"
      // The secret is on screen: a stray click outside must not close it before it is copied.
      closeOnClickOutside={!made}
    >
      {made ? (
        <Stack gap="sm">
          <Alert color="yellow" role="status" title="Copy the secret now: you will not see it again" styles={READABLE}>
            Assent keeps only a hash of it. Store it where the script or integration reads its settings; if it is lost, revoke the key and
            create another.
          </Alert>
          <Text size="sm" id="secret-label">
            Secret of “{made.key.name}” ({roleName(made.key.role)})
          </Text>
          <Code block aria-labelledby="secret-label" data-testid="key-secret" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
            {made.secret}
          </Code>
          <Text size="sm" c="dimmed">
            Send it as <Code>Authorization: Bearer …</Code> with each API call.
          </Text>
          <Group justify="flex-end">
            <CopyButton value={made.secret}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy} color={copied ? 'green' : undefined}>
                  {copied ? 'Copied' : 'Copy secret'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={close}>I have stored it</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {create.isError && (
              <Alert color="red" role="alert">
                {errorMessage(create.error)}
              </Alert>
            )}
            <TextInput
              label="Name"
              description="What uses it, e.g. “CRM sync”: the audit log names the key by it."
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={tried && !name.trim() ? 'Give the key a name.' : undefined}
            />
            <Select
              label="Role"
              description="The key may do what a user of this role may do. Give it the least it needs."
              data={ROLE_OPTIONS}
              value={role}
              onChange={(v) => v && setRole(v as Role)}
              allowDeselect={false}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function Revoke({ apiKey, onClose }: { apiKey: Key; onClose: () => void }) {
  const queries = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => call(api.DELETE('/api/v1/keys/{id}', { params: { path: { id: apiKey.id } } })),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: KEYS });
      onClose();
    },
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`Revoke “${apiKey.name}”?`}>
      <Stack gap="sm">
        <Text size="sm">
          Every script or integration using this key is refused from now on. A revoked key cannot be used again; it stays listed for the
          audit log.
        </Text>
        {revoke.isError && (
          <Alert color="red" role="alert">
            {errorMessage(revoke.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red.9" onClick={() => revoke.mutate()} loading={revoke.isPending}>
            Revoke key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** API keys: which exist, with which role, whether revoked; create one (secret shown once), revoke. */
export function Keys({ write }: { write: boolean }) {
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const list = useInfiniteQuery({
    queryKey: KEYS,
    queryFn: ({ pageParam }) => fetchKeys(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.next ?? undefined,
  });
  const keys = list.data?.pages.flatMap((p) => p.data) ?? [];
  const first = list.data?.pages[0]?.page;
  const create = write && (
    <Button onClick={() => setCreating(true)} size="sm">
      Create API key
    </Button>
  );
  return (
    <Stack component="section" aria-labelledby="keys-title" gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3" id="keys-title">
          API keys
        </Title>
        {keys.length > 0 && create}
      </Group>
      {list.isPending ? (
        <Loading label="Loading API keys" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : keys.length === 0 ? (
        <EmptyState title="No API keys yet" action={create}>
          A key lets a script or another system (a CRM, a sign-up form) call the API with the role you give it.
        </EmptyState>
      ) : (
        <>
          <TableScroll label="API keys" minWidth={720}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Starts with</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  {write && <Table.Th scope="col">Actions</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{k.name}</Table.Td>
                    <Table.Td>{roleName(k.role)}</Table.Td>
                    <Table.Td>
                      <Code>assent_{k.prefix}_…</Code>
                    </Table.Td>
                    <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                    <Table.Td>
                      {k.revokedAt ? (
                        <Badge color="gray.7" variant="filled">
                          Revoked {formatDate(k.revokedAt)}
                        </Badge>
                      ) : (
                        <Badge color="teal.9" variant="filled">
                          Active
                        </Badge>
                      )}
                    </Table.Td>
                    {write && (
                      <Table.Td>
                        {!k.revokedAt && (
                          <Button
                            size="compact-sm"
                            variant="default"
                            color="red"
                            onClick={() => setRevoking(k)}
                            aria-label={`Revoke ${k.name}`}
                          >
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <ShowMore
            noun="keys"
            shown={keys.length}
            total={first?.total}
            estimate={first?.totalIsEstimate}
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onMore={() => void list.fetchNextPage()}
          />
        </>
      )}
      {write && <CreateKey opened={creating} onClose={() => setCreating(false)} />}
      {revoking && <Revoke apiKey={revoking} onClose={() => setRevoking(null)} />}
    </Stack>
  );
}
