import { Alert, type AlertProps } from '@mantine/core';

/**
 * An Alert whose title is in the text colour: Mantine's light alerts colour their title with the
 * colour's light shade, which in teal, yellow or orange falls short of WCAG AA contrast on their
 * background (axe-core, color-contrast). The colour still shows in the box and its border.
 */
export function Notice(props: AlertProps & { role?: string }) {
  return <Alert closeButtonLabel="Dismiss" {...props} styles={{ title: { color: 'var(--mantine-color-text)' } }} />;
}
