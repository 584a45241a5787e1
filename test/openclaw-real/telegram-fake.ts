// The one fake of this tier: a chat network. OpenClaw's Telegram channel talks to a Bot API root it is configured
// with (channels.telegram.apiRoot); this server answers on loopback as the Bot API would and records every message
// OpenClaw sends or edits, so a test sees exactly what would have reached the chat.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

export interface Delivered {
  method: "sendMessage" | "editMessageText";
  chatId: string;
  text: string;
  messageId?: number;
}

export interface FakeTelegram {
  /** The Bot API root to configure (http://127.0.0.1:<port>). */
  apiRoot: string;
  /** Messages sent and edited so far, in order. */
  delivered: Delivered[];
}

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await new Promise((res) => server.close(res));
});

export async function fakeTelegram(): Promise<FakeTelegram> {
  const delivered: Delivered[] = [];
  let nextId = 100;
  const sent = new Set<number>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const method = /^\/bot[^/]+\/(\w+)/.exec(req.url ?? "")?.[1] ?? "";
      let params: Record<string, unknown> = {};
      try {
        params = body ? JSON.parse(body) : Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams);
      } catch {
        // a form body: not used by the calls recorded here
      }
      const reply = (result: unknown) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true, result }));
      };
      const chatId = String(params.chat_id ?? "");
      const text = String(params.text ?? "");
      switch (method) {
        case "getMe":
          return reply({ id: 4242, is_bot: true, first_name: "taskpulse test", username: "tp_test_bot" });
        case "getUpdates":
          // a long poll with nothing new
          return setTimeout(() => reply([]), 500);
        case "sendMessage": {
          const messageId = nextId++;
          sent.add(messageId);
          delivered.push({ method, chatId, text, messageId });
          return reply({ message_id: messageId, date: 1, chat: { id: Number(chatId) || 1, type: "private" }, text });
        }
        case "editMessageText": {
          const messageId = Number(params.message_id);
          if (!sent.has(messageId)) {
            // as the Bot API answers for a message it does not have (deleted, never sent)
            res.statusCode = 400;
            res.setHeader("content-type", "application/json");
            return res.end(JSON.stringify({ ok: false, error_code: 400, description: "Bad Request: message to edit not found" }));
          }
          delivered.push({ method, chatId, text, messageId });
          return reply({ message_id: messageId, date: 1, chat: { id: Number(chatId) || 1, type: "private" }, text });
        }
        default:
          // deleteWebhook, setMyCommands, …: accepted
          return reply(true);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return { apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, delivered };
}
