import { connectionSpecification, DOCUMENTATION_URL } from "../config.js";
import type { AirbyteMessage } from "../protocol/messages.js";

export function specMessage(): AirbyteMessage {
  return {
    type: "SPEC",
    spec: {
      documentationUrl: DOCUMENTATION_URL,
      connectionSpecification: connectionSpecification(),
      supportsIncremental: true,
      supported_destination_sync_modes: ["overwrite", "append", "append_dedup"],
    },
  };
}
