import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

function run(...argv: string[]) {
  const result = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'dcgan-train-test-'));
}

describe('dcgan-train on bad input: one clear line, non-zero exit, nothing overwritten', () => {
  it('rejects a size that is not a power of two', () => {
    const result = run('--quickstart', '--size', '48');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('dcgan-train: error: Expected `--size` to be a power of two >= 16, got `48`');
  });

  it('rejects a missing dataset path', () => {
    const out = join(temporaryDirectory(), 'run');
    const result = run('--data', '/nonexistent/bedrooms', '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('dcgan-train: error: Dataset path /nonexistent/bedrooms does not exist');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an output directory that holds another run', () => {
    const out = temporaryDirectory();
    writeFileSync(join(out, 'run.json'), '{"precious":true}\n');
    const result = run('--quickstart', '--out', out, '--steps', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Output directory ${out} already holds a run (run.json); pass --resume`);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toBe('{"precious":true}\n');
    expect(readdirSync(out)).toEqual(['run.json']);
  });

  it('refuses an unknown flag and a bad backend name', () => {
    expect(run('--quickstart', '--epochz', '3').stderr).toMatch(/^dcgan-train: error: Unknown option '--epochz'/);
    const backend = run('--quickstart', '--backend', 'webgl');
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain('Expected `--backend` to be auto, tensorflow-gpu, tensorflow, wasm or cpu, got `webgl`');
  });

  it('prints help and a doctor report', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('dcgan-train --quickstart');
    const doctor = run('--doctor');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/ok {2}wasm +@tensorflow\/tfjs-backend-wasm +loads and runs/);
    expect(doctor.stdout).toMatch(/no {2}tensorflow-gpu +@tensorflow\/tfjs-node-gpu +@tensorflow\/tfjs-node-gpu is not installed/);
    expect(doctor.stdout).toContain('to enable the GPU path: pnpm add @tensorflow/tfjs-node-gpu@4.22.0');
  });
});

describe('dcgan-train on real digits', () => {
  const small = ['--quickstart', '--size', '16', '--base-width', '8', '--batch-size', '8', '--sample-every', '2', '--checkpoint-every', '2'];

  it('trains, writes grids, metrics, a checkpoint and a generator, then resumes where it stopped', () => {
    const out = join(temporaryDirectory(), 'run');
    const first = run(...small, '--steps', '3', '--out', out, '--backend', 'wasm');
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    expect(readdirSync(join(out, 'samples')).sort()).toEqual(['step-000000.png', 'step-000002.png', 'step-000003.png']);
    expect(statSync(join(out, 'samples', 'step-000003.png')).size).toBeGreaterThan(100);
    expect(existsSync(join(out, 'generator', 'model.json'))).toBe(true);
    const metrics = () => readFileSync(join(out, 'metrics.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: number; discriminatorLoss: number });
    expect(metrics().map((entry) => entry.step)).toEqual([1, 2, 3]);
    expect(metrics().every((entry) => Number.isFinite(entry.discriminatorLoss))).toBe(true);

    const second = run('--resume', '--out', out, '--steps', '5', '--backend', 'wasm');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('resuming');
    expect(second.stderr).toContain('at step 3');
    expect(metrics().map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('resumes exactly: 3 steps + resume to 5 gives the same weights as 5 steps straight', () => {
    const straight = join(temporaryDirectory(), 'straight');
    const split = join(temporaryDirectory(), 'split');
    expect(run(...small, '--steps', '5', '--out', straight, '--backend', 'wasm').code).toBe(0);
    expect(run(...small, '--steps', '3', '--out', split, '--backend', 'wasm').code).toBe(0);
    expect(run('--resume', '--out', split, '--steps', '5', '--backend', 'wasm').code).toBe(0);
    const weights = (directory: string) => readFileSync(join(directory, 'checkpoint', readdirSync(join(directory, 'checkpoint')).find((name) => name.endsWith('.bin'))!));
    expect(weights(split).equals(weights(straight))).toBe(true);
  });

  it('refuses to resume from a corrupt checkpoint, naming the file', () => {
    const out = join(temporaryDirectory(), 'run');
    expect(run(...small, '--steps', '1', '--out', out, '--backend', 'wasm').code).toBe(0);
    const manifest = join(out, 'checkpoint', 'checkpoint.json');
    writeFileSync(manifest, '{"truncated": ');
    const result = run('--resume', '--out', out, '--steps', '2', '--backend', 'wasm');
    expect(result.code).toBe(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.includes('error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^dcgan-train: error: /);
    expect(errorLines[0]).toContain(manifest);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(manifest, 'utf8')).toBe('{"truncated": ');
  });
});
