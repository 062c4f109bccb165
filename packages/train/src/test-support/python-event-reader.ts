import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * The independent reference for event files: scripts/read-event-file.py, run by a Python that has Google's
 * protobuf runtime (Debian's python3-protobuf). Debian installs it for /usr/bin/python3, which need not be the
 * first `python3` on PATH (pyenv and friends), so both are tried; `PYTHON` overrides.
 */

const script = fileURLToPath(new URL('../../scripts/read-event-file.py', import.meta.url));

/** What the Python reader prints for one event. */
export interface ReadEvent {
  readonly wall_time: number;
  readonly step: number;
  readonly kind: 'file_version' | 'summary' | 'session_log' | 'graph_def' | null;
  readonly file_version?: string;
  readonly session_status?: number;
  /** Tag to value; NaN and infinities come as Python spells them ("nan", "inf", "-inf"). */
  readonly scalars?: Record<string, number | string>;
  readonly images?: { tag: string; width: number; height: number; colorspace: number; base64: string }[];
}

export interface ReadEventFile {
  readonly events: ReadEvent[];
  readonly errors: string[];
  readonly truncated_tail: boolean;
}

/** The first Python that can import google.protobuf, or null. */
export function findProtobufPython(): string | null {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((item): item is string => !!item);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import google.protobuf'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

/** Runs the Python reader on `path`. */
export function readEventFileWithPython(python: string, path: string): ReadEventFile {
  const result = spawnSync(python, [script, path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${script} failed (status ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as ReadEventFile;
}
