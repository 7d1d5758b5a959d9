/**
 * Every secret the process has seen. All output passes through `redact`, so a
 * key cannot leak even through an SDK error message or a stack trace.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (secret.length >= 4) secrets.add(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(maskKey(secret));
  }
  return out;
}

/** Masks a key the way Stripe does in its own messages: prefix, asterisks, last four. */
export function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(live|test)_/.exec(key)?.[0] ?? "";
  return `${prefix}****${key.length > prefix.length + 8 ? key.slice(-4) : ""}`;
}
