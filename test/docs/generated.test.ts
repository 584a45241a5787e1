// references/messages.md and references/json-schemas.md are generated from the code (npm run docs). This fails when
// the committed files are not what the code produces now: a template, a command's output or a schema changed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedDocs } from "../../scripts/gen-docs.ts";
import { ROOT } from "../support/helpers.ts";

describe("generated references", () => {
  it("are up to date (run `npm run docs` after changing templates, output or schemas)", async () => {
    const docs = await generatedDocs();
    expect(Object.keys(docs).sort()).toEqual(["references/json-schemas.md", "references/messages.md", "references/openapi.json"]);
    for (const [path, text] of Object.entries(docs)) {
      expect(readFileSync(join(ROOT, path), "utf8"), `${path} is stale: run npm run docs`).toBe(text);
    }
  });

  it("show every template in both languages with the exact Live Task Pulse punctuation", () => {
    const md = readFileSync(join(ROOT, "references", "messages.md"), "utf8");
    for (const line of [
      "🚀 开始【日报发布】",
      "📋 抓取 → 写稿 → 发布",
      "✅ [1/3] 抓取完成（抓取了25条数据）",
      "✅ [2/3] 写稿完成\n🔄 → 发布",
      "🎉 【日报发布】完成！(2m5s)",
      "❌ 【数据同步】失败\n错误: 登录过期\n当前步骤: 登录 [0/2]",
      "⚠️ 【部署 Nginx 服务】可能卡住了（4分钟无更新）",
      "🚀 Started [Daily report]",
      "❌ [Data sync] failed",
    ]) {
      expect(md).toContain(line);
    }
  });
});
