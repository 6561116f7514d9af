import { createTheme, Modal } from '@mantine/core';

// Shade 8: white text on the default shade 6 falls short of WCAG AA contrast (axe-core, color-contrast).
// Every dialog's close button named: Mantine's has no label of its own (axe-core, critical).
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  components: { Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }) },
});
