import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A wide table that scrolls sideways inside itself on a narrow screen. The scrolling box is a named,
 * focusable region, so a keyboard user can scroll it too (axe: scrollable-region-focusable, which
 * Mantine's default scroll area fails at 390 px when the table holds nothing focusable). It is
 * positioned, so the visually hidden labels in its cells (absolutely placed) are clipped with the
 * table instead of widening the page beyond a phone's screen.
 */
export function TableScroll({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label} style={{ position: 'relative' }}>
      {children}
    </Table.ScrollContainer>
  );
}
