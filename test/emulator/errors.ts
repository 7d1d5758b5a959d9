/** Stripe's error envelope: {"error": {"type", "message", "code"?, "param"?, "doc_url"?}}. */

export interface ErrorBody {
  type: "invalid_request_error" | "api_error" | "card_error" | "idempotency_error";
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;
}

export function invalid(status: number, message: string, code?: string, param?: string): ApiError {
  const body: ErrorBody = { type: "invalid_request_error", message };
  if (code) {
    body.code = code;
    body.doc_url = docUrl(code);
  }
  if (param) body.param = param;
  return new ApiError(status, body);
}

export function noSuch(noun: string, id: string, param = "id", status = 404): ApiError {
  return invalid(status, `No such ${noun}: '${id}'`, "resource_missing", param);
}

export function unknownParam(name: string): ApiError {
  return invalid(400, `Received unknown parameter: ${name}`, "parameter_unknown", name);
}

export function missingParam(name: string): ApiError {
  return invalid(400, `Missing required param: ${name}.`, "parameter_missing", name);
}

export function unrecognizedUrl(method: string, path: string): ApiError {
  return invalid(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

/** Masks a key as Stripe does in messages: its prefix, asterisks, its last 4 characters. */
export function maskKey(key: string): string {
  const m = /^([a-z]{2,4}_(?:test|live)_)/.exec(key);
  const prefix = m ? m[1]! : "";
  if (key.length <= prefix.length + 4) return prefix + "*".repeat(Math.max(0, key.length - prefix.length));
  return `${prefix}****${key.slice(-4)}`;
}
