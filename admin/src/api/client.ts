import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The console's one way to the server: the public API, typed from its own OpenAPI document.
 * Same origin, so the HTTP-only session cookie goes with every call; nothing is kept in storage.
 */
export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });

/** The error envelope every route answers with (src/http/errors.ts). */
export interface ApiError {
  error: { code: string; message: string };
}

export const errorCode = (e: unknown): string | undefined => (e as Partial<ApiError> | undefined)?.error?.code;
