import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { TableScroll } from '../../ui/TableScroll';
import { api, call } from '../../api/client';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { formatDate, formatDateTime } from '../../ui/format';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { type Contact, displayName, type LedgerEntry, useAllLists } from './common';

/** Where a consent was given, as people say it (the API's `source` values). */
const SOURCES: Record<string, string> = {
  admin: 'Staff, in the console',
  api: 'A program, through the API',
  form: 'A form',
  page: 'A page',
  import: 'An import',
  journey: 'A journey',
  subscription_center: 'The subscription center',
  data_request: 'A data request',
  system: 'Assent itself',
};
const CHOSEN_SOURCES = ['admin', 'form', 'page', 'import', 'api'] as const;
type ChosenSource = (typeof CHOSEN_SOURCES)[number];

const REASONS: Record<string, string> = {
  allowed: 'allowed',
  below_required_level: 'consent too low',
  child_without_guardian_consent: 'a child without guardian consent',
  child_never_profiled: 'a child is never profiled',
  data_protection_off: 'allowed: data protection is off',
  purpose_not_for_caller: 'only in answer to the person',
};

const purposeLabel = (p: string) => p.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** The GDPR panel: level, what the gate allows, a change with its notice, the level at a time, the history, child and guardian. */
export function ConsentPanel({ contact }: { contact: Contact }) {
  const { can } = useRights();
  const levelName = useLevelName();
  const levels = useConsentLevels();
  const [changing, setChanging] = useState(false);
  const description = levels.data?.consentLevels.find((l) => l.level === contact.consentLevel)?.description;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="gdpr-title">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h3" id="gdpr-title">
            Consent and GDPR
          </Title>
          {can('contacts', 'write') && <Button onClick={() => setChanging(true)}>Change consent</Button>}
        </Group>
        <Stack gap={4}>
          <Group gap="xs">
            <Text fw={600}>Consent level:</Text>
            <Badge size="lg" variant="dot" data-testid="consent-level">
              {levelName(contact.consentLevel)}
            </Badge>
          </Group>
          {description && (
            <Text size="sm" c="dimmed">
              {description}
            </Text>
          )}
          {levels.data && !levels.data.dataProtectionEnabled && (
            <Alert color="yellow" title="Data protection is off">
              The level is stored and shown but does not limit what is sent, except that children are never profiled.
            </Alert>
          )}
        </Stack>
        <GateEffect contact={contact} />
        <ChildPanel contact={contact} />
        <AtTime contact={contact} />
        <History contact={contact} />
      </Stack>
      {changing && <ChangeConsent contact={contact} onClose={() => setChanging(false)} />}
    </Paper>
  );
}

/** The gate's answer for every purpose the installation defines: what the contact may now receive. */
function GateEffect({ contact }: { contact: Contact }) {
  const levels = useConsentLevels();
  const levelName = useLevelName();
  const purposes = Object.entries(levels.data?.purposes ?? {}).sort((a, b) => a[1] - b[1]);
  const checks = useQuery({
    queryKey: ['contact', contact.id, 'gate', contact.consentLevel, contact.guardianConsent, contact.isChild, purposes.length],
    enabled: purposes.length > 0,
    queryFn: () =>
      Promise.all(
        purposes.map(async ([purpose]) => ({
          purpose,
          ...(await call(api.GET('/api/v1/contacts/{id}/consent/check', { params: { path: { id: contact.id }, query: { purpose } } })))
            .data,
        })),
      ),
  });
  if (checks.isPending) return <Loading label="Asking the consent gate" />;
  if (checks.isError) return <ErrorState error={checks.error} retry={() => checks.refetch()} title="Could not ask the consent gate" />;
  const effective = checks.data[0]?.effectiveLevel;
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        What the contact may receive now
      </Title>
      {effective !== undefined && effective !== contact.consentLevel && (
        <Text size="sm">
          The gate treats this contact as <strong>{levelName(effective)}</strong> (a child's consent follows their guardian's).
        </Text>
      )}
      <TableScroll minWidth={420} label="What the consent gate allows, scrollable">
        <Table aria-label="What the consent gate allows">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Purpose</Table.Th>
              <Table.Th>Needs</Table.Th>
              <Table.Th>Now</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {checks.data.map((c) => (
              <Table.Tr key={c.purpose}>
                <Table.Td>{purposeLabel(c.purpose)}</Table.Td>
                <Table.Td>{levelName(levels.data?.purposes[c.purpose])}</Table.Td>
                <Table.Td>
                  <Badge color={c.allowed ? 'teal' : 'gray'} variant="dot">
                    {c.allowed ? 'Allowed' : 'Not allowed'}
                  </Badge>{' '}
                  {c.reason !== 'allowed' && (
                    <Text span size="sm" c="dimmed">
                      {REASONS[c.reason] ?? c.reason}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </Stack>
  );
}

/** Set the level: the notice the person was shown and where they gave it are required, as the ledger keeps them. */
function ChangeConsent({ contact, onClose }: { contact: Contact; onClose: () => void }) {
  const { can } = useRights();
  const levels = useConsentLevels();
  const levelName = useLevelName();
  const queries = useQueryClient();
  const mayRaise = can('consent', 'write');
  const [level, setLevel] = useState(String(contact.consentLevel));
  const [notice, setNotice] = useState('');
  const [source, setSource] = useState<ChosenSource>('admin');
  const [noticeError, setNoticeError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: () =>
      call(
        api.PUT('/api/v1/contacts/{id}/consent', {
          params: { path: { id: contact.id } },
          body: { level: Number(level), source, notice: notice.trim() },
        }),
      ),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['contact', contact.id] });
      await queries.invalidateQueries({ queryKey: ['contacts'] });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (notice.trim() === '') {
      setNoticeError('Paste the text the person was shown when they gave or withdrew consent');
      return;
    }
    setNoticeError(null);
    change.mutate();
  };
  const chosen = Number(level);
  const purposes = Object.entries(levels.data?.purposes ?? {}).sort((a, b) => a[1] - b[1]);
  const allowed = purposes.filter(([, need]) => need <= chosen).map(([p]) => purposeLabel(p));
  return (
    <Modal opened onClose={onClose} title="Change consent" closeButtonProps={{ 'aria-label': 'Close' }} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {change.isError && (
            <Alert color="red" role="alert" title="Not changed">
              {errorMessage(change.error)}
            </Alert>
          )}
          <NativeSelect
            label="New consent level"
            description={mayRaise ? undefined : 'Your role may lower the level (a withdrawal), not raise it.'}
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value)}
            data={(levels.data?.consentLevels ?? []).map((l) => ({
              value: String(l.level),
              label: l.level === contact.consentLevel ? `${l.name} (current)` : l.name,
              disabled: !mayRaise && l.level > contact.consentLevel,
            }))}
          />
          <Text size="sm" aria-live="polite">
            At {levelName(chosen)} the gate allows: {allowed.length > 0 ? allowed.join(', ') : 'nothing'}
            {contact.isChild ? ' (as a child: only with guardian consent, never profiling)' : ''}.
          </Text>
          <Textarea
            label="Notice text"
            description="Exactly what the person was shown, kept with the change as evidence"
            required
            autosize
            minRows={3}
            maxLength={20000}
            value={notice}
            onChange={(e) => setNotice(e.currentTarget.value)}
            error={noticeError}
          />
          <NativeSelect
            label="Where the person gave it"
            value={source}
            onChange={(e) => setSource(e.currentTarget.value as ChosenSource)}
            data={CHOSEN_SOURCES.map((s) => ({ value: s, label: SOURCES[s]! }))}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={change.isPending}>
              Save consent
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The child flag, birth date, guardian (a link to their page) and guardian consent with its actions. */
function ChildPanel({ contact }: { contact: Contact }) {
  const { can } = useRights();
  const queries = useQueryClient();
  const guardian = useQuery({
    queryKey: ['contact', contact.guardianId],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: contact.guardianId! } } }))).data,
    enabled: !!contact.guardianId,
  });
  const set = useMutation({
    mutationFn: (granted: boolean) =>
      call(
        api.PUT('/api/v1/contacts/{id}/guardian-consent', {
          params: { path: { id: contact.id } },
          body: { granted, source: 'admin' },
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['contact', contact.id] }),
  });
  if (!contact.isChild && !contact.guardianId && !contact.birthDate) return null;
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Child and guardian
      </Title>
      <Text size="sm">
        {contact.isChild ? 'A child' : 'Not a child'}
        {contact.birthDate ? `, born ${formatDate(contact.birthDate)}` : ''}.
      </Text>
      <Text size="sm">
        Guardian:{' '}
        {contact.guardianId ? (
          <Anchor component={Link} to={`/contacts/${contact.guardianId}`}>
            {guardian.data ? displayName(guardian.data) : 'their page'}
          </Anchor>
        ) : (
          'none linked'
        )}
        {contact.guardianId && (contact.guardianConsent ? ' — has given consent.' : ' — has not given consent.')}
      </Text>
      {contact.guardianId && (
        <Group gap="xs">
          {!contact.guardianConsent && can('consent', 'write') && (
            <Button size="xs" variant="default" loading={set.isPending} onClick={() => set.mutate(true)}>
              Record guardian consent
            </Button>
          )}
          {contact.guardianConsent && can('contacts', 'write') && (
            <Button size="xs" variant="default" color="red" loading={set.isPending} onClick={() => set.mutate(false)}>
              Withdraw guardian consent
            </Button>
          )}
        </Group>
      )}
      {set.isError && <ErrorState error={set.error} title="Guardian consent not changed" />}
    </Stack>
  );
}

/** "What was the consent at time T": the level the ledger gives then, and the entry that set it. */
function AtTime({ contact }: { contact: Contact }) {
  const levelName = useLevelName();
  const [when, setWhen] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const answer = useQuery({
    queryKey: ['contact', contact.id, 'consent-at', asked],
    enabled: asked !== null,
    queryFn: async () =>
      (await call(api.GET('/api/v1/contacts/{id}/consent', { params: { path: { id: contact.id }, query: { at: asked! } } }))).data,
  });
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Consent at a chosen time
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (when) setAsked(new Date(when).toISOString());
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput label="Date and time" type="datetime-local" value={when} onChange={(e) => setWhen(e.currentTarget.value)} />
          <Button type="submit" variant="default" disabled={!when}>
            Show consent then
          </Button>
        </Group>
      </form>
      <div aria-live="polite">
        {answer.isFetching && <Loading label="Reading the history" />}
        {answer.isError && <ErrorState error={answer.error} />}
        {answer.data && asked && (
          <Text size="sm">
            On {formatDateTime(asked)} the level was <strong>{levelName(answer.data.level)}</strong>
            {answer.data.entry
              ? `, set on ${formatDateTime(answer.data.entry.at)} by ${SOURCES[answer.data.entry.source ?? ''] ?? 'an unknown source'}.`
              : ': no consent had been recorded yet.'}
          </Text>
        )}
      </div>
    </Stack>
  );
}

/** The ledger's entries for the contact as a timeline, newest first. */
function History({ contact }: { contact: Contact }) {
  const levelName = useLevelName();
  const lists = useAllLists();
  const history = useQuery({
    queryKey: ['contact', contact.id, 'history', contact.updatedAt, contact.consentLevel],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}/consent/history', { params: { path: { id: contact.id } } }))).data,
  });
  const listName = (id: string | null) => lists.data?.find((l) => l.id === id)?.name ?? 'a list';
  const what = (e: LedgerEntry): string => {
    if (e.erased) return 'An entry of an erased record';
    switch (e.kind) {
      case 'level':
        return `Consent changed from ${levelName(e.oldValue)} to ${levelName(e.newValue)}`;
      case 'list_join':
        return `Joined ${listName(e.listId)}`;
      case 'list_leave':
        return `Left ${listName(e.listId)}`;
      case 'child_flag':
        return e.newValue ? 'Marked as a child' : 'No longer marked as a child';
      case 'birth_date':
        return e.newText ? `Birth date set to ${formatDate(e.newText)}` : 'Birth date removed';
      case 'guardian':
        return e.newText ? 'Guardian linked' : 'Guardian unlinked';
      case 'guardian_consent':
        return e.newValue ? 'Guardian gave consent' : 'Guardian consent withdrawn';
      default:
        return e.kind;
    }
  };
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Consent history
      </Title>
      {history.isPending && <Loading label="Loading the consent history" />}
      {history.isError && <ErrorState error={history.error} retry={() => history.refetch()} />}
      {history.data && history.data.length === 0 && (
        <Text size="sm" c="dimmed">
          No consent recorded yet: the contact has had no change since it was added.
        </Text>
      )}
      {history.data && history.data.length > 0 && (
        <Timeline
          bulletSize={14}
          lineWidth={2}
          aria-label="Consent history"
          component="ol"
          style={{ listStyle: 'none', paddingInlineStart: 0 }}
        >
          {[...history.data].reverse().map((e) => (
            <Timeline.Item key={e.id} title={what(e)} component="li">
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)} · {SOURCES[e.source ?? ''] ?? 'Unknown source'}
                {e.imported ? ` · given ${formatDateTime(e.imported.at)} in ${e.imported.source ?? 'another system'}` : ''}
              </Text>
              {e.notice?.text && (
                <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  Notice shown: “{e.notice.text}”
                </Text>
              )}
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}
