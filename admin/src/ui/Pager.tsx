import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { formatNumber } from './format';

/**
 * Cursor paging as the API gives it (`page.next`): the cursors of the pages seen, so "Previous"
 * goes back without the API paging backwards. Reset it (`reset`) when the listing's filter changes.
 */
export function useCursor() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  return {
    cursor: stack[stack.length - 1] ?? null,
    page: stack.length,
    next: (c: string) => setStack((s) => [...s, c]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}

/** "Page 2 · 1,234 in all", with Previous and Next. */
export function Pager({
  paging,
  next,
  total,
  estimate,
  noun,
}: {
  paging: ReturnType<typeof useCursor>;
  next: string | null | undefined;
  total: number | undefined;
  estimate?: boolean;
  noun: string;
}) {
  if (paging.page === 1 && !next) return null;
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm" c="dimmed">
        Page {paging.page}
        {total !== undefined ? ` · ${estimate ? 'about ' : ''}${formatNumber(total)} ${noun} in all` : ''}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={paging.previous} disabled={paging.page === 1}>
          Previous page
        </Button>
        <Button variant="default" size="xs" onClick={() => next && paging.next(next)} disabled={!next}>
          Next page
        </Button>
      </Group>
    </Group>
  );
}
