import { SdInstance } from './sd-instance.state';

describe('SdInstance', () => {
  const make = (slots = 1) => new SdInstance('sd-2', 'http://10.0.0.7:7860', slots);

  it('is idle, then busy while running, and free only below its slots', () => {
    const instance = make(2);
    expect([instance.state, instance.free]).toEqual(['idle', true]);
    instance.running = 1;
    expect([instance.state, instance.free]).toEqual(['busy', true]);
    instance.running = 2;
    expect([instance.state, instance.free, instance.hasFreeSlot]).toEqual(['busy', false, false]);
  });

  it('takes no job while set aside or probing, whatever its slots', () => {
    const instance = make();
    instance.setAside('stalled', 'stalled: no image after 15000 ms');
    expect([instance.healthy, instance.state, instance.free, instance.hasFreeSlot]).toEqual([false, 'stalled', false, true]);
    instance.probing();
    expect([instance.healthy, instance.state, instance.free]).toEqual([false, 'probing', false]);
    instance.setAside('failing', 'probe image: 500');
    expect(instance.state).toBe('failing');
    instance.recovered();
    expect([instance.healthy, instance.state, instance.free]).toEqual([true, 'idle', true]);
  });

  it('shows its name, health, load and p95 to anyone, and its address and last error only in detail', () => {
    const instance = make();
    instance.succeeded(900);
    instance.succeeded(1_100);
    instance.failed = 1;
    instance.setAside('failing', 'ECONNREFUSED');
    const open = instance.status(false);
    expect(open).toEqual({ name: 'sd-2', healthy: false, state: 'failing', running: 0, done: 2, failed: 1, p95Ms: 1_100 });
    expect(JSON.stringify(open)).not.toMatch(/10\.0\.0\.7|ECONNREFUSED/);
    expect(instance.status(true)).toEqual({ ...open, url: 'http://10.0.0.7:7860', lastError: 'ECONNREFUSED' });
  });
});
