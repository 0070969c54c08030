/**
 * wrk as the load generator: one thread (it has a core of its own), a Lua script that rotates
 * the session cookies, stops sending once the run's request count has gone out, and prints a
 * line when the last response is in; the harness then stops wrk with SIGINT. For the sticky
 * scenario, a thread per connection, each rotating over its own share of the cookies and
 * sending its share of the requests (wrk's script state is per thread, not per connection).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicros, spawnPinned } from './processes.js';
import type { LoadGenerator, LoadResult, LoadRun } from './load.js';

// Arguments: the request count, a file of Cookie headers (one a line) or '-', 'new' to check
// that each response is a new session's first page, and the thread count. Times come from
// clock_gettime (LuaJIT's ffi, one clock for every thread): wrk's own req/s divides by its whole
// -d duration. Each thread prints its own done line, with when it sent its first request.
const SCRIPT = String.raw`
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local requests, count, quota = {}, 0, 0
local checkNew = false
local issued, completed, ok, notNew = 0, 0, 0, 0
local first, i, announced = nil, 0, false

-- Runs in wrk's main script state, once per thread before its init: numbers the threads.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local share = tonumber(args[4])
  quota = math.ceil(tonumber(args[1]) / share)
  checkNew = args[3] == "new"
  -- wrk calls the first thread's request() once before the run, to check the request: -1 so that call does not count.
  if tid == 0 then issued = -1 end
  if args[2] ~= "-" then
    local k = 0
    for line in io.lines(args[2]) do
      if k % share == tid then requests[#requests + 1] = wrk.format("GET", wrk.path, { Cookie = line }) end
      k = k + 1
    end
  end
  if #requests == 0 then requests[1] = wrk.format("GET", wrk.path) end
  count = #requests
end

function request()
  issued = issued + 1
  if issued == 1 then first = now() end
  i = i % count + 1
  return requests[i]
end

function delay()
  if issued >= quota then return 3600000 end
  return 0
end

function response(status, headers, body)
  completed = completed + 1
  if status >= 200 and status < 300 then
    ok = ok + 1
    if checkNew and not ((headers["set-cookie"] or headers["Set-Cookie"]) and body:find("Visit #1 ", 1, true)) then
      notNew = notNew + 1
    end
  end
  if issued >= quota and completed >= issued and not announced then
    announced = true
    io.write(string.format("bench-done %d %d %d %.6f %.6f\n", completed, ok, notNew, first, now()))
    io.flush()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("bench-summary %d %d %.1f %.1f\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
  io.flush()
end
`;

const DONE = /^bench-done (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)$/gm;
const SUMMARY = /^bench-summary (\d+) (\d+) ([\d.]+) ([\d.]+)$/m;

/** The threads' done lines, summed: responses, 2xx, not new, and the time from the first request sent to the last response. */
function doneOf(output: string): { completed: number; ok: number; notNew: number; seconds: number; lines: number } {
  const lines = [...output.matchAll(DONE)];
  const sum = (k: number): number => lines.reduce((n, m) => n + Number(m[k]), 0);
  const seconds = lines.length === 0 ? 0 : Math.max(...lines.map((m) => Number(m[5]))) - Math.min(...lines.map((m) => Number(m[4])));
  return { completed: sum(1), ok: sum(2), notNew: sum(3), seconds, lines: lines.length };
}

export function wrkGenerator(prefix: string[]): LoadGenerator {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-bench-wrk-'));
  const script = join(dir, 'counter.lua');
  writeFileSync(script, SCRIPT);
  let runs = 0;
  return {
    name: 'wrk',
    close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    run: async (run: LoadRun): Promise<LoadResult> => {
      let cookies = '-';
      if (run.cookies.length > 0) {
        cookies = join(dir, `cookies-${runs++}.txt`);
        writeFileSync(cookies, run.cookies.join('\n') + '\n');
      }
      const threads = run.sticky ? run.connections : 1;
      const args = [`-t${threads}`, `-c${run.connections}`, `-d${Math.ceil(run.safetySeconds)}s`, '--timeout', '10s', '-s', script, run.url, '--'];
      args.push(String(run.requests), cookies, run.cookies.length === 0 ? 'new' : 'counter', String(threads));
      let output = '';
      let busyMicros: number | undefined;
      const child = spawnPinned(prefix, 'wrk', args);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          // Every thread's last response is in: stop wrk now rather than at the end of its -d duration.
          if (doneOf(output).lines === threads && child.exitCode === null) {
            busyMicros ??= cpuMicros(child.pid);
            child.kill('SIGINT');
          }
        });
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('error', reject);
        child.once('exit', () => resolve());
      });
      const summary = SUMMARY.exec(output);
      if (!summary) throw new Error(`wrk printed no summary; its output:\n${output}`);
      const done = doneOf(output);
      const complete = done.lines === threads;
      const seconds = complete ? done.seconds : run.safetySeconds;
      const ok = complete ? done.ok : 0;
      return {
        requests: complete ? done.completed : Number(summary[1]),
        ok,
        non2xx: complete ? done.completed - ok : 0,
        errors: Number(summary[2]),
        seconds,
        ...(busyMicros !== undefined && seconds > 0 ? { generatorBusy: busyMicros / 1e6 / seconds } : {}),
        p50: Number(summary[3]) / 1000,
        p99: Number(summary[4]) / 1000,
        ...(run.cookies.length === 0 && complete ? { notNew: done.notNew } : {}),
        cutShort: !complete,
      };
    },
  };
}
