import { describe, expect, it } from '@jest/globals';
import { combinedLogLine, jsonLogLine, type AccessLogEntry } from './access-log.js';

const entry: AccessLogEntry = {
  remoteAddress: '127.0.0.1',
  time: new Date(Date.UTC(2026, 11, 1, 23, 5, 9)),
  method: 'GET',
  target: '/counter?x=1',
  protocol: 'HTTP/1.1',
  status: 200,
  bytes: 23,
  referer: null,
  userAgent: 'curl/8.5.0',
  session: 'loaded',
  ms: 3,
};

describe('combinedLogLine', () => {
  it('an entry → Apache Combined Log Format, UTC time, then session= and ms=', () => {
    expect(combinedLogLine(entry)).toBe('127.0.0.1 - - [01/Dec/2026:23:05:09 +0000] "GET /counter?x=1 HTTP/1.1" 200 23 "-" "curl/8.5.0" session=loaded ms=3');
  });

  it('no length (a stream) → "-" for the bytes', () => {
    expect(combinedLogLine({ ...entry, bytes: null })).toContain(' 200 - "-"');
  });

  it('quotes, backslashes, a newline and non-ASCII in a header → escaped as \\xHH: still one line, quoting intact', () => {
    const line = combinedLogLine({ ...entry, userAgent: 'a"b\\c\nforged 127.0.0.1 - - [x] "GET / HTTP/1.1" 200 0 é' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('"a\\"b\\\\c\\x0aforged 127.0.0.1 - - [x] \\"GET / HTTP/1.1\\" 200 0 \\xc3\\xa9" session=loaded ms=3');
  });
});

describe('jsonLogLine', () => {
  it('an entry → one JSON object with the same fields, time in ISO 8601', () => {
    expect(JSON.parse(jsonLogLine(entry))).toEqual({ ...entry, time: '2026-12-01T23:05:09.000Z' });
  });

  it('a newline in a header → still one line', () => {
    expect(jsonLogLine({ ...entry, userAgent: 'x\ny' }).split('\n')).toHaveLength(1);
  });
});
