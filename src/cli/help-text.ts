// The "Example:" block every command's --help ends with. Apart from program.ts, so a command module can be loaded
// without commander (src/hot.ts).
export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}`;
}
