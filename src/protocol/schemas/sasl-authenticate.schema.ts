// SaslAuthenticate (key 36) v0–v2, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const SaslAuthenticateApi = defineApi({
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    // Opaque to the protocol: the mechanism's own token (e.g. PLAIN's "\0user\0password").
    authBytes: t.bytes(),
  },
  response: {
    errorCode: t.int16(),
    errorMessage: t.string('0+', { nullable: '0+' }),
    authBytes: t.bytes(),
    // After this many ms the client must re-authenticate on the same connection; 0 means no limit.
    sessionLifetimeMs: t.int64('1+'),
  },
});

export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticateApi>;
export type SaslAuthenticateResponse = ResponseOf<typeof SaslAuthenticateApi>;
