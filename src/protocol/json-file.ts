import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../errors.js";

/** Reads and parses a JSON file named on the command line; every failure is one line naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new ConfigError(`The ${what} file ${path} is a directory, not a JSON file.`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code ?? "error"})`;
    throw new ConfigError(`The ${what} file ${path} ${reason}.`);
  }
  if (text.trim() === "") throw new ConfigError(`The ${what} file ${path} is empty.`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The ${what} file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
