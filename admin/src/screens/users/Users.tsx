import { Alert, Badge, Button, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { ROLES, type Role, roleName } from '../../ui/roles';
import { TableScroll } from '../../ui/TableScroll';
import { ShowMore } from '../../ui/ShowMore';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';
import { MIN_PASSWORD } from '../account';

const USERS = ['users'] as const;
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r.value, label: `${r.label} — ${r.description}` }));

type User = Awaited<ReturnType<typeof fetchUsers>>['data'][number];

async function fetchUsers(cursor: string | undefined) {
  return call(api.GET('/api/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
}

/** A password to hand over: five groups of random letters and digits (about 120 bits). */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479';
  const bytes = crypto.getRandomValues(new Uint8Array(25));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/** The field a validation error names (details: [{ path: '/email', message }]), or undefined. */
function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiFailure) || error.code !== 'validation_failed' || !Array.isArray(error.details)) return undefined;
  const d = (error.details as { path?: string; message?: string }[]).find((x) => x.path === `/${field}`);
  return d ? `${d.message ?? 'not accepted'}` : undefined;
}

function PasswordField({ value, onChange, tried, label }: { value: string; onChange: (v: string) => void; tried: boolean; label: string }) {
  return (
    <Stack gap={4}>
      <PasswordInput
        label={label}
        description={`At least ${MIN_PASSWORD} characters. Give it to them privately; they can change it under “Your account”.`}
        autoComplete="new-password"
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={tried && value.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters (now ${value.length}).` : undefined}
      />
      <Group gap="xs">
        <Button variant="subtle" size="compact-sm" onClick={() => onChange(generatePassword())}>
          Generate a password
        </Button>
      </Group>
    </Stack>
  );
}

function AddUser({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queries = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('marketer');
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/v1/users', { body: { email: email.trim(), name: name.trim() || null, role, password } })),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: USERS });
      setEmail('');
      setName('');
      setPassword('');
      setTried(false);
      onClose();
    },
  });
  const exists = create.error instanceof ApiFailure && create.error.code === 'user_exists';
  const emailError =
    (tried && !email.trim() && 'Enter their email address.') ||
    (exists && 'Someone already signs in with this email.') ||
    (fieldError(create.error, 'email') && 'This is not a valid email address.') ||
    undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!email.trim() || password.length < MIN_PASSWORD) return;
    create.mutate();
  };
  const otherError = create.isError && !exists && !fieldError(create.error, 'email') && !fieldError(create.error, 'password');
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title="Add a user" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {otherError && (
            <Alert color="red" role="alert">
              {errorMessage(create.error)}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={emailError}
          />
          <TextInput label="Name" description="Optional" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select label="Role" required data={ROLE_OPTIONS} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} />
          <PasswordField label="Initial password" value={password} onChange={setPassword} tried={tried} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function EditUser({ user, self, onClose }: { user: User; self: boolean; onClose: () => void }) {
  const queries = useQueryClient();
  const [name, setName] = useState(user.name ?? '');
  const [role, setRole] = useState<Role>(user.role);
  const save = useMutation({
    mutationFn: () =>
      call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { name: name.trim() || null, role } })),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: USERS });
      onClose();
    },
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`Edit ${user.email}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          {save.isError && (
            <Alert color="red" role="alert">
              {errorMessage(save.error)}
            </Alert>
          )}
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select label="Role" data={ROLE_OPTIONS} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} />
          {self && role !== 'admin' && (
            <Alert color="yellow" role="status">
              This is your own account: once saved you are no longer an administrator and cannot undo it yourself.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ResetPassword({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const reset = useMutation({
    mutationFn: () => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { password } })),
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`New password for ${user.email}`} size="lg">
      {reset.isSuccess ? (
        <Stack gap="sm">
          <Alert color="green" role="status">
            The password is changed and their sessions have ended. Give them the new password privately.
          </Alert>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            if (password.length >= MIN_PASSWORD) reset.mutate();
          }}
        >
          <Stack gap="sm">
            <Text size="sm">They are signed out everywhere and sign in again with the new password.</Text>
            {reset.isError && (
              <Alert color="red" role="alert">
                {errorMessage(reset.error)}
              </Alert>
            )}
            <PasswordField label="New password" value={password} onChange={setPassword} tried={tried} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={reset.isPending}>
                Set password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function Disable({ user, onClose }: { user: User; onClose: () => void }) {
  const queries = useQueryClient();
  const toggle = useMutation({
    mutationFn: () => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { disabled: !user.disabled } })),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: USERS });
      onClose();
    },
  });
  const verb = user.disabled ? 'Enable' : 'Disable';
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`${verb} ${user.email}?`}>
      <Stack gap="sm">
        <Text size="sm">
          {user.disabled
            ? 'They can sign in again with their password, with the role they had.'
            : 'They are signed out at once and cannot sign in until you enable them again. Nothing they did is undone.'}
        </Text>
        {toggle.isError && (
          <Alert color="red" role="alert">
            {errorMessage(toggle.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={user.disabled ? undefined : 'red.9'} onClick={() => toggle.mutate()} loading={toggle.isPending}>
            {verb} user
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

type Dialog = { kind: 'edit' | 'password' | 'disable'; user: User } | null;

/** The console's users: who signs in, with which role, when last; add, edit, reset, disable. */
export function Users({ write }: { write: boolean }) {
  const me = useSession().data?.principal.id;
  const [adding, setAdding] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const list = useInfiniteQuery({
    queryKey: USERS,
    queryFn: ({ pageParam }) => fetchUsers(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.next ?? undefined,
  });
  const users = list.data?.pages.flatMap((p) => p.data) ?? [];
  const first = list.data?.pages[0]?.page;
  const add = write && (
    <Button onClick={() => setAdding(true)} size="sm">
      Add user
    </Button>
  );
  return (
    <Stack component="section" aria-labelledby="users-title" gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3" id="users-title">
          Users
        </Title>
        {users.length > 0 && add}
      </Group>
      {list.isPending ? (
        <Loading label="Loading users" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : users.length === 0 ? (
        <EmptyState title="No users yet" action={add}>
          Add the people who work in the console, each with the role their work needs.
        </EmptyState>
      ) : (
        <>
          <TableScroll label="Users" minWidth={820}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Email</Table.Th>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Last sign-in</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  {write && <Table.Th scope="col">Actions</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      {u.email}
                      {u.id === me && (
                        <Text span size="sm" c="dimmed">
                          {' '}
                          (you)
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{u.name ?? '—'}</Table.Td>
                    <Table.Td>{roleName(u.role)}</Table.Td>
                    <Table.Td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'Never'}</Table.Td>
                    <Table.Td>
                      {u.disabled ? (
                        <Badge color="gray.7" variant="filled">
                          Disabled
                        </Badge>
                      ) : (
                        <Badge color="teal.9" variant="filled">
                          Active
                        </Badge>
                      )}
                    </Table.Td>
                    {write && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="default"
                            onClick={() => setDialog({ kind: 'edit', user: u })}
                            aria-label={`Edit ${u.email}`}
                          >
                            Edit
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="default"
                            onClick={() => setDialog({ kind: 'password', user: u })}
                            aria-label={`Reset password for ${u.email}`}
                          >
                            Reset password
                          </Button>
                          {u.id !== me && (
                            <Button
                              size="compact-sm"
                              variant="default"
                              color={u.disabled ? undefined : 'red'}
                              onClick={() => setDialog({ kind: 'disable', user: u })}
                              aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                            >
                              {u.disabled ? 'Enable' : 'Disable'}
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <ShowMore
            noun="users"
            shown={users.length}
            total={first?.total}
            estimate={first?.totalIsEstimate}
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onMore={() => void list.fetchNextPage()}
          />
        </>
      )}
      {write && <AddUser opened={adding} onClose={() => setAdding(false)} />}
      {dialog?.kind === 'edit' && <EditUser user={dialog.user} self={dialog.user.id === me} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'password' && <ResetPassword user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'disable' && <Disable user={dialog.user} onClose={() => setDialog(null)} />}
    </Stack>
  );
}
