// The Pulumi program (Pulumi.yaml `main`): builds the current stack from its `dq:` config and exports its outputs.
import { createStack } from "./stack.ts";

const outputs = createStack();

export const slackRequestUrl = outputs.slackRequestUrl;
export const tableName = outputs.tableName;
export const queueName = outputs.queueName;
export const deadLetterQueueName = outputs.deadLetterQueueName;
export const dashboardUrl = outputs.dashboardUrl;
export const eventBusName = outputs.eventBusName;
export const scheduleGroupName = outputs.scheduleGroupName;
