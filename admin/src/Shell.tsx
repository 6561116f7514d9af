import { ActionIcon, AppShell, Burger, Button, Divider, Group, NavLink, Text, Title, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { api } from './api/client';
import { SESSION_KEY, useRights } from './api/session';
import { NAV } from './nav';

interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  role: string;
}

/** The frame of every screen: header (who, theme, logout), navigation, and the screen. */
export function Shell({
  principal,
  user,
  children,
}: {
  principal: Principal;
  user?: { email: string; name: string | null } | undefined;
  children: ReactNode;
}) {
  const { can } = useRights();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const queries = useQueryClient();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const logout = useMutation({
    mutationFn: () => api.DELETE('/api/v1/session'),
    onSettled: () => queries.setQueryData(SESSION_KEY, null),
  });
  const dark = colorScheme === 'dark';
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={2} size="h4">
              Assent
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {user && (
              <Text size="sm" visibleFrom="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {user.name ?? user.email}
              </Text>
            )}
            <Text size="sm" data-testid="role">
              {principal.role.replace('_', ' ')}
            </Text>
            <ActionIcon
              variant="default"
              onClick={() => setColorScheme(dark ? 'light' : 'dark')}
              aria-label={dark ? 'Use light theme' : 'Use dark theme'}
            >
              {dark ? '☀' : '☾'}
            </ActionIcon>
            <Button variant="default" size="xs" onClick={() => logout.mutate()} loading={logout.isPending}>
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      {/* Scrolls on its own: with every area shown (an admin's), the list is taller than a laptop's screen. */}
      <AppShell.Navbar p="xs" component="nav" aria-label="Main" style={{ overflowY: 'auto' }}>
        {NAV.filter((item) => can(item.area, item.op ?? 'read')).map((item, i, shown) => {
          const active = item.path === '/' ? pathname === '/' : pathname.startsWith(item.path);
          // A section's name above its first screen: audience work, privacy work, administration.
          const heading = item.section && item.section !== shown[i - 1]?.section ? item.section : null;
          return (
            <Fragment key={item.path}>
              {heading && (
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4} aria-hidden>
                  {heading}
                </Text>
              )}
              {!item.section && i > 0 && <Divider my="xs" />}
              <NavLink
                component={Link}
                to={item.path}
                label={item.label}
                active={active}
                // Filled: the light variant's hover shade left the active label short of contrast (axe).
                variant="filled"
                aria-current={active ? 'page' : undefined}
                onClick={close}
              />
            </Fragment>
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
