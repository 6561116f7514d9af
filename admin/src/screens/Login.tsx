import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, errorCode } from '../api/client';
import { SESSION_KEY } from '../api/session';

const MESSAGES: Record<string, string> = {
  invalid_credentials: 'That email and password do not match an active user.',
  rate_limited: 'Too many attempts: wait a moment and try again.',
};

export function Login({ expired }: { expired: boolean }) {
  const queries = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/api/v1/session', { body: { email, password } });
      if (error) throw error;
      return data;
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: SESSION_KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const code = login.isError ? errorCode(login.error) : undefined;
  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w={380} maw="100%">
        <form onSubmit={submit} aria-labelledby="login-title">
          <Stack>
            <Title order={1} size="h2" id="login-title">
              Sign in to Assent
            </Title>
            {expired && !login.isError && (
              <Alert color="yellow" role="status">
                Your session has ended. Sign in again to continue.
              </Alert>
            )}
            {login.isError && (
              <Alert color="red" role="alert">
                {(code && MESSAGES[code]) ?? 'Sign-in failed. Try again.'}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={login.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
