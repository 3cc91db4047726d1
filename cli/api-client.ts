import { PipewatchError, errorCatalogue, type ErrorCode } from '../common/index.js';

/** Where CLI commands find the running service unless --api says otherwise. */
export const defaultApiUrl = 'http://127.0.0.1:8080';

/** `Authorization: Bearer $PIPEWATCH_API_TOKEN` (the first token of a comma list), when set. */
export function authorizationHeader(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const token = environment.PIPEWATCH_API_TOKEN?.split(',')[0]?.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * One JSON request to the pipewatch API. An error answer becomes the PipewatchError the service
 * raised (same code, so the CLI's exit code follows its kind); no answer is SERVICE_UNREACHABLE.
 */
export async function callApi<T>(
  apiUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...authorizationHeader(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const reason = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    throw new PipewatchError(
      'SERVICE_UNREACHABLE',
      `cannot reach the pipewatch API at ${apiUrl} (${reason}); is \`pipewatch serve\` running? (--api URL)`,
      { url: url.href },
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code: ErrorCode =
    error?.code !== undefined && error.code in errorCatalogue
      ? (error.code as ErrorCode)
      : 'INTERNAL';
  throw new PipewatchError(
    code,
    `${method} ${url.pathname}: HTTP ${response.status}: ${error?.message ?? text}`,
    { status: response.status },
  );
}
