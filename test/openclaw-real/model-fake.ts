// A scripted model for a real gateway's agent turns: an OpenAI-compatible `/v1/chat/completions` on loopback,
// configured as a custom provider (models.providers.<id>.baseUrl, api "openai-completions"). Each request gets the
// next step of the script, chosen by how many tool results the conversation already holds: a tool call, or the final
// text. It records each request, so a test sees which tools the gateway offered the model and what they returned.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

export type Step = { tool: string; args: Record<string, unknown> } | { text: string };

export interface ModelRequest {
  tools: string[];
  messages: { role: string; content?: unknown; tool_call_id?: string; name?: string }[];
}

export interface FakeModel {
  /** The provider config to put under models.providers. */
  provider: Record<string, unknown>;
  /** The requests so far, in order. */
  requests: ModelRequest[];
  /** Sets the script of the next turn (steps in order; the last should be text). */
  script(steps: Step[]): void;
}

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await new Promise((res) => server.close(res));
});

export const FAKE_MODEL_ID = "scripted";

export async function fakeModel(): Promise<FakeModel> {
  const requests: ModelRequest[] = [];
  let steps: Step[] = [{ text: "nothing to do" }];
  let turnStart = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      if (!req.url?.endsWith("/chat/completions")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ object: "list", data: [{ id: FAKE_MODEL_ID, object: "model" }] }));
        return;
      }
      const parsed = JSON.parse(body) as {
        stream?: boolean;
        tools?: { function?: { name?: string } }[];
        messages?: ModelRequest["messages"];
      };
      const messages = parsed.messages ?? [];
      requests.push({ tools: (parsed.tools ?? []).map((t) => t.function?.name ?? ""), messages });
      const results = messages.filter((m) => m.role === "tool").length;
      const step = steps[Math.min(results - turnStart, steps.length - 1)] ?? { text: "done" };
      if ("text" in step) turnStart = results;
      const id = `chatcmpl-${requests.length}`;
      const delta =
        "tool" in step
          ? {
              role: "assistant",
              tool_calls: [
                {
                  index: 0,
                  id: `call_${requests.length}`,
                  type: "function",
                  function: { name: step.tool, arguments: JSON.stringify(step.args) },
                },
              ],
            }
          : { role: "assistant", content: step.text };
      const finish = "tool" in step ? "tool_calls" : "stop";
      const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
      if (!parsed.stream) {
        const { tool_calls, content } = delta as { tool_calls?: unknown; content?: string };
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            id,
            object: "chat.completion",
            created: 1,
            model: FAKE_MODEL_ID,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: content ?? null, ...(tool_calls ? { tool_calls } : {}) },
                finish_reason: finish,
              },
            ],
            usage,
          }),
        );
        return;
      }
      res.setHeader("content-type", "text/event-stream");
      const chunk = (choice: object, extra: object = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: FAKE_MODEL_ID, choices: [choice], ...extra })}\n\n`,
        );
      chunk({ index: 0, delta, finish_reason: null });
      chunk({ index: 0, delta: {}, finish_reason: finish }, { usage });
      res.end("data: [DONE]\n\n");
    });
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    provider: {
      baseUrl: url,
      apiKey: "sk-fake",
      api: "openai-completions",
      models: [
        {
          id: FAKE_MODEL_ID,
          name: "Scripted",
          reasoning: false,
          input: ["text"],
          cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
          contextWindow: 128000,
          maxTokens: 4096,
        },
      ],
    },
    requests,
    script(next) {
      steps = next;
    },
  };
}
