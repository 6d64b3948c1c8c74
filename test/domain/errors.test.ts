import { describe, expect, it } from "vitest";
import { DatalakeConfigError } from "../../app/adapters/datalake/errors.ts";
import { SessionStartError } from "../../app/adapters/lambda/session-starter.ts";
import { DailyScheduleError } from "../../app/adapters/scheduler/daily-schedule.ts";
import { ConfigError } from "../../app/config/config.ts";
import { UserFacingError } from "../../app/domain/errors.ts";
import { InvalidSymbolError } from "../../app/domain/symbol.ts";
import { OperationError } from "../../app/pipeline/operations.ts";
import { StartInputError } from "../../app/pipeline/start-session.ts";
import { EmptyUniverseError } from "../../app/pipeline/universe.ts";
import { SlackApiError } from "../../app/slack/chat.ts";

describe("UserFacingError", () => {
  it("sets its name and forwards the cause", () => {
    const cause = new Error("underlying");

    const error = new UserFacingError("bad input", { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("UserFacingError");
    expect(error.message).toBe("bad input");
    expect(error.cause).toBe(cause);
  });

  it.each([
    ["ConfigError", new ConfigError("DQ_TABLE_NAME is not set")],
    ["InvalidSymbolError", new InvalidSymbolError("../x")],
    ["StartInputError", new StartInputError("bad start request: lookbackDays")],
    ["OperationError", new OperationError("no session s-1")],
    ["EmptyUniverseError", new EmptyUniverseError("the explicit list", 1)],
    ["DatalakeConfigError", new DatalakeConfigError("file:///x", "no {symbol}")],
    ["SessionStartError", new SessionStartError("dq-coordinator", "throttled")],
    ["DailyScheduleError", new DailyScheduleError("pause", "daily", "dq", "not found")],
    ["SlackApiError", new SlackApiError("chat.postMessage", "C1", { cause: new Error("channel_not_found") })],
  ])("%s is user-facing and keeps its own name", (name, error) => {
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.name).toBe(name);
  });
});
