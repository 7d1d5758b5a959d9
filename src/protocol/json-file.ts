import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../errors.js";

/** Reads and parses a JSON file named on the command line; every failure is one line naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new ConfigError(`The ${what} file ${path} is a directory, not a JSON file.`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist (or is a broken link)" : code === "EACCES" ? "is not readable" : `cannot be read (${code ?? "error"})`;
    throw new ConfigError(`The ${what} file ${path} ${reason}.`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError(`The ${what} file ${path} is UTF-16; save it as UTF-8.`);
  }
  // A UTF-8 byte order mark (Windows editors add one) is not content.
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new ConfigError(`The ${what} file ${path} is empty.`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The ${what} file ${path} is not valid JSON (${where(text, error as Error)}).`);
  }
}

/** Where parsing stopped, as line and column; never the file's content, which may hold a key. */
function where(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) {
    if (/end of JSON input|Unterminated/.test(error.message)) return "it ends too early";
    const token = /^Unexpected token '(.)'/.exec(error.message)?.[1];
    return token && /^[\x21-\x7e]$/.test(token) ? `unexpected character '${token}'` : "syntax error";
  }
  const before = text.slice(0, Number(position));
  const line = before.split("\n").length;
  const column = Number(position) - before.lastIndexOf("\n");
  return `syntax error at line ${line}, column ${column}`;
}
