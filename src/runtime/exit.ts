/** Calls `handler` on each SIGINT (Ctrl-C) and SIGTERM, which then no longer end the process by themselves. */
export function onStopSignals(handler: (signal: "SIGINT" | "SIGTERM") => void): void {
  process.on("SIGINT", () => handler("SIGINT"));
  process.on("SIGTERM", () => handler("SIGTERM"));
}

/** EPIPE on stdout or stderr is dropped; any other stream error is still thrown. */
export function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/** Exits once stdout and stderr have flushed: a pipe may still hold output (Node, Bun, Deno). */
export function flushAndExit(code: number): Promise<never> {
  return new Promise<never>(() => {
    let pending = 2;
    const done = () => {
      if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
  });
}
