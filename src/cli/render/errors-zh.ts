// The Chinese of the error messages, in Live Task Pulse's wording (`错误: …`; full-width punctuation as in
// core/templates.ts). Three tables, from zhTables(): `messages` by key (errors that carry their variable parts; a key
// without an entry is a type error), `fixed` by exact English text (messages and hints that never vary;
// test/cli/error-text.test.ts fails when one of them no longer occurs in the source), and `leads` by error code, the
// Chinese put before an English message that neither table knows.
import type { TaskStatus } from "../../core/model.ts";
import type { MessageParams, ZhText } from "./error-text.ts";

/** "is done" for a message about a task: `任务 k3m9xq（日报）已完成`. */
const STATE: Record<TaskStatus, string> = {
  pending: "还在排队",
  running: "正在执行",
  done: "已完成",
  failed: "已失败",
  cancelled: "已取消",
};

/** The state a command needs: `只能用于执行中的任务`. */
const NEEDED: Record<TaskStatus, string> = {
  pending: "排队中",
  running: "执行中",
  done: "已完成",
  failed: "已失败",
  cancelled: "已取消",
};

/** The hint per state the task is in (core/lifecycle.ts HINTS). */
const STATE_HINT: Record<TaskStatus, (id: string) => string> = {
  pending: (id) => `先启动它：taskpulse start ${id}`,
  running: (id) => `它正在执行：用 taskpulse done ${id} 完成它，或将它标记为失败、取消它`,
  done: () => "它已完成；还有工作请新建任务",
  failed: (id) => `它已失败：taskpulse retry ${id} 会把它放回队列`,
  cancelled: () => "它已取消；还有工作请新建任务",
};

/** The things an error names in English (`invalid priority`, `task name is too long`), in Chinese. */
const NOUNS: Record<string, string> = {
  priority: "优先级",
  "task name": "任务名",
  "step name": "步骤名",
  "step budget": "步骤时限",
  "agent name": "代理名",
  "job name": "定时任务名",
  "state name": "状态文档名",
  "message id": "消息 ID",
  tag: "标签",
  tags: "标签",
  group: "分组名",
  steps: "步骤",
  arguments: "参数",
  message: "消息",
  reason: "原因",
  summary: "总结",
  result: "结果",
  error: "错误信息",
  description: "描述",
  duration: "时长",
  time: "时间",
  limit: "并发上限",
  "--meta key": "--meta 的键",
  "--meta value": "--meta 的值",
};

/** What a message is about: `优先级` for a thing, `--progress 的值` for an option or a variable. */
function subject(what: string): string {
  return NOUNS[what] ?? `${what} 的值`;
}

/** A thing that comes in numbers: `步骤`, or an option itself (`--after`). */
function things(what: string): string {
  return NOUNS[what] ?? `${what} `;
}

const task = (id: string, name: string) => `任务 ${id}（${name}）`;

function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return "";
  return names.length === 1 ? `\n（是不是想用 ${names[0]}？）` : `\n（是不是想用其中之一：${names.join(", ")}？）`;
}

type ZhMessages = { [K in keyof MessageParams]: (p: MessageParams[K]) => ZhText };

/** The Chinese of each error with variable parts, by its key. */
const messages = (): ZhMessages => ({
  task_not_found: (p) => `找不到任务 '${p.id}'`,
  ambiguous_id: (p) => {
    const more = p.candidates.length > 10 ? `，另有 ${p.candidates.length - 10} 个` : "";
    return `ID 前缀 '${p.prefix}' 对应 ${p.candidates.length} 个任务：${p.candidates.slice(0, 10).join(", ")}${more}`;
  },
  invalid_task_id: (p) => `任务 ID 无效：'${p.value}'`,
  wrong_state: (p) => ({
    message: `${task(p.id, p.name)}${STATE[p.status]}，\`${p.command}\` 只能用于${p.allowed.map((s) => NEEDED[s]).join("或")}的任务`,
    hint: STATE_HINT[p.status](p.id),
  }),
  no_current_step: (p) => ({
    message: `${task(p.id, p.name)}没有当前步骤`,
    hint:
      p.steps === 0
        ? `它没有步骤：用 taskpulse heartbeat ${p.id} 汇报进展，或用 taskpulse done ${p.id} 完成它`
        : `用 taskpulse done ${p.id} 完成它`,
  }),
  retry_refused: (p) => `${task(p.id, p.name)}失败时标记了 --no-retry，不能重试`,
  retry_limit: (p) => `${task(p.id, p.name)}已达到重试上限（${p.retries}/${p.max}）`,
  no_stop_request: (p) => ({
    message: `${task(p.id, p.name)}没有待确认的停止请求`,
    hint: `先检查：有停止请求时 taskpulse check ${p.id} 以 20 退出`,
  }),
  no_such_step: (p) => ({
    message: `${task(p.id, p.name)}没有尚未开始的步骤 '${p.step}'`,
    hint: p.left.length > 0 ? `尚未开始的步骤：${p.left.join(", ")}` : `它已没有剩下的步骤：用 taskpulse done ${p.id} 完成它`,
  }),
  no_open_step: (p) => ({
    message: `${task(p.id, p.name)}没有未完成的步骤 '${p.step}'`,
    hint: p.open.length > 0 ? `未完成的步骤：${p.open.join(", ")}` : `没有未完成的步骤：去掉 --step，用 taskpulse error ${p.id} "…"`,
  }),
  waits_for_dependencies: (p) =>
    p.blocked
      ? { message: `${task(p.id, p.name)}被阻塞：它依赖的任务失败或已取消：${p.on.join(", ")}`, hint: `重试依赖的任务，或取消 ${p.id}` }
      : { message: `${task(p.id, p.name)}还在等待它依赖的任务：${p.on.join(", ")}`, hint: "先完成这些任务" },
  invalid_value: (p) => `${subject(p.what)}无效：'${p.value}'`,
  value_too_large: (p) => `${subject(p.what)}太大：'${p.value}'`,
  invalid_name: (p) => ({
    message: `${subject(p.what)}无效：'${p.value}'`,
    hint: `${subject(p.what)}由 1-64 个字母、数字、'.'、'_' 或 '-' 组成，以字母或数字开头，不含 '..'`,
  }),
  too_long: (p) => `${subject(p.what)}太长（${p.length} 个字符，最多 ${p.max} 个）`,
  empty: (p) => `${subject(p.what)}不能为空`,
  too_many: (p) => `${things(p.what)}太多（${p.count === undefined ? "" : `${p.count} 个，`}最多 ${p.max} 个）`,
  not_positive: (p) => `${subject(p.what)}必须大于零`,
  needs_task_id: (p) => ({
    message: `${p.command} 需要任务 ID`,
    hint: `taskpulse ${p.command} <id> …；或用 --agent <name> 指定代理，操作它唯一执行中的任务`,
  }),
  no_running_task: (p) => ({ message: `代理 ${p.agent} 没有执行中的任务`, hint: `请给出任务 ID：taskpulse ${p.command} <id> …` }),
  several_running_tasks: (p) => ({
    message: `代理 ${p.agent} 有 ${p.count} 个执行中的任务：${p.tasks}`,
    hint: `请给出任务 ID：taskpulse ${p.command} <id> …`,
  }),
  store_locked: (p) => ({
    message: `${p.target === "store" ? "存储" : `${p.target} `}被${
      p.holder ? ` pid ${p.holder.pid}（${p.holder.command}，代理 ${p.holder.agent}）` : ""
    }锁定，等待 ${p.seconds} 秒后放弃`,
    hint:
      p.stoppedPid === undefined
        ? undefined
        : `持有者 pid ${p.stoppedPid} 已暂停（SIGSTOP、调试器或被冻结的容器），在它继续（\`kill -CONT ${p.stoppedPid}\`）或结束之前一直占着锁；可以放心重试`,
  }),
  output_failed: (p) => `无法写出输出：${p.reason}`,
  unknown_command: (p) => `未知命令 '${p.command}'${didYouMean(p.suggestions)}`,
  unknown_option: (p) => `未知选项 '${p.option}'${didYouMean(p.suggestions)}`,
  missing_argument: (p) => `缺少必需的参数 '${p.argument}'`,
  option_missing_value: (p) => `选项 '${p.option}' 缺少值`,
  required_option: (p) => `缺少必需的选项 '${p.option}'`,
  excess_arguments: (p) => `${p.command === undefined ? "" : `'${p.command}' 的`}参数太多：应为 ${p.expected} 个，实际 ${p.got} 个`,
  invalid_choice: (p) =>
    `${p.option === undefined ? `参数 '${p.argument ?? ""}'` : `选项 '${p.option}'`} 的值 '${p.value}' 无效，可选：${p.choices}`,
  disk_error: (p) => `无法使用存储：${p.reason}`,
  internal_error: (p) => `内部错误：${p.reason}`,
});

/** Messages and hints that never vary, by their exact English. */
const fixed = (): Readonly<Record<string, string>> => ({
  // messages
  "a task needs a name": "任务需要一个名字",
  "error needs a message: what went wrong": "error 需要一条消息：说明哪里出了错",
  "--for needs --waiting": "--for 要和 --waiting 一起用",
  "nothing to change": "没有要修改的内容",
  "nothing to update": "没有要更新的内容",
  "run needs a command": "run 需要一个要执行的命令",
  "standard input is not available here": "这里读不到标准输入",
  "the store directory must not be empty": "存储目录不能为空",
  "the store lock was taken over during each of 5 commit attempts; nothing was changed": "5 次提交时存储锁都被接管；没有做任何修改",
  // hints
  'taskpulse create "name" [steps…] or taskpulse create --name "name"':
    'taskpulse create "任务名" [步骤…] 或 taskpulse create --name "任务名"',
  'taskpulse error <id> "what went wrong"': 'taskpulse error <id> "哪里出了错"',
  'taskpulse heartbeat ID --waiting "reason" --for 30m': 'taskpulse heartbeat ID --waiting "原因" --for 30m',
  "give --name, --priority, --description, --assign, --after or --no-after":
    "请给出 --name、--priority、--description、--assign、--after 或 --no-after",
  "give --merge, --set, --unset, --incr or --push": "请给出 --merge、--set、--unset、--incr 或 --push",
  "taskpulse run --job <id> -- <command> [args…]": "taskpulse run --job <id> -- <命令> [参数…]",
  "list tasks with `taskpulse status` or `taskpulse query`": "用 `taskpulse status` 或 `taskpulse query` 列出任务",
  "type more characters of the id": "多输入几位 ID",
  "task ids are letters and digits, as printed by `taskpulse create`": "任务 ID 由字母和数字组成，即 `taskpulse create` 打印的那一串",
  "create a new task if the work must be done": "如果这项工作还得做，请新建任务",
  "create a new task, or raise the limit with --max-retries when creating tasks": "请新建任务，或在创建任务时用 --max-retries 提高上限",
  "use 1-10 (higher runs first) or P0-P3 (P0 most urgent; P0=10, P1=8, P2=5, P3=3)":
    "用 1-10（越大越先执行）或 P0-P3（P0 最紧急；P0=10，P1=8，P2=5，P3=3）",
  "use percent from 0 to 100 (60 or 60%), a fraction (0.6) or a count (3/5)": "用 0 到 100 的百分比（60 或 60%）、小数（0.6）或计数（3/5）",
  "use forms like 45s, 10m, 1h30m, 2d": "用 45s、10m、1h30m、2d 这样的写法",
  "use at most a year": "最多一年",
  "use an ISO date such as 2026-05-01 or 2026-05-01T10:00:00Z, or a relative age such as 24h or 7d":
    "用 ISO 日期（如 2026-05-01 或 2026-05-01T10:00:00Z），或相对时长（如 24h 或 7d）",
  "use an ISO time such as 2026-05-01T18:00:00+08:00": "用 ISO 时间，如 2026-05-01T18:00:00+08:00",
  "use a time zone name, such as Asia/Shanghai, Europe/Berlin or UTC": "用时区名，如 Asia/Shanghai、Europe/Berlin 或 UTC",
  "use all, steps, final or silent": "用 all、steps、final 或 silent",
  "use key=value (the value may be JSON)": "用 key=value 的形式（值可以是 JSON）",
  "use key=value, or key alone": "用 key=value 的形式，或只写 key",
  "letters, digits, _ . - (at most 64)": "由字母、数字、_ . - 组成（最多 64 个字符）",
  "use 0-999": "用 0-999",
  "use a positive number": "用正整数",
  "use created, started or finished": "用 created、started 或 finished",
  "use a number from 1 to 100": "用 1 到 100 之间的数",
  "use a number of days, e.g. 7": "用天数，如 7",
  "use --incr path=n, e.g. --incr total=300": "用 --incr 路径=数值，如 --incr total=300",
  "use the rev printed by `state get --json`": "用 `state get --json` 打印的 rev",
  "the store is locked by another process; safe to retry": "存储被另一个进程锁定；可以放心重试",
  "another taskpulse holds the store; safe to retry": "另一个 taskpulse 占着存储；可以放心重试",
  "run `taskpulse doctor` to inspect the store": "运行 `taskpulse doctor` 检查存储",
  "run `taskpulse doctor`": "运行 `taskpulse doctor`",
  "the file was kept as it is; run `taskpulse doctor`": "文件保持原样；请运行 `taskpulse doctor`",
  "run `taskpulse doctor --repair`; nothing was changed": "请运行 `taskpulse doctor --repair`；没有做任何修改",
  "upgrade taskpulse; the file was not changed": "请升级 taskpulse；文件没有改动",
  "nothing was changed; safe to retry when the server is back": "没有做任何修改；服务器恢复后可以放心重试",
  "nothing was changed (an interrupted command is rolled back); safe to retry when the server is back":
    "没有做任何修改（中断的命令已回滚）；服务器恢复后可以放心重试",
  "nothing was changed; check the store directory's permissions and free space": "没有做任何修改；请检查存储目录的权限和剩余空间",
  "the previous state is intact; check the store directory's permissions and free space, then run `taskpulse doctor`":
    "之前的状态完好；请检查存储目录的权限和剩余空间，然后运行 `taskpulse doctor`",
  "the command itself was carried out (see `taskpulse log`); free space, or fix where the output goes":
    "命令本身已经执行（见 `taskpulse log`）；请腾出磁盘空间，或修正输出的去向",
  "run again with --debug for details": "加 --debug 再运行一次可看到详情",
  // commander's line after a usage error (program.ts showHelpAfterError)
  "(run with --help for usage)": "（加 --help 查看用法）",
});

/** Put before an English message that has no translation: what kind of failure it is. */
const leads = (): Readonly<Record<string, string>> & { internal: string } => ({
  usage: "用法有误",
  not_found: "找不到",
  ambiguous_id: "ID 不唯一",
  invalid_transition: "任务当前的状态不允许这样做",
  conflict: "冲突",
  store_busy: "存储正忙",
  store_unavailable: "存储暂时不可用",
  store_corrupt: "存储无法读取或已损坏",
  store_auth: "数据库拒绝登录",
  io_error: "存储读写失败",
  /** The HTTP API's: an agent's token acting on another agent's task (src/serve/api-auth.ts). */
  forbidden: "无权操作",
  internal: "内部错误",
});

export interface ZhTables {
  messages: ZhMessages;
  fixed: ReturnType<typeof fixed>;
  leads: ReturnType<typeof leads>;
}

let tables: ZhTables | undefined;

/**
 * The three tables, built when the first message is put into Chinese. They are most of this file, and nearly every
 * call shows no error at all: built at load, they would cost every start, which agents make hundreds of times a task.
 */
export function zhTables(): ZhTables {
  tables ??= { messages: messages(), fixed: fixed(), leads: leads() };
  return tables;
}
