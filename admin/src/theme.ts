import { createTheme } from '@mantine/core';

// Shade 8: white text on the default shade 6 falls short of WCAG AA contrast (axe-core, color-contrast).
export const theme = createTheme({ primaryColor: 'indigo', primaryShade: { light: 8, dark: 8 }, defaultRadius: 'sm' });
