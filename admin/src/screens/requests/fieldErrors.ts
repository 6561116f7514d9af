import { ApiFailure } from '../../api/client';
import { errorMessage } from '../../ui/states';

/**
 * A refused form's messages by field (the API's `details`: `{ path: '/email', message }`), so each
 * shows under its input; what the user typed stays. A message with no field goes under '' .
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.code !== 'validation_failed') return {};
  const out: Record<string, string> = {};
  const details = Array.isArray(error.details) ? (error.details as { path?: string; message?: string }[]) : [];
  for (const d of details) {
    const path = d.path ?? '';
    out[path] = out[path] ? `${out[path]}; ${d.message ?? 'invalid'}` : (d.message ?? 'invalid');
  }
  if (!details.length) out[''] = errorMessage(error);
  return out;
}
