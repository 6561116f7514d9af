import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The console's one way to the server: the public API, typed from its own OpenAPI document.
 * Same origin, so the HTTP-only session cookie goes with every call; nothing is kept in storage.
 */
export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });

/** The error envelope every route answers with (src/http/errors.ts). */
export interface ApiError {
  error: { code: string; message: string; details?: unknown };
}

export const errorCode = (e: unknown): string | undefined => (e as Partial<ApiError> | undefined)?.error?.code;

/** A refused or failed call: the API's code and message, and the HTTP status. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Unwraps an openapi-fetch answer: its data, or an ApiFailure carrying the API's error code and
 * message (TanStack Query then shows the error state). `await call(api.GET('/api/v1/lists'))`.
 */
export async function call<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await answer;
  if (response.ok) return data as T;
  const e = (error as Partial<ApiError> | undefined)?.error;
  throw new ApiFailure(response.status, e?.code ?? `http_${response.status}`, e?.message ?? response.statusText, e?.details);
}

let onSessionEnded: () => void = () => {};
/** The app's hook for a 401 on any call: the session ended, so the login screen shows with a message. */
export function whenSessionEnds(f: () => void): void {
  onSessionEnded = f;
}
api.use({
  onResponse({ request, response }) {
    const url = new URL(request.url);
    // Logging in answers 401 for a wrong password; that is the login form's business.
    if (response.status === 401 && !(url.pathname === '/api/v1/session' && request.method === 'POST')) onSessionEnded();
    return response;
  },
});
