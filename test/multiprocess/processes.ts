// Real `assent serve` and `assent worker` processes for the multi-process harness: started as
// an operator would (bin/assent.js, environment only), killed with SIGKILL, restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/assent.js', import.meta.url));
/** Starting takes seconds on a busy machine (tsx compiles the sources); a start that takes longer than this failed. */
const START_TIMEOUT_MS = 180_000;
const LOG_KEEP = 20_000;

// Whatever happens to the test process, no child outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export type ProcKind = 'serve' | 'worker';

/** One process of an installation; `start` again after a kill restarts it (a server on the same port). */
export class Proc {
  private child: ChildProcess | null = null;
  /** Set before the harness ends the current child itself, so its exit is not counted as a crash. */
  private ending: { expected: boolean } = { expected: false };
  private exited: Promise<unknown> = Promise.resolve();
  /** The server's base URL (serve only), known once it listens. */
  url: string | null = null;
  private port = 0;
  private output = '';
  starts = 0;
  kills = 0;
  /** Exits nobody asked for (a crash): a case fails on any. */
  readonly crashes: string[] = [];

  constructor(
    readonly name: string,
    readonly kind: ProcKind,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last part of what the process wrote (stdout and stderr), for a failure message. */
  log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const args = this.kind === 'serve' ? [BIN, 'serve', '--port', String(this.port), '--host', '127.0.0.1'] : [BIN, 'worker'];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    this.starts++;
    const ending: { expected: boolean } = { expected: false };
    this.ending = ending;
    const keep = (d: Buffer) => {
      this.output = (this.output + String(d)).slice(-LOG_KEEP);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = once(child, 'exit').then(([code, signal]) => {
      live.delete(child);
      if (!ending.expected) this.crashes.push(`${this.name} exited on its own (code ${code}, signal ${signal})`);
    });
    const ready = this.kind === 'serve' ? /running at (http:\/\/\S+)[\s\S]*Health/ : /assent worker running/;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${this.output}`)),
        START_TIMEOUT_MS,
      );
      // Only while starting: an exit after that is a crash, which `exited` records.
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited while starting (code ${code}, signal ${signal}):\n${this.output}`));
      };
      const onData = (d: Buffer) => {
        seen += String(d);
        const m = ready.exec(seen);
        if (!m) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        if (this.kind === 'serve') {
          this.url = m[1]!.replace('://localhost', '://127.0.0.1');
          this.port = Number(new URL(this.url).port);
        }
        resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** SIGKILL: no handler runs, no connection is closed politely. */
  async kill(): Promise<void> {
    if (!this.child || !this.alive) return;
    this.ending.expected = true;
    this.kills++;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the process finishes its work and closes), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.child || !this.alive) return;
    const child = this.child;
    this.ending.expected = true;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
}
