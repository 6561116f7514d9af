import { Anchor, Stack } from '@mantine/core';
import { Link, Route, Routes } from 'react-router';
import { useRights } from '../../api/session';
import { Page } from '../../ui/Page';
import { Keys } from './Keys';
import { Users } from './Users';

function UsersAndKeys() {
  const { can } = useRights();
  const write = can('users', 'write');
  return (
    <Page
      title="Users and API keys"
      description={
        write
          ? 'Who may sign in to the console and with which role, and the keys scripts and integrations use.'
          : 'Who may sign in to the console and with which role, and the keys scripts use. Only an administrator can change them.'
      }
      actions={
        <Anchor component={Link} to="/account" size="sm">
          Your account and password
        </Anchor>
      }
    >
      <Stack gap="xl">
        <Users write={write} />
        <Keys write={write} />
      </Stack>
    </Page>
  );
}

export default function UsersScreen() {
  return (
    <Routes>
      <Route index element={<UsersAndKeys />} />
    </Routes>
  );
}
