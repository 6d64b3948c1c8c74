import { z } from "zod";

/** CreateSchedule and UpdateSchedule bodies as @aws-sdk/client-scheduler sends them (REST-JSON, dates in epoch seconds). */
export const ScheduleRequest = z
  .object({
    ScheduleExpression: z.string().min(1).max(256),
    ScheduleExpressionTimezone: z.string().min(1).max(50).optional(),
    Target: z.looseObject({
      Arn: z.string().min(1).max(1600),
      RoleArn: z.string().min(1).max(1600),
      Input: z.string().min(1).max(8192).optional(),
      RetryPolicy: z
        .object({
          MaximumEventAgeInSeconds: z.number().int().min(60).max(86_400).optional(),
          MaximumRetryAttempts: z.number().int().min(0).max(185).optional(),
        })
        .optional(),
      SqsParameters: z.object({ MessageGroupId: z.string().min(1).max(128).optional() }).optional(),
    }),
    FlexibleTimeWindow: z
      .object({
        Mode: z.enum(["OFF", "FLEXIBLE"]),
        MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
      })
      .refine((window) => (window.Mode === "FLEXIBLE") === (window.MaximumWindowInMinutes !== undefined), {
        message: "MaximumWindowInMinutes is required with Mode FLEXIBLE and not allowed with Mode OFF",
      }),
    GroupName: z
      .string()
      .regex(/^[0-9a-zA-Z-_.]{1,64}$/)
      .optional(),
    StartDate: z.number().optional(),
    EndDate: z.number().optional(),
    Description: z.string().max(512).optional(),
    State: z.enum(["ENABLED", "DISABLED"]).default("ENABLED"),
    KmsKeyArn: z.string().optional(),
    ClientToken: z.string().optional(),
    ActionAfterCompletion: z.enum(["NONE", "DELETE"]).default("NONE"),
  })
  .refine((body) => body.StartDate === undefined || body.EndDate === undefined || body.StartDate < body.EndDate, {
    message: "EndDate must be after StartDate",
  });
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;

export const SCHEDULE_NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

export const ListSchedulesQuery = z.object({
  ScheduleGroup: z.string().optional(),
  NamePrefix: z.string().optional(),
  State: z.enum(["ENABLED", "DISABLED"]).optional(),
  NextToken: z.string().optional(),
  MaxResults: z.coerce.number().int().min(1).max(100).default(100),
});
