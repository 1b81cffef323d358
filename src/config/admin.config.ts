import { IsOptional } from 'class-validator';
import { ConfigKey } from './config-key.decorator';
import { Between, Satisfies } from './config-rules';

/** The REST admin: Spring Boot's server.* names for the HTTP side, admin.* for our own. */
export class AdminConfig {
  /** 0 picks a free port (tests use it); the bound port is printed at start. */
  @ConfigKey('server.port', 'int')
  @Between(0, 65535)
  serverPort = 8080;

  /** Unset: every interface, as Spring Boot does. */
  @ConfigKey('server.address', 'string')
  @IsOptional()
  @Satisfies('serverAddress', (value) => typeof value === 'string' && /^[A-Za-z0-9._:-]+$/.test(value), 'must be a host name or IP address')
  serverAddress?: string;

  /**
   * How long a broker waits for another broker's admin answer when it answers for the whole
   * cluster (GET /api/delays asks each delay queue's leader); past it that leader's queues
   * come back with an error instead of stats.
   */
  @ConfigKey('admin.peer-timeout', 'duration')
  @Between(1, 60_000)
  peerTimeout = 2000;

  /** When set, admin requests must carry it as a bearer token. */
  @ConfigKey('admin.token', 'string', { sensitive: true })
  @IsOptional()
  @Satisfies('adminToken', (value) => typeof value === 'string' && value.length >= 16, 'must be at least 16 characters')
  adminToken?: string;
}
