import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways inside itself when the screen is narrower than `minWidth`, never
 * the page. Its scrolling area takes the keyboard focus (arrow keys scroll it), named by `label`,
 * so keyboard users can reach what is off to the side (axe-core, scrollable-region-focusable).
 */
export function ScrollTable({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <Table.ScrollContainer
      minWidth={minWidth}
      scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': label } as Record<string, unknown> }}
    >
      {children}
    </Table.ScrollContainer>
  );
}
