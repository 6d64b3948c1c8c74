/**
 * Runs the Twelve Data emulator on the synthetic market:
 *   npx node local/twelvedata/main.ts [--port N] [--host H] [--credits-per-minute 8] [--credits-per-day 800|none]
 *     [--window-seconds 60] [--window-mode rolling|calendar] [--error-style status|body200] [--api-key demo]
 *     [--other-consumer greedy:3|bursty:8:300000|hog:600000] [--partial-answers] [--latency realistic|instant]
 */
import { parseArgs } from "node:util";
import { createSyntheticMarket } from "../market/synthetic-market.ts";
import { WindowMode } from "./credit-meter.ts";
import { ErrorStyle, startTwelveDataEmulator } from "./emulator.ts";
import { PROVIDER_LATENCY } from "./latency.ts";
import { type OtherConsumerPlan, parseOtherConsumer } from "./other-consumer.ts";

class UsageError extends Error {
  override name = "UsageError";
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got ${raw}`);
  return value;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: Record<string, T>, fallback: T): T {
  if (raw === undefined) return fallback;
  const values = Object.values(allowed);
  if (!values.includes(raw as T)) throw new UsageError(`--${name} must be one of ${values.join(", ")}, got ${raw}`);
  return raw as T;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "credits-per-minute": { type: "string" },
      "credits-per-day": { type: "string" },
      "window-seconds": { type: "string" },
      "window-mode": { type: "string" },
      "error-style": { type: "string" },
      "api-key": { type: "string" },
      "other-consumer": { type: "string" },
      "partial-answers": { type: "boolean" },
      latency: { type: "string" },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got ${values.port}`);
  const day = values["credits-per-day"];
  const apiKey = values["api-key"] ?? "demo";
  let otherConsumer: OtherConsumerPlan | undefined;
  try {
    otherConsumer = values["other-consumer"] === undefined ? undefined : parseOtherConsumer(values["other-consumer"]);
  } catch (error) {
    throw new UsageError(`--other-consumer: ${(error as Error).message}`, { cause: error });
  }

  const emulator = await startTwelveDataEmulator({
    market: createSyntheticMarket(),
    port,
    host: values.host ?? "127.0.0.1",
    apiKeys: [apiKey],
    creditsPerMinute: positive("credits-per-minute", values["credits-per-minute"], 8),
    creditsPerDay: day === "none" ? null : positive("credits-per-day", day, 800),
    windowSeconds: positive("window-seconds", values["window-seconds"], 60),
    windowMode: oneOf("window-mode", values["window-mode"], WindowMode, WindowMode.rolling),
    errorStyle: oneOf("error-style", values["error-style"], ErrorStyle, ErrorStyle.status),
    partialAnswers: values["partial-answers"] === true,
    ...(oneOf("latency", values.latency, { realistic: "realistic", instant: "instant" } as const, "instant") ===
    "realistic"
      ? { latency: PROVIDER_LATENCY }
      : {}),
    ...(otherConsumer ? { otherConsumer } : {}),
  });
  console.log(`twelvedata emulator listening on ${emulator.url} (api key: ${apiKey})`);

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`twelvedata emulator: close failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
