/**
 * wrk as the load generator: one thread (it has a core of its own), a Lua script that rotates
 * the session cookies, stops sending once the run's request count has gone out, and prints a
 * line when the last response is in; the harness then stops wrk with SIGINT.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicros, spawnPinned } from './processes.js';
import type { LoadGenerator, LoadResult, LoadRun } from './load.js';

// Arguments: the request count, a file of Cookie headers (one a line) or '-', and 'new' to
// check that each response is a new session's first page. Times come from clock_gettime
// (LuaJIT's ffi): wrk's own req/s divides by its whole -d duration.
// Only with -t1: wrk's check of the request is a call on the first thread's script.
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
-- wrk calls request() once before the run, to check the request: -1 so that call does not count.
local issued, completed, ok, notNew = -1, 0, 0, 0
local first, i, announced = nil, 0, false

function init(args)
  quota = tonumber(args[1])
  checkNew = args[3] == "new"
  if args[2] ~= "-" then
    for line in io.lines(args[2]) do
      requests[#requests + 1] = wrk.format("GET", wrk.path, { Cookie = line })
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
    io.write(string.format("bench-done %d %d %d %.6f\n", completed, ok, notNew, now() - first))
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

const DONE = /^bench-done (\d+) (\d+) (\d+) ([\d.]+)$/m;
const SUMMARY = /^bench-summary (\d+) (\d+) ([\d.]+) ([\d.]+)$/m;

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
      const args = ['-t1', `-c${run.connections}`, `-d${Math.ceil(run.safetySeconds)}s`, '--timeout', '10s', '-s', script, run.url, '--'];
      args.push(String(run.requests), cookies, run.cookies.length === 0 ? 'new' : 'counter');
      let output = '';
      let busyMicros: number | undefined;
      const child = spawnPinned(prefix, 'wrk', args);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          // The last response is in: stop wrk now rather than at the end of its -d duration.
          if (DONE.test(output) && child.exitCode === null) {
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
      const done = DONE.exec(output);
      const received = Number(summary[1]);
      const seconds = done ? Number(done[4]) : run.safetySeconds;
      const ok = done ? Number(done[2]) : 0;
      return {
        requests: done ? Number(done[1]) : received,
        ok,
        non2xx: done ? Number(done[1]) - ok : 0,
        errors: Number(summary[2]),
        seconds,
        ...(busyMicros !== undefined && seconds > 0 ? { generatorBusy: busyMicros / 1e6 / seconds } : {}),
        p50: Number(summary[3]) / 1000,
        p99: Number(summary[4]) / 1000,
        ...(run.cookies.length === 0 && done ? { notNew: Number(done[3]) } : {}),
        cutShort: done === null,
      };
    },
  };
}
