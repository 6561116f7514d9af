import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { roleName } from '../../ui/roles';
import { Page } from '../../ui/Page';
import { errorMessage } from '../../ui/states';

export const MIN_PASSWORD = 12;

/** The signed-in user's own password: every role may change it (POST /api/v1/session/password). */
export function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [tried, setTried] = useState(false);
  const change = useMutation({
    mutationFn: () => call(api.POST('/api/v1/session/password', { body: { currentPassword: current, newPassword: next } })),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setAgain('');
      setTried(false);
    },
  });
  const tooShort = next.length < MIN_PASSWORD;
  const mismatch = again !== next;
  // The API says which field it refused: a wrong current password is /currentPassword.
  const wrongCurrent =
    change.error instanceof ApiFailure &&
    change.error.code === 'validation_failed' &&
    JSON.stringify(change.error.details ?? '').includes('/currentPassword');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (tooShort || mismatch || !current) return;
    change.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" maw={520}>
      <form onSubmit={submit} aria-labelledby="password-title" noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="password-title">
            Change your password
          </Title>
          <Text size="sm" c="dimmed">
            At least {MIN_PASSWORD} characters; a few words you will remember are stronger than a short code. Your other sessions end, this
            one stays signed in.
          </Text>
          {change.isSuccess && (
            <Alert color="green" role="status">
              Your password is changed. Use the new one next time you sign in.
            </Alert>
          )}
          {change.isError && !wrongCurrent && (
            <Alert color="red" role="alert">
              {errorMessage(change.error)}
            </Alert>
          )}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={wrongCurrent ? 'That is not your current password.' : tried && !current ? 'Enter your current password.' : undefined}
          />
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            required
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={tried && tooShort ? `Use at least ${MIN_PASSWORD} characters (now ${next.length}).` : undefined}
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            required
            value={again}
            onChange={(e) => setAgain(e.currentTarget.value)}
            error={tried && mismatch ? 'The two new passwords differ.' : undefined}
          />
          <div>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </div>
        </Stack>
      </form>
    </Paper>
  );
}

/** "Your account": who you are signed in as, and your password. For every role. */
export default function Account() {
  const session = useSession();
  const user = session.data?.user;
  return (
    <Page title="Your account" description="Who you are signed in as, and your password.">
      {user ? (
        <>
          <Text>
            Signed in as <strong>{user.email}</strong>
            {user.name ? ` (${user.name})` : ''}, role {roleName(session.data?.principal.role)}.
          </Text>
          <ChangePassword />
        </>
      ) : (
        <Text>You are using an API key: it has no password. Revoke it and create a new one to replace its secret.</Text>
      )}
    </Page>
  );
}
