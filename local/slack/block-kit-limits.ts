/**
 * The limits Slack enforces on a message's blocks, written out independently of app/slack/blocks.ts so that the
 * fake Slack judges what the app sends instead of trusting the app's own idea of the limits.
 * Source: Block Kit reference (blocks, elements, composition objects) and the chat.postMessage reference.
 */
export const BLOCK_KIT = {
  blocksPerMessage: 50,
  /** `text` of a message: Slack truncates beyond 40,000; the app must stay under it. */
  messageText: 40_000,
  /**
   * All block text together: Slack answers `msg_blocks_too_long` somewhere past 13,000 characters even when every
   * block is within its own limit (slackapi/bolt-js#2509); 12,000 is where the fake draws the line.
   */
  blocksTotalText: 12_000,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextText: 2_000,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2_000,
  buttonUrl: 3_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

type Json = Record<string, unknown>;

/** What is wrong with `blocks`, one line per problem, in Slack's `[ERROR] …` style; empty when Slack would take them. */
export function blockProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ["[ERROR] blocks must be an array"];
  const problems: string[] = [];
  if (blocks.length > BLOCK_KIT.blocksPerMessage)
    problems.push(`[ERROR] no more than ${BLOCK_KIT.blocksPerMessage} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const at = `/blocks/${i}`;
    if (!raw || typeof raw !== "object") {
      problems.push(`[ERROR] must be an object [json-pointer:${at}]`);
      return;
    }
    const block = raw as Json;
    const id = block.block_id;
    if (id !== undefined) {
      if (typeof id !== "string" || id.length > BLOCK_KIT.blockId)
        problems.push(
          `[ERROR] must be a string of at most ${BLOCK_KIT.blockId} characters [json-pointer:${at}/block_id]`,
        );
      else if (blockIds.has(id)) problems.push(`[ERROR] duplicate block_id ${id} [json-pointer:${at}/block_id]`);
      else blockIds.add(id);
    }
    switch (block.type) {
      case "header":
        problems.push(...textProblems(block.text, BLOCK_KIT.headerText, `${at}/text`, ["plain_text"]));
        break;
      case "section": {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`[ERROR] a section needs text or fields [json-pointer:${at}]`);
        if (block.text !== undefined) problems.push(...textProblems(block.text, BLOCK_KIT.sectionText, `${at}/text`));
        if (block.fields !== undefined) {
          const fields = Array.isArray(block.fields) ? block.fields : [];
          if (fields.length === 0 || fields.length > BLOCK_KIT.sectionFields)
            problems.push(`[ERROR] 1 to ${BLOCK_KIT.sectionFields} fields [json-pointer:${at}/fields]`);
          fields.forEach((f, j) => {
            problems.push(...textProblems(f, BLOCK_KIT.fieldText, `${at}/fields/${j}`));
          });
        }
        break;
      }
      case "context": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > BLOCK_KIT.contextElements)
          problems.push(`[ERROR] 1 to ${BLOCK_KIT.contextElements} elements [json-pointer:${at}/elements]`);
        elements.forEach((e, j) => {
          problems.push(...textProblems(e, BLOCK_KIT.contextText, `${at}/elements/${j}`));
        });
        break;
      }
      case "actions": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > BLOCK_KIT.actionsElements)
          problems.push(`[ERROR] 1 to ${BLOCK_KIT.actionsElements} elements [json-pointer:${at}/elements]`);
        elements.forEach((e, j) => {
          problems.push(...buttonProblems(e, `${at}/elements/${j}`));
        });
        break;
      }
      case "divider":
        break;
      default:
        problems.push(`[ERROR] unsupported block type ${JSON.stringify(block.type)} [json-pointer:${at}/type]`);
    }
  });
  return problems;
}

/** The characters of text a message's blocks carry, as Slack counts them against `msg_blocks_too_long`. */
export function blocksTextLength(blocks: readonly unknown[]): number {
  let total = 0;
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const object = value as Json;
      if (typeof object.text === "string") total += object.text.length;
      for (const [key, child] of Object.entries(object)) if (key !== "text" || typeof child !== "string") visit(child);
    }
  };
  visit(blocks);
  return total;
}

function textProblems(raw: unknown, max: number, at: string, types = ["mrkdwn", "plain_text"]): string[] {
  const text = raw as Json | undefined;
  if (!text || typeof text !== "object" || !types.includes(String(text.type)))
    return [`[ERROR] must be a text object of type ${types.join(" or ")} [json-pointer:${at}]`];
  if (typeof text.text !== "string" || text.text.length === 0)
    return [`[ERROR] must be a non-empty string [json-pointer:${at}/text]`];
  if (text.text.length > max) return [`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}/text]`];
  return [];
}

function buttonProblems(raw: unknown, at: string): string[] {
  const button = raw as Json | undefined;
  if (button?.type !== "button") return [`[ERROR] only buttons are expected here [json-pointer:${at}]`];
  const problems = textProblems(button.text, BLOCK_KIT.buttonText, `${at}/text`, ["plain_text"]);
  const limited: [string, number][] = [
    ["action_id", BLOCK_KIT.actionId],
    ["value", BLOCK_KIT.buttonValue],
    ["url", BLOCK_KIT.buttonUrl],
  ];
  for (const [field, max] of limited) {
    const value = button[field];
    if (value !== undefined && (typeof value !== "string" || value.length === 0 || value.length > max))
      problems.push(`[ERROR] must be 1 to ${max} characters [json-pointer:${at}/${field}]`);
  }
  if (button.style !== undefined && button.style !== "primary" && button.style !== "danger")
    problems.push(`[ERROR] must be primary or danger [json-pointer:${at}/style]`);
  if (button.confirm !== undefined) {
    const confirm = button.confirm as Json;
    problems.push(...textProblems(confirm.title, BLOCK_KIT.confirmTitle, `${at}/confirm/title`, ["plain_text"]));
    problems.push(...textProblems(confirm.text, BLOCK_KIT.confirmText, `${at}/confirm/text`));
    problems.push(...textProblems(confirm.confirm, BLOCK_KIT.confirmButton, `${at}/confirm/confirm`, ["plain_text"]));
    problems.push(...textProblems(confirm.deny, BLOCK_KIT.confirmButton, `${at}/confirm/deny`, ["plain_text"]));
  }
  return problems;
}
