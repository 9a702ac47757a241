// Running the OpenTofu CLI in a working directory: `plan -out`, `show -json`, `apply <planfile>`.
// Never Terraform: the binary is `tofu` (ECO_TOFU_BINARY), and a missing binary is a finding.
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface TofuRun {
  stdout: string;
  stderr: string;
}

/** The absolute path of the binary: as given when it has a slash, else the first match on PATH. */
export async function findBinary(binary: string, path: string | undefined): Promise<string | undefined> {
  const candidates = binary.includes('/')
    ? [binary]
    : (path ?? '')
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, binary));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function tofu(
  binary: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TofuRun> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
        ...(signal ? { signal } : {}),
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            Object.assign(
              new Error(
                `tofu ${args[0] ?? ''} failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' ')}`,
              ),
              { stderr },
            ),
          );
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** Plans into a temporary file and returns the JSON plan and the file (kept for an approved apply). */
export async function planAndShow(
  binary: string,
  workdir: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ json: unknown; planFile: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'eco-tofu-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const planFile = join(dir, 'plan.tfplan');
    await tofu(
      binary,
      ['plan', '-input=false', '-no-color', '-lock=false', `-out=${planFile}`],
      workdir,
      timeoutMs,
      signal,
    );
    const shown = await tofu(binary, ['show', '-json', '-no-color', planFile], workdir, timeoutMs, signal);
    return { json: JSON.parse(shown.stdout) as unknown, planFile, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
