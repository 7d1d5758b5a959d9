import { createRequire } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { numericType, numericTypeByRule, stripeNumbers } from "../scripts/numeric-type.js";

describe("numericType", () => {
  it("takes the spec's word for the names it has", () => {
    expect(numericType("amount", "")).toBe("integer");
    expect(numericType("created", "")).toBe("integer");
    expect(numericType("risk_score", "outcome")).toBe("integer");
    expect(numericType("percent_off", "")).toBe("number");
    expect(numericType("exchange_rate", "")).toBe("number");
    // `quantity` is whole everywhere but on an issuing receipt line.
    expect(numericType("quantity", "")).toBe("integer");
    expect(numericType("quantity", "receipt")).toBe("number");
  });

  it("decides fields newer than the spec by their name or doc comment", () => {
    expect(numericTypeByRule("amount_overpaid")).toBe("integer");
    expect(numericTypeByRule("post_payment_amount")).toBe("integer");
    expect(numericTypeByRule("estimated_worker_count")).toBe("integer");
    expect(numericTypeByRule("automatically_finalizes_at")).toBe("integer");
    expect(numericTypeByRule("template_version")).toBe("integer");
    expect(numericTypeByRule("billed_until", "The time period the subscription item has been billed for.")).toBe("integer");
    expect(numericTypeByRule("frozen_time", "Time at which this clock is. Measured in seconds since the Unix epoch.")).toBe("integer");
    expect(numericTypeByRule("payments_per_period", "The number of payments that will be made during a payment period.")).toBe("integer");
    expect(numericTypeByRule("network_risk_score")).toBe("number");
    expect(numericTypeByRule("amount_percent")).toBe("number");
    expect(numericTypeByRule("odometer", "Odometer reading.")).toBe("number");
  });

  it("by name alone, never calls integer a name the spec types number", () => {
    const spec = stripeNumbers();
    expect(spec.number.filter((name) => numericTypeByRule(name) === "integer")).toEqual([]);
    const agree = spec.integer.filter((name) => numericTypeByRule(name) === "integer").length;
    expect(agree / spec.integer.length).toBeGreaterThan(0.75);
  });

  it("with the SDK's doc comments, agrees with the spec on nearly every numeric field the spec has", () => {
    // Every numeric property the SDK's resources declare whose name the spec types: would the rule alone get it right?
    const spec = stripeNumbers();
    const known = new Map<string, string>([...spec.integer.map((n) => [n, "integer"] as const), ...spec.number.map((n) => [n, "number"] as const)]);
    const dir = path.dirname(createRequire(import.meta.url).resolve("stripe"));
    const program = ts.createProgram({ rootNames: [path.join(dir, "stripe.core.d.ts")], options: { strict: true, noEmit: true, skipLibCheck: true, types: [] } });
    const checker = program.getTypeChecker();
    let agree = 0;
    const wrongWay: string[] = [];
    let total = 0;
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.includes(`${path.sep}resources${path.sep}`) || file.fileName.endsWith("Params.d.ts")) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isPropertySignature(node) && node.type && ts.isIdentifier(node.name) && known.has(node.name.text)) {
          const t = checker.getTypeAtLocation(node.type);
          const members = t.isUnion() ? t.types : [t];
          if (members.some((m) => m.flags & ts.TypeFlags.NumberLike)) {
            const symbol = checker.getSymbolAtLocation(node.name);
            const doc = symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)) : "";
            const want = known.get(node.name.text);
            const got = numericTypeByRule(node.name.text, doc);
            total++;
            if (got === want) agree++;
            else if (got === "integer") wrongWay.push(node.name.text);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(total).toBeGreaterThan(1000);
    expect(wrongWay).toEqual([]);
    expect(agree / total).toBeGreaterThan(0.85);
  }, 60_000);
});
