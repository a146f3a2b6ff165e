import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

/**
 * Writes a project from an object literal of relative path -> file text into a temp
 * directory, removed when the test finishes.
 */
export async function writeProject(files: Record<string, string>, options: { keep?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "strata-project-"));
  await addFiles(dir, files);
  if (!options.keep) onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function addFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
}
