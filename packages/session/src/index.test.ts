import { describe, expect, it } from '@jest/globals';
import * as session from './index.js';

describe('@dovetail/session exports', () => {
  it('the value exports → exactly the checked-in list', () => {
    expect(Object.keys(session).sort()).toEqual(
      [
        'CookieMaxAgeError',
        'CookieStore',
        'ISession',
        'ISessionCreated',
        'ISessionDataContainer',
        'ISessionExpired',
        'ISessionPkgData',
        'MemoryStore',
        'RedisStore',
        'Session',
        'SessionBusyError',
        'SessionClosedError',
        'SessionConflictError',
        'SessionCreated',
        'SessionData',
        'SessionDataError',
        'SessionError',
        'SessionExpired',
        'SessionNotReplicatedError',
        'SessionStoreConfigError',
        'SessionStoreError',
        'Sessions',
        'SqliteStore',
        'WAIT_TURN_MS',
        'checkSecret',
        'codecVersion',
        'decode',
        'encode',
        'isClientSide',
        'keptSecretFile',
        'newSessionId',
        'registerSessionClass',
      ].sort(),
    );
  });
});
