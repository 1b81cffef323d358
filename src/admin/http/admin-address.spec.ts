import { reachableAdminUrl } from './admin-address';

const ADVERTISED = [{ name: 'PLAINTEXT', host: 'broker-2.internal', port: 9092 }];

describe('reachableAdminUrl', () => {
  it('is the bound address when the admin server is bound to one interface', () => {
    expect(reachableAdminUrl({ address: '10.1.2.3', family: 'IPv4', port: 8080 }, 2, ADVERTISED)).toBe('http://10.1.2.3:8080');
    expect(reachableAdminUrl({ address: '::1', family: 'IPv6', port: 8080 }, 2, ADVERTISED)).toBe('http://[::1]:8080');
  });

  it('bound to every interface, takes the host the other brokers already reach this one at', () => {
    expect(reachableAdminUrl({ address: '0.0.0.0', family: 'IPv4', port: 8080 }, 2, ADVERTISED)).toBe('http://broker-2.internal:8080');
    expect(reachableAdminUrl({ address: '::', family: 'IPv6', port: 8081 }, 2, [{ name: 'EXTERNAL', host: 'public', port: 1 }, { name: 'PLAINTEXT', host: 'fd00::2', port: 9092 }])).toBe(
      'http://[fd00::2]:8081',
    );
  });

  it('is nothing for a server that is not on TCP', () => {
    expect(reachableAdminUrl('/tmp/admin.sock', 2, ADVERTISED)).toBeUndefined();
    expect(reachableAdminUrl(null, 2, ADVERTISED)).toBeUndefined();
  });
});
