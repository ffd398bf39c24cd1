/** What a use case answers when the user got something wrong; exceptions are for bugs and outages. */
export type Failure = { code: string; message: string; field?: string };

export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: Failure };

export function fail(code: string, message: string, field?: string): { ok: false; error: Failure } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
