import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { SessionStoreConfigError } from './errors.js';
import { newSessionId } from './session-id.js';
import { IdSigner } from './signing.js';

const A = 'first-secret-0123456789abcdef-012345';
const B = 'second-secret-0123456789abcdef-01234';

describe('IdSigner#sign and #verify', () => {
  it('a signed id verifies to the id; the value is `<id>.<43 base64url chars>`', () => {
    const signer = new IdSigner([A]);
    const id = newSessionId();
    const value = signer.sign(id);
    expect(value).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{43}$`));
    expect(signer.verify(value)).toBe(id);
    expect(new IdSigner([A]).verify(value)).toBe(id); // same secret, another process
  });

  it('rotation: the newest secret signs, every listed secret verifies, a dropped one no longer does', () => {
    const id = newSessionId();
    const old = new IdSigner([A]).sign(id);
    const rotated = new IdSigner([B, A]);
    expect(rotated.verify(old)).toBe(id);
    expect(rotated.sign(id)).toBe(new IdSigner([B]).sign(id));
    expect(rotated.sign(id)).not.toBe(old);
    expect(new IdSigner([B]).verify(old)).toBeUndefined();
  });

  it('forged or malformed values → undefined, never a throw (the constant-time compare sees only equal lengths)', () => {
    const signer = new IdSigner([A]);
    const id = newSessionId();
    const value = signer.sign(id);
    const mac = value.slice(id.length + 1);
    const junk = [
      '',
      '.',
      'x',
      id,
      `${id}.`,
      `.${mac}`,
      `${id}.${mac.slice(1)}`,
      `${id}.${mac}A`,
      `${id}.${mac.slice(0, -1)}=`,
      `${id}.${'*'.repeat(43)}`,
      `${id}.${'A'.repeat(43)}`,
      `${id.slice(1)}.${mac}`,
      `${id}!.${mac}`,
      `short.${mac}`,
      `${'a'.repeat(200)}.${mac}`,
      'é'.repeat(100),
      `${value}\u0000`,
      new IdSigner([B]).sign(id),
    ];
    for (const v of junk) expect(() => signer.verify(v)).not.toThrow();
    for (const v of junk) expect(signer.verify(v)).toBeUndefined();
    expect(signer.verify(undefined as unknown as string)).toBeUndefined();
    expect(signer.verify(value)).toBe(id);
  });
});

describe('new IdSigner', () => {
  it('without secrets: a random key per process (ids do not verify elsewhere)', () => {
    const a = new IdSigner(undefined);
    const b = new IdSigner(undefined);
    const id = newSessionId();
    expect(a.ephemeral).toBe(true);
    expect(a.verify(a.sign(id))).toBe(id);
    expect(b.verify(a.sign(id))).toBeUndefined();
    expect(new IdSigner([A]).ephemeral).toBe(false);
  });

  it('bad secrets → SessionStoreConfigError', () => {
    expect(() => new IdSigner([])).toThrow(SessionStoreConfigError);
    expect(() => new IdSigner(['short'])).toThrow(SessionStoreConfigError);
    expect(() => new IdSigner([42 as unknown as string])).toThrow(SessionStoreConfigError);
    expect(new IdSigner([Buffer.alloc(32, 7)]).sign('x'.repeat(22))).toContain('.');
  });

  it('a secret under 32 bytes of UTF-8 (empty, short, 31 bytes) → one line saying how to make a good one', () => {
    for (const bad of ['', 'short', 'é'.repeat(15) + 'x']) {
      expect(() => new IdSigner([bad])).toThrow(/secrets\[0\] is (empty|\d+ bytes long); a secret must be at least 32 bytes.*openssl rand -base64 32/);
    }
    expect(() => new IdSigner(['é'.repeat(16)])).not.toThrow(); // 32 bytes, 16 characters
  });

  it('a secret that is not there (an unset environment variable) → says so, not "use a longer one"', () => {
    const message = (() => {
      try {
        new IdSigner([process.env['DOVETAIL_TEST_UNSET_VARIABLE'] as string]);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(message).toMatch(/secrets\[0\] is undefined, not a string or Buffer\. Pass a string of at least 32 bytes \(.*check that the variable is set\)/);
    expect(message).not.toMatch(/longer/);
  });

  it('adopt(): a kept secret replaces the random key only when none was configured', () => {
    const random = new IdSigner(undefined);
    random.adopt(A, 'the kept secret');
    expect(random.ephemeral).toBe(false);
    expect(random.sign('x'.repeat(22))).toBe(new IdSigner([A]).sign('x'.repeat(22)));
    const configured = new IdSigner([B]);
    configured.adopt(A, 'the kept secret');
    expect(configured.sign('x'.repeat(22))).toBe(new IdSigner([B]).sign('x'.repeat(22)));
    expect(() => new IdSigner(undefined).adopt('short', 'the kept secret')).toThrow(/the kept secret is 5 bytes long/);
  });
});

describe('IdSigner: the cache of verified values', () => {
  /** HMACs computed by an IdSigner loaded with a counting node:crypto (one module load for the whole block). */
  const hmacs = { count: 0 };
  let Counted: typeof IdSigner;
  beforeAll(async () => {
    const crypto = await import('node:crypto');
    await jest.isolateModulesAsync(async () => {
      jest.unstable_mockModule('node:crypto', () => ({
        ...crypto,
        createHmac: (...args: Parameters<typeof crypto.createHmac>) => {
          hmacs.count++;
          return crypto.createHmac(...args);
        },
      }));
      ({ IdSigner: Counted } = await import('./signing.js'));
    });
  });
  /** How many HMACs `fn` computes. */
  const macsOf = (fn: () => void): number => {
    hmacs.count = 0;
    fn();
    return hmacs.count;
  };

  it("a value signed here verifies without an HMAC (a new session's second request); one signed elsewhere costs one, the first time only", () => {
    const signer = new Counted([A, B]);
    const id = newSessionId();
    const value = signer.sign(id);
    expect(macsOf(() => expect(signer.verify(value)).toBe(id))).toBe(0);
    const other = newSessionId();
    const elsewhere = new Counted([A]).sign(other);
    expect(macsOf(() => expect(signer.verify(elsewhere)).toBe(other))).toBe(1);
    expect(macsOf(() => expect(signer.verify(elsewhere)).toBe(other))).toBe(0);
  });

  it("what it remembers holds nothing of the requests' Cookie headers: 200 values cut from 100-KB headers keep well under 5 MB", () => {
    // A cookie value is cut from its header, and V8 keeps a cut of 13 characters or more as a
    // view on the whole header: remembered as is, each value would keep its 100 KB alive.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const signer = new IdSigner([A]);
    const values = Array.from({ length: 200 }, () => new IdSigner([A]).sign(newSessionId()));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const value of values) {
      const header = `tracking=${'x'.repeat(100_000)}; DOVETAIL_SESSION=${value}`;
      const cut = header.slice(header.lastIndexOf('=') + 1);
      expect(signer.verify(cut)).toBe(value.slice(0, value.indexOf('.')));
    }
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5 * 1024 * 1024);
  });

  it('a value verified with the newest secret is signed again without an HMAC (a request on a session not remembered costs one, not two); one signed with an older secret is signed anew', () => {
    const id = newSessionId();
    const current = new Counted([A]).sign(id);
    const signer = new Counted([A, B]);
    expect(macsOf(() => expect(signer.verify(current)).toBe(id))).toBe(1);
    expect(macsOf(() => expect(signer.sign(id, current)).toBe(current))).toBe(0);

    const other = newSessionId();
    const old = new Counted([B]).sign(other);
    expect(macsOf(() => expect(signer.verify(old)).toBe(other))).toBe(2);
    expect(macsOf(() => expect(signer.verify(old)).toBe(other))).toBe(0);
    expect(macsOf(() => expect(signer.sign(other, old)).not.toBe(old))).toBe(1);
  });

  it('a session used lately stays remembered among thousands of others', () => {
    const signer = new Counted([A]);
    const hot = newSessionId();
    const hotValue = signer.sign(hot);
    // 20,000 other sessions come and go; the hot one comes back every 1,000 of them.
    for (let i = 0; i < 20_000; i++) {
      if (i % 1000 === 0) expect(macsOf(() => expect(signer.verify(hotValue)).toBe(hot))).toBe(0);
      signer.verify(signer.sign(newSessionId()));
    }
  });
});

describe('IdSigner: sign() given the value the request came with', () => {
  it('gives that value back only when it is the one sign() makes: not another id\'s, a forged one, or one signed with an older secret', () => {
    const id = newSessionId();
    const single = new IdSigner([A]);
    const value = single.sign(id);
    expect(single.verify(value)).toBe(id);
    expect(single.sign(id, value)).toBe(value);

    const other = single.sign(newSessionId());
    single.verify(other);
    expect(single.sign(id, other)).toBe(value);
    const forged = `${id}.${'A'.repeat(43)}`;
    expect(single.verify(forged)).toBeUndefined();
    expect(single.sign(id, forged)).toBe(value);
    expect(new IdSigner([A]).sign(id, value)).toBe(value); // not verified by this signer: signed anew, the same

    const old = new IdSigner([B]).sign(id);
    const rotated = new IdSigner([A, B]);
    expect(rotated.verify(old)).toBe(id);
    expect(rotated.sign(id, old)).toBe(value);
  });
});

describe('IdSigner: the cache stays small however many sessions a process sees', () => {
  it('200,000 distinct sessions: at most 2 × 4096 values remembered, every value still verifies, a forged one still does not', () => {
    const signer = new IdSigner([A]);
    let largest = 0;
    const first = newSessionId();
    const firstValue = signer.sign(first);
    for (let i = 0; i < 200_000; i++) {
      const id = newSessionId();
      expect(signer.verify(signer.sign(id))).toBe(id);
      largest = Math.max(largest, signer.remembered);
    }
    expect(largest).toBeLessThanOrEqual(2 * 4096);
    expect(largest).toBeGreaterThan(4096); // it does remember: both generations fill
    expect(signer.verify(firstValue)).toBe(first); // long forgotten, verified again by its HMAC
    expect(signer.verify(`${first}.${'A'.repeat(43)}`)).toBeUndefined();
  });
});
