import { spawn } from "node:child_process";
import process from "node:process";
import type { NotificationMessage } from "./message.ts";

const STDERR_TAIL = 2048;

/**
 * Runs the shell command once with the message as JSON on stdin and STRATA_* variables in
 * its environment. It is not retried: a command may have done its work before failing.
 * Past `timeoutMs` its whole process group is killed.
 */
export function runCommand(command: string, message: NotificationMessage, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also ends what the shell started (POSIX only).
    const ownGroup = process.platform !== "win32";
    const child = spawn(command, { shell: true, stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, ...variables(message) }, detached: ownGroup });
    let stderr = "";
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A background process of the command may hold stderr open; stop reading it.
      child.stderr?.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      try {
        if (ownGroup && child.pid) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      finish(new Error(`command: did not finish within ${Math.round(timeoutMs)} ms and was stopped`));
    }, Math.max(1, timeoutMs));
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    child.on("error", (error) => finish(new Error(`command: could not start: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) return finish();
      const last = stderr.trim().split("\n").pop()?.slice(0, 300);
      finish(new Error(`command: exited with ${signal ? `signal ${signal}` : `code ${code}`}${last ? `: ${last}` : ""}`));
    });
    // A command that does not read its stdin closes the pipe early: not an error.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(`${JSON.stringify(message)}\n`);
  });
}

/** The message as environment variables, for commands that do not parse JSON. */
function variables(m: NotificationMessage): Record<string, string> {
  return {
    STRATA_EVENT: m.event,
    STRATA_COMMAND: m.command,
    STRATA_ENV: m.environment,
    STRATA_ENVIRONMENT: m.environment,
    STRATA_SUCCESS: String(m.success),
    STRATA_STATUS: m.success ? "success" : "failure",
    STRATA_DURATION_MS: String(m.durationMs),
    STRATA_MIGRATIONS: m.migrations.map((x) => x.id).join(","),
    STRATA_TEXT: m.text,
    ...(m.database ? { STRATA_DATABASE: m.database } : {}),
    ...(m.dialect ? { STRATA_DIALECT: m.dialect } : {}),
    ...(m.error ? { STRATA_ERROR_CODE: m.error.code, STRATA_ERROR_MESSAGE: m.error.message } : {}),
    ...(m.error?.migrationId ? { STRATA_ERROR_MIGRATION: m.error.migrationId } : {}),
  };
}
