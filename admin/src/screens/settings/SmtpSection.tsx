import { Alert, Button, Checkbox, Group, PasswordInput, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import { errorMessage } from '../../ui/states';
import { Section } from './Section';
import { type SettingsView, useSaveSettings, READABLE_TITLE } from './settings.api';

/** The relay's failure reasons (nodemailer's codes, passed on by the API) in words, with what to check. */
const RELAY_FAILURES: Record<string, string> = {
  ECONNECTION: 'Could not connect to the relay. Check the host and port, and that the relay accepts connections from this server.',
  ETIMEDOUT: 'The relay did not answer in time. Check the host and port, and any firewall between this server and the relay.',
  EDNS: 'The relay’s host name could not be found. Check the host.',
  EAUTH: 'The relay refused the user name or password. Check them (type the password again).',
  ETLS: 'The secure connection to the relay failed. Check the TLS setting: port 465 uses TLS from the start, 587 and 25 do not.',
  ESOCKET: 'The connection to the relay failed. Check the TLS setting and the port.',
  EENVELOPE: 'The relay refused the sender or the recipient. Check the sender address and the test address.',
  EMESSAGE: 'The relay refused the message.',
  EPROTOCOL: 'The relay answered in a way that is not SMTP. Check the host and port.',
};

function relayError(e: unknown): string {
  if (e instanceof ApiFailure) {
    if (e.code === 'mail_failed') {
      const d = (e.details ?? {}) as { reason?: string; status?: number };
      const words = RELAY_FAILURES[d.reason ?? ''] ?? 'The relay did not take the message.';
      return `${words}${d.status ? ` (The relay answered ${d.status}.)` : ''} Details: ${e.message}.`;
    }
    if (e.code === 'smtp_not_set') return 'No relay is saved yet: save the relay settings first, then send the test.';
    if (e.code === 'validation_failed') return 'Enter an address that can receive mail, such as you@example.com.';
  }
  return errorMessage(e);
}

/**
 * The SMTP relay: host, port, TLS, user, a write-only password (only sent when typed), the sender;
 * and a test message through the relay as saved.
 */
export function SmtpSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const saved0 = settings.smtp;
  const [use, setUse] = useState(saved0 !== null);
  const [host, setHost] = useState(saved0?.host ?? '');
  const [port, setPort] = useState(String(saved0?.port ?? 587));
  const [secure, setSecure] = useState(saved0?.secure ?? false);
  const [user, setUser] = useState(saved0?.user ?? '');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(saved0?.from ?? settings.mailFrom);
  const [verify, setVerify] = useState(saved0?.rejectUnauthorized ?? true);
  const [testTo, setTestTo] = useState('');
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const current = settings.smtp;
  // The server keeps the stored password only for the same relay and user (it is never carried to another).
  const sameAccount =
    current !== null && current.host === host.trim() && String(current.port) === port.trim() && (current.user ?? '') === user.trim();
  const passwordKept = current?.passwordSet && sameAccount;

  const test = useMutation({
    mutationFn: async (to: string) => (await call(api.POST('/api/v1/settings/smtp/test', { body: { to } }))).data,
  });

  const onSave = () => {
    if (!use)
      return save({ smtp: null })
        .then(() => setPassword(''))
        .catch(() => undefined);
    const p = Number(port);
    return save({
      smtp: {
        host: host.trim(),
        port: Number.isInteger(p) ? p : -1,
        secure,
        ...(user.trim() ? { user: user.trim() } : {}),
        ...(password ? { password } : {}),
        from: from.trim(),
        rejectUnauthorized: verify,
        // The rate is set in the Sending section; saving the relay keeps it.
        maxPerSecond: current?.maxPerSecond ?? null,
      },
    })
      .then(() => setPassword(''))
      .catch(() => undefined);
  };

  return (
    <Section
      id="settings-smtp"
      title="SMTP relay"
      description="The mail server Assent sends through. Without one, mail is kept in the local outbox and nothing is delivered."
      canWrite={canWrite}
      onSave={onSave}
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save relay"
    >
      <Switch
        label="Send mail through an SMTP relay"
        checked={use}
        disabled={!canWrite}
        onChange={(e) => setUse(e.currentTarget.checked)}
        description={use ? undefined : 'Off: mail is kept in the outbox (for development and trials).'}
      />
      {use && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Host"
              placeholder="smtp.example.com"
              value={host}
              onChange={(e) => setHost(e.currentTarget.value)}
              disabled={!canWrite}
              required
              error={fieldError('/smtp/host') && 'Enter the relay’s host name, such as smtp.example.com.'}
            />
            <TextInput
              label="Port"
              type="number"
              inputMode="numeric"
              min={1}
              max={65535}
              value={port}
              onChange={(e) => setPort(e.currentTarget.value)}
              disabled={!canWrite}
              required
              error={fieldError('/smtp/port') && 'Enter a port from 1 to 65535 (usually 587, or 465 with TLS).'}
            />
            <TextInput
              label="User name"
              value={user}
              onChange={(e) => setUser(e.currentTarget.value)}
              disabled={!canWrite}
              autoComplete="off"
              description="Leave empty when the relay needs no login."
              error={fieldError('/smtp/user')}
            />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              disabled={!canWrite}
              autoComplete="new-password"
              placeholder={passwordKept ? 'A password is set' : undefined}
              description={
                current?.passwordSet
                  ? passwordKept
                    ? 'A password is set and is never shown. Type one only to replace it.'
                    : 'A password is set for the saved relay and user; with another host, port or user, type its password.'
                  : 'Never shown again once saved.'
              }
              error={fieldError('/smtp/password')}
            />
            <TextInput
              label="Sender"
              placeholder="News <news@example.com>"
              value={from}
              onChange={(e) => setFrom(e.currentTarget.value)}
              disabled={!canWrite}
              required
              description="The From of messages sent through this relay."
              error={fieldError('/smtp/from') && 'Enter a sender address, such as News <news@example.com>.'}
            />
          </SimpleGrid>
          <Stack gap={6}>
            <Checkbox
              label="TLS from the first byte (port 465); otherwise STARTTLS when the relay offers it"
              checked={secure}
              onChange={(e) => setSecure(e.currentTarget.checked)}
              disabled={!canWrite}
            />
            <Checkbox
              label="Verify the relay’s certificate"
              checked={verify}
              onChange={(e) => setVerify(e.currentTarget.checked)}
              disabled={!canWrite}
            />
          </Stack>
        </>
      )}
      {canWrite && current && (
        <Stack gap="xs" mt="xs">
          <Title order={3} size="h5">
            Send a test message
          </Title>
          <Text size="sm" c="dimmed">
            Sends a short message through the saved relay ({current.host}:{current.port}). Save changes first to test them.
          </Text>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Test address"
              type="email"
              placeholder="you@example.com"
              value={testTo}
              onChange={(e) => setTestTo(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Enter sends the test, not the relay form around it.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  test.mutate(testTo.trim());
                }
              }}
              style={{ flex: '1 1 240px' }}
            />
            <Button variant="default" loading={test.isPending} onClick={() => test.mutate(testTo.trim())}>
              Send test message
            </Button>
          </Group>
          {test.isSuccess && (
            <Alert color="teal" styles={READABLE_TITLE} title="The relay took the message" role="status">
              Sent to {test.variables} through {test.data.host}:{test.data.port}. If it does not arrive, look in the spam folder and in the
              relay’s log for {test.data.messageId}.
            </Alert>
          )}
          {test.isError && (
            <Alert color="red" styles={READABLE_TITLE} title="The test message was not sent" role="alert">
              {relayError(test.error)}
            </Alert>
          )}
        </Stack>
      )}
    </Section>
  );
}
