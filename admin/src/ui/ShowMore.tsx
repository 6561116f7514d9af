import { Button, Group, Text } from '@mantine/core';
import { formatNumber } from './format';

/**
 * Below a cursor-paged table: how many rows are shown of the total, and a button for the next page
 * (TanStack Query's useInfiniteQuery: hasNextPage, fetchNextPage, isFetchingNextPage).
 */
export function ShowMore({
  shown,
  total,
  estimate,
  hasMore,
  loading,
  onMore,
  noun,
}: {
  shown: number;
  total: number | undefined;
  estimate?: boolean | undefined;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  noun: string;
}) {
  return (
    <Group justify="space-between" gap="xs">
      <Text size="sm" c="dimmed" aria-live="polite">
        {total === undefined
          ? `${formatNumber(shown)} ${noun}`
          : `${formatNumber(shown)} of ${estimate ? 'about ' : ''}${formatNumber(total)} ${noun}`}
      </Text>
      {hasMore && (
        <Button variant="default" size="xs" onClick={onMore} loading={loading}>
          Show more
        </Button>
      )}
    </Group>
  );
}
