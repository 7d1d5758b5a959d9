import { z } from "zod";
import { connectionSpecification, DOCUMENTATION_URL, parseConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { STREAMS } from "../streams/table.js";
import { parseBinding, ResourceConfigSchema, DEFAULT_INTERVAL, type FlowRequest } from "./requests.js";
import { documentKey, documentSchema } from "./schema.js";

/** The Flow capture protocol's version this connector speaks. */
export const FLOW_PROTOCOL = 3032023;

export function specResponse(): object {
  return {
    spec: {
      protocol: FLOW_PROTOCOL,
      configSchema: connectionSpecification(),
      resourceConfigSchema: z.toJSONSchema(ResourceConfigSchema, { io: "input", target: "draft-2020-12" }),
      documentationUrl: DOCUMENTATION_URL,
      resourcePathPointers: ["/name"],
    },
  };
}

export function discoverResponse(request: NonNullable<FlowRequest["discover"]>): object {
  const config = parseConfig(request.config);
  const multi = config.connected_accounts !== undefined;
  return {
    discovered: {
      bindings: [...STREAMS]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((def) => ({
          recommendedName: def.name,
          resourceConfig: { name: def.name, interval: DEFAULT_INTERVAL },
          documentSchema: documentSchema(def, multi),
          key: documentKey(def, multi),
          resourcePath: [def.name],
        })),
    },
  };
}

export function validateResponse(request: NonNullable<FlowRequest["validate"]>): object {
  parseConfig(request.config);
  const seen = new Set<string>();
  const bindings = request.bindings.map((raw, i) => {
    const binding = parseBinding(raw, i);
    if (seen.has(binding.def.name)) throw new ConfigError(`Binding ${i}: stream ${binding.def.name} is captured twice.`);
    seen.add(binding.def.name);
    return { resourcePath: [binding.def.name] };
  });
  return { validated: { bindings } };
}

export function applyResponse(request: NonNullable<FlowRequest["apply"]>): object {
  parseConfig(request.capture.config);
  request.capture.bindings.forEach(parseBinding);
  return { applied: { actionDescription: "" } };
}
