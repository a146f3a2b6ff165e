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
