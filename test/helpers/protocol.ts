import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const protocol = JSON.parse(readFileSync(resolve(import.meta.dirname, "../protocol/airbyte_protocol.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats.default(ajv);
ajv.addSchema(protocol, "airbyte");
const validateMessage: ValidateFunction = ajv.getSchema("airbyte#/definitions/AirbyteMessage")!;
const validateCatalog: ValidateFunction = ajv.getSchema("airbyte#/definitions/ConfiguredAirbyteCatalog")!;

/** Throws, naming the line, if any message is not a valid AirbyteMessage. */
export function assertProtocol(messages: Array<Record<string, unknown>>): void {
  for (const [i, message] of messages.entries()) {
    if (!validateMessage(message)) {
      throw new Error(`message ${i} is not a valid AirbyteMessage: ${ajv.errorsText(validateMessage.errors)}\n${JSON.stringify(message).slice(0, 500)}`);
    }
  }
}

export function isConfiguredCatalog(value: unknown): boolean {
  return validateCatalog(value) as boolean;
}
