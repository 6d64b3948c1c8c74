import type { Block } from "../../app/slack/blocks.ts";
import { renderMessageForTerminal } from "../../app/slack/terminal.ts";
import type { FakeSlackCall, FakeSlackMessage } from "./fake-slack.ts";

/**
 * A FakeSlack `onMessage` that prints each posted or updated message as the channel would show it, so
 * `npm run demo` and `dq local` show the live progress and the summary in the terminal.
 */
export function terminalPrinter(write: (text: string) => void = (text) => process.stdout.write(`${text}\n`)) {
  const shown = new Map<string, string>();
  return (message: FakeSlackMessage, call: FakeSlackCall): void => {
    const key = `${message.channel}/${message.ts}`;
    const content = JSON.stringify([message.text, message.blocks]);
    // An update that changes nothing (the notifier's settle rewrite) is not worth a second screenful.
    if (shown.get(key) === content) return;
    shown.set(key, content);
    const where = message.threadTs
      ? `slack thread of ${message.threadTs}${message.broadcast ? ", also in the channel" : ""}`
      : "slack";
    const label = call.method === "chat.update" ? `${where} (updated ×${message.updates})` : where;
    write(
      renderMessageForTerminal(
        { channel: message.channel, text: message.text, blocks: message.blocks as Block[] },
        label,
      ),
    );
  };
}
