// SaslHandshake (key 17) v0–v1, never flexible; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const SaslHandshakeApi = defineApi({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  // v0: raw SASL tokens follow on the socket; v1: they travel in SaslAuthenticate requests.
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: {
    mechanism: t.string(),
  },
  response: {
    errorCode: t.int16(),
    // The mechanisms the broker enables, so a client that asked for another can say which exist.
    mechanisms: t.array(t.string()),
  },
});

export type SaslHandshakeRequest = RequestOf<typeof SaslHandshakeApi>;
export type SaslHandshakeResponse = ResponseOf<typeof SaslHandshakeApi>;
