// The Pulumi program (Pulumi.yaml `main`): builds the current stack from its `dq:` config and exports its outputs.
import { assertSupportedNode } from "./node-version.ts";
import { createStack } from "./stack.ts";

assertSupportedNode();
const outputs = createStack();

export const slackRequestUrl = outputs.slackRequestUrl;
export const tableName = outputs.tableName;
export const queueName = outputs.queueName;
export const deadLetterQueueName = outputs.deadLetterQueueName;
export const dashboardUrl = outputs.dashboardUrl;
export const eventBusName = outputs.eventBusName;
export const scheduleGroupName = outputs.scheduleGroupName;
