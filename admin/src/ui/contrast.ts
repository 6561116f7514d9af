import type { CSSProperties } from 'react';

/**
 * Mantine's error colour (red 6 in the light scheme, red 8 in the dark one) falls short of WCAG AA
 * contrast for an input's error text and its typed text (axe-core, color-contrast). Set on a
 * container (a form, a modal's content), this gives its inputs a red that reads in both schemes.
 * Better once in theme.css for the whole console: it is here because theme.css is shared.
 */
export const READABLE_ERRORS = {
  '--mantine-color-error': 'light-dark(var(--mantine-color-red-9), var(--mantine-color-red-4))',
} as CSSProperties;

/** A Modal's props that name its close button and keep its errors readable. */
export const MODAL_PROPS = {
  closeButtonProps: { 'aria-label': 'Close' },
  styles: { content: READABLE_ERRORS },
} as const;
