import { HealthIndicatorService } from '@nestjs/terminus';
import type { BrokerConfig } from '../../config/broker.config';
import type { MetadataStore, NodeStat, SessionEvent } from '../../zk/metadata-store';
import { MetadataStoreHealthIndicator } from './metadata-store.indicator';

function setup(registered: () => Promise<NodeStat | null>) {
  let emit: (event: SessionEvent) => void = () => undefined;
  const asked: string[] = [];
  const store = {
    sessionId: '0x1f',
    onSessionEvent: (listener: (event: SessionEvent) => void) => ((emit = listener), () => undefined),
    exists: (path: string) => (asked.push(path), registered()),
  } as unknown as MetadataStore;
  const indicator = new MetadataStoreHealthIndicator(new HealthIndicatorService(), store, { brokerId: 3 } as BrokerConfig);
  return { indicator, asked, emit: (event: SessionEvent) => emit(event) };
}

const REGISTERED: NodeStat = { version: 0, cversion: 0, numChildren: 0, ephemeral: true };

describe('MetadataStoreHealthIndicator', () => {
  it("is up while the session lives and this broker's registration is there", async () => {
    const { indicator, asked } = setup(async () => REGISTERED);
    expect(await indicator.check()).toEqual({ metadataStore: expect.objectContaining({ status: 'up', sessionId: '0x1f' }) });
    expect(asked).toEqual(['/brokers/ids/3']);
  });

  it('is down without asking the store while disconnected or expired, and up again once reconnected', async () => {
    const { indicator, asked, emit } = setup(async () => REGISTERED);
    emit({ type: 'disconnected', sessionId: '0x1f' });
    expect(await indicator.check()).toEqual({ metadataStore: expect.objectContaining({ status: 'down', message: 'session disconnected' }) });
    emit({ type: 'expired', sessionId: '0x1f' });
    expect(await indicator.check()).toEqual({ metadataStore: expect.objectContaining({ status: 'down', message: 'session expired' }) });
    expect(asked).toEqual([]);
    emit({ type: 'reconnected', sessionId: '0x20', newSession: true });
    expect((await indicator.check()).metadataStore.status).toBe('up');
  });

  it('is down when the registration is gone or the store does not answer', async () => {
    const gone = await setup(async () => null).indicator.check();
    expect(gone.metadataStore).toMatchObject({ status: 'down', message: expect.stringContaining('/brokers/ids/3 is missing') });
    const failing = await setup(async () => Promise.reject(new Error('connection loss'))).indicator.check();
    expect(failing.metadataStore).toMatchObject({ status: 'down', message: 'connection loss' });
  });
});
