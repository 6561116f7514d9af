import { Alert, type AlertProps } from '@mantine/core';

/**
 * An Alert whose title is in the text colour: the coloured title of the light variant falls short
 * of WCAG AA contrast on its tinted background (axe-core, color-contrast); the colour stays in the
 * tint and the border.
 */
export function Notice(props: AlertProps & { role?: string }) {
  return <Alert variant="light" {...props} styles={{ title: { color: 'var(--mantine-color-text)' } }} />;
}
