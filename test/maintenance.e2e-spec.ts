/**
 * Scheduled maintenance against the real database (and a real redis-server for the gone-node
 * sweep): a task runs on one node at a time across the nodes sharing the database, a crashed
 * holder keeps the others off only until its lease lapses, failures are recorded and release
 * the task, the schedules come from configuration, really fire, and stop at shutdown.
 */
import { SchedulerRegistry } from '@nestjs/schedule';
import mongoose, { Types } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterNode } from '../src/cluster/cluster-node.service';
import { ExperimentImageStore } from '../src/experiments/experiment-image-store.service';
import { GONE_NODES_TASK } from '../src/maintenance/gone-nodes.schedule';
import { IMAGE_RETENTION_TASK } from '../src/maintenance/image-retention.schedule';
import type { MaintenanceLease } from '../src/maintenance/maintenance-lease.schema';
import { TaskLock } from '../src/maintenance/task-lock.service';
import type { TaskRun } from '../src/maintenance/task-run';
import { TaskRunner } from '../src/maintenance/task-runner.service';
import { scrape, sum } from './support/prometheus';
import { startRedis, type TestRedis } from './support/redis';
import { eventually } from './support/simulators';
import { createTestApp, isolatedDatabaseUri, type TestApp } from './support/test-app';

const LEASE_MS = 1000;
const DAY_MS = 86_400_000;
/** A 1×1 PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface Node {
  testApp: TestApp;
  id: string;
  runner: TaskRunner;
  lock: TaskLock;
  registry: SchedulerRegistry;
  /** Every run this node reported, in order. */
  runs: TaskRun[];
  /** Stops the node and drops its database; once. */
  close(): Promise<void>;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const testApp = await createTestApp(env);
  const runner = testApp.app.get(TaskRunner);
  const runs: TaskRun[] = [];
  runner.onRun((run) => runs.push(run));
  let closed: Promise<void> | undefined;
  return {
    testApp,
    close: () => (closed ??= testApp.close()),
    id: testApp.app.get(ClusterNode).id,
    runner,
    lock: testApp.app.get(TaskLock),
    registry: testApp.app.get(SchedulerRegistry),
    runs,
  };
}

/** A task that takes `ms` and counts `count`. */
const taking =
  (ms: number, count = 1) =>
  async () => {
    await sleep(ms);
    return count;
  };

/** An experiment record as a node writes it, with one image entry per id given. */
function experiment(fields: { nodeId?: string; status?: string; startedAt?: Date; imageIds?: string[]; id?: Types.ObjectId }) {
  const startedAt = fields.startedAt ?? new Date();
  return {
    _id: fields.id ?? new Types.ObjectId(),
    appId: 0,
    appName: 'paint',
    type: 0,
    pipeline: 'rapid-divergence',
    inputs: '{}',
    status: fields.status ?? 'succeeded',
    createdAt: startedAt,
    startedAt,
    serviceVersion: 'test',
    ...(fields.nodeId ? { nodeId: fields.nodeId } : {}),
    steps: {},
    images: (fields.imageIds ?? []).map((imageId, index) => ({ imageId, step: 'images', index })),
  };
}

describe('scheduled maintenance (e2e, real database)', () => {
  describe('two nodes on one database', () => {
    const uri = isolatedDatabaseUri();
    let a: Node;
    let b: Node;

    beforeAll(async () => {
      const env = { MONGODB_URI: uri, MAINTENANCE_LEASE_MS: String(LEASE_MS) };
      // One after the other: createTestApp sets the process environment while it starts.
      a = await startNode(env);
      b = await startNode(env);
    });

    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('runs a task on one node at a time: of two nodes asking at once, one runs it, the other skips it', async () => {
      let runs = 0;
      const task = async () => {
        runs += 1;
        await sleep(100);
        return 7;
      };
      for (let round = 0; round < 5; round += 1) {
        const both = await Promise.all([a.runner.run('probe-once', task), b.runner.run('probe-once', task)]);
        expect(both.map((run) => run.outcome).sort()).toEqual(['ran', 'skipped']);
        const ran = both.find((run) => run.outcome === 'ran')!;
        const skipped = both.find((run) => run.outcome === 'skipped')!;
        expect(skipped.heldBy).toBe(ran.node);
        expect(skipped.reason).toContain(ran.node);
        expect(ran.count).toBe(7);
        expect(runs).toBe(round + 1);
        // The run is recorded on its lease, which it released as it ended.
        const [last] = await a.lock.history('probe-once', 1);
        expect(last).toMatchObject({ holder: ran.node, outcome: 'ran', count: 7, startedAt: ran.startedAt, endedAt: ran.endedAt, until: ran.endedAt });
      }
      // Each node's listeners heard its own outcomes.
      expect(a.runs.filter((run) => run.task === 'probe-once')).toHaveLength(5);
      expect(b.runs.filter((run) => run.task === 'probe-once')).toHaveLength(5);
      // An operator reads the last runs, newest first.
      expect((await b.lock.history('probe-once')).map((lease) => lease.generation)).toEqual([5, 4, 3, 2, 1]);
      // And on /metrics: over both nodes five runs and five skips, the last run's time on the node that ran it.
      const [fromA, fromB] = await Promise.all([scrape(a.testApp.app.getHttpServer()), scrape(b.testApp.app.getHttpServer())]);
      const runsOf = (outcome: string) => [fromA, fromB].reduce((total, metrics) => total + sum(metrics, 'inspilot_maintenance_runs_total', { task: 'probe-once', outcome }), 0);
      expect([runsOf('ran'), runsOf('skipped'), runsOf('failed')]).toEqual([5, 5, 0]);
      const lastRan = Math.max(...[fromA, fromB].map((metrics) => sum(metrics, 'inspilot_maintenance_last_ran_timestamp_seconds', { task: 'probe-once' })));
      const lastEnd = Math.max(...[...a.runs, ...b.runs].filter((run) => run.outcome === 'ran').map((run) => run.endedAt.getTime()));
      expect(lastRan).toBe(lastEnd / 1000);
    });

    it('never runs a task twice at once in one process', async () => {
      let runs = 0;
      const first = a.runner.run('probe-local', async () => {
        runs += 1;
        await sleep(300);
        return runs;
      });
      const second = await a.runner.run('probe-local', async () => (runs += 1));
      expect(second).toMatchObject({ outcome: 'skipped', heldBy: a.id, reason: expect.stringContaining('still running on this node') });
      expect(await first).toMatchObject({ outcome: 'ran', count: 1 });
      expect(runs).toBe(1);
      // Once it has ended, it runs again.
      expect(await a.runner.run('probe-local', async () => (runs += 1))).toMatchObject({ outcome: 'ran', count: 2 });
    });

    it('a holder that crashed keeps the task from the others until its lease lapses, then another node takes it over', async () => {
      // A node that died mid-run: its hold is left behind, never released.
      const until = new Date(Date.now() + 800);
      const crashed: MaintenanceLease = { _id: 'probe-crash#1', task: 'probe-crash', generation: 1, holder: 'crashed-node', until, startedAt: new Date() };
      await a.testApp.connection.collection<MaintenanceLease>('maintenance_locks').insertOne(crashed);
      let runs = 0;
      const count = async () => (runs += 1);

      expect(await a.runner.run('probe-crash', count)).toMatchObject({ outcome: 'skipped', heldBy: 'crashed-node' });
      expect(await b.runner.run('probe-crash', count)).toMatchObject({ outcome: 'skipped', heldBy: 'crashed-node' });
      expect(runs).toBe(0);

      await sleep(until.getTime() - Date.now() + 20);
      const takeover = await b.runner.run('probe-crash', count);
      expect(takeover).toMatchObject({ outcome: 'ran', node: b.id, count: 1 });
      expect(takeover.startedAt.getTime()).toBeGreaterThanOrEqual(until.getTime());
      const history = await a.lock.history('probe-crash');
      expect(history.map(({ generation, holder, outcome }) => ({ generation, holder, outcome }))).toEqual([
        { generation: 2, holder: b.id, outcome: 'ran' },
        { generation: 1, holder: 'crashed-node', outcome: undefined },
      ]);
    });

    it('renews the hold while a task runs longer than its lease, keeping the other nodes off', async () => {
      const long = a.runner.run('probe-long', taking(LEASE_MS * 1.7));
      await sleep(LEASE_MS * 1.3);
      // Past the lease the task started with: only renewal keeps it.
      const meanwhile = await b.runner.run('probe-long', taking(0));
      expect(meanwhile).toMatchObject({ outcome: 'skipped', heldBy: a.id });
      expect(await long).toMatchObject({ outcome: 'ran', node: a.id });
      expect(await b.runner.run('probe-long', taking(0))).toMatchObject({ outcome: 'ran', node: b.id });
    });

    it('stops a task whose hold another node took, and records it failed', async () => {
      let stopped: unknown;
      const lost = a.runner.run('probe-lost', async ({ signal }) => {
        await Promise.race([new Promise((resolve) => signal.addEventListener('abort', resolve)), sleep(LEASE_MS * 5)]);
        stopped = signal.reason;
        return 1;
      });
      await eventually(async () => (await a.lock.history('probe-lost', 1)).length === 1, 100, 10);
      // Another node took the task (as one that found the hold lapsed would).
      const now = new Date();
      await a.testApp.connection
        .collection<MaintenanceLease>('maintenance_locks')
        .insertOne({ _id: 'probe-lost#2', task: 'probe-lost', generation: 2, holder: 'other-node', until: new Date(now.getTime() + 60_000), startedAt: now });
      const run = await lost;
      expect(run).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/lost its hold/) });
      expect(stopped).toBeInstanceOf(Error);
      expect(run.endedAt.getTime() - now.getTime()).toBeLessThan(LEASE_MS * 2);
      const [, own] = await a.lock.history('probe-lost');
      expect(own).toMatchObject({ generation: 1, holder: a.id, outcome: 'failed', reason: expect.stringMatching(/lost its hold/) });
      // The new holder keeps it.
      expect(await b.runner.run('probe-lost', taking(0))).toMatchObject({ outcome: 'skipped', heldBy: 'other-node' });
    });

    it('records a task that throws as failed and releases it, so the next run proceeds at once', async () => {
      const failed = await a.runner.run('probe-fail', async () => {
        throw new Error('the disk is full');
      });
      expect(failed).toMatchObject({ outcome: 'failed', node: a.id, reason: 'the disk is full' });
      expect(failed.count).toBeUndefined();
      const [last] = await b.lock.history('probe-fail', 1);
      expect(last).toMatchObject({ holder: a.id, outcome: 'failed', reason: 'the disk is full', until: failed.endedAt });

      const next = await b.runner.run('probe-fail', taking(0, 3));
      expect(next).toMatchObject({ outcome: 'ran', node: b.id, count: 3 });
      // It did not wait for the failed run's lease to lapse.
      expect(next.startedAt.getTime()).toBeLessThan(failed.startedAt.getTime() + LEASE_MS);
    });

    it('at shutdown, stops the task running and releases it before the database closes', async () => {
      const leaving = await startNode({ MONGODB_URI: uri, MAINTENANCE_LEASE_MS: String(LEASE_MS * 30) });
      let started = false;
      const run = leaving.runner.run('probe-shutdown', async ({ signal }) => {
        started = true;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return 1;
      });
      expect(await eventually(() => started, 100, 10)).toBe(true);
      // Not testApp.close(): that would drop the database the other nodes share.
      await leaving.testApp.app.close();
      expect(await run).toMatchObject({ outcome: 'failed', reason: 'stopped: this node is shutting down' });
      const [last] = await a.lock.history('probe-shutdown', 1);
      expect(last).toMatchObject({ holder: leaving.id, outcome: 'failed' });
      // Released, not left to lapse (its lease was 30 s).
      expect(await a.runner.run('probe-shutdown', taking(0))).toMatchObject({ outcome: 'ran', node: a.id });
    });

    it('reports a run it could not even start (the database gone) as failed, without throwing', async () => {
      const node = await startNode({ MONGODB_OPERATION_TIMEOUT_MS: '300' });
      try {
        await node.testApp.connection.close();
        const run = await node.runner.run('probe-no-db', taking(0));
        expect(run).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^could not take it: /) });
        expect(node.runs).toContainEqual(run);
      } finally {
        await node.testApp.app.close();
      }
    });

    it('schedules neither task without retention days or Redis', () => {
      for (const node of [a, b]) {
        expect(node.registry.getCronJobs().has(IMAGE_RETENTION_TASK)).toBe(false);
        expect(node.registry.getIntervals()).not.toContain(GONE_NODES_TASK);
      }
    });
  });

  describe('image retention', () => {
    it('runs at start-up, under the lock, when the images are past their age', async () => {
      const uri = isolatedDatabaseUri();
      const old = experiment({ startedAt: new Date(Date.now() - 3 * DAY_MS), imageIds: ['old-image'] });
      const connection = await mongoose.createConnection(uri).asPromise();
      let node: Node | undefined;
      try {
        await connection.collection('experiments').insertOne(old);
        // The default cron (03:00) is not what runs it.
        node = await startNode({ MONGODB_URI: uri, EXPERIMENT_IMAGE_RETENTION_DAYS: '1' });
        const removed = async () => (await connection.collection('experiments').findOne({ _id: old._id }))?.imagesRemovedAt !== undefined;
        expect(await eventually(removed, 100)).toBe(true);
        const [last] = await node.lock.history(IMAGE_RETENTION_TASK, 1);
        expect(last).toMatchObject({ generation: 1, holder: node.id, outcome: 'ran', count: 1 });
        expect(node.registry.getCronJob(IMAGE_RETENTION_TASK).cronTime.source).toBe('0 3 * * *');
      } finally {
        await node?.close();
        await connection.close();
      }
    });

    describe('on its cron', () => {
      let node: Node;

      beforeAll(async () => {
        node = await startNode({ EXPERIMENT_IMAGE_RETENTION_DAYS: '1', IMAGE_RETENTION_CRON: '* * * * * *' });
      });

      afterAll(async () => {
        await node?.close();
      });

      it("deletes the images older than the retention age on the schedule's ticks, keeping younger ones", async () => {
        // The start-up run is over: what follows is the cron's.
        expect(await eventually(() => node.runs.some((run) => run.task === IMAGE_RETENTION_TASK), 100)).toBe(true);
        const runsBefore = node.runs.length;
        const images = node.testApp.app.get(ExperimentImageStore);
        const old = experiment({ startedAt: new Date(Date.now() - 2 * DAY_MS), imageIds: [new Types.ObjectId().toHexString()] });
        const young = experiment({ startedAt: new Date(Date.now() - DAY_MS / 2), imageIds: [new Types.ObjectId().toHexString()] });
        for (const record of [old, young]) {
          await images.putBase64(record.images[0].imageId, String(record._id), PNG_BASE64, 'image/png');
          await node.testApp.connection.collection('experiments').insertOne(record);
        }
        const stored = (record: typeof old) => node.testApp.connection.collection('experiments').findOne({ _id: record._id });

        expect(await eventually(async () => (await stored(old))?.imagesRemovedAt !== undefined, 100)).toBe(true);
        expect((await stored(old))?.images).toEqual([expect.objectContaining({ imageId: old.images[0].imageId, removed: true })]);
        expect(await images.find(old.images[0].imageId)).toBeNull();
        // The young record keeps its image.
        expect((await stored(young))?.imagesRemovedAt).toBeUndefined();
        expect(await images.find(young.images[0].imageId)).not.toBeNull();
        // Each tick is a run of its own, recorded on the task's lease; the one that removed the old
        // record ended after the records were written (it may have begun while they were).
        const removedByTick = () =>
          node.runs.slice(runsBefore).some((run) => run.task === IMAGE_RETENTION_TASK && run.outcome === 'ran' && run.count === 1);
        expect(await eventually(removedByTick, 100)).toBe(true);
        const [last] = await node.lock.history(IMAGE_RETENTION_TASK, 1);
        expect(last).toMatchObject({ holder: node.id, outcome: 'ran' });
        expect(last.generation).toBeGreaterThan(1);
      });

      it('stops at shutdown: no run after the app has closed', async () => {
        expect(node.registry.getCronJobs().has(IMAGE_RETENTION_TASK)).toBe(true);
        await node.close();
        const runs = node.runs.length;
        // The cron ticks every second.
        await sleep(1300);
        expect(node.runs.length).toBe(runs);
        expect(node.registry.getCronJobs().size).toBe(0);
      });
    });

    it('refuses to start with a bad IMAGE_RETENTION_CRON (or sweep period), naming the variable and what it got', async () => {
      const refusal = createTestApp({ IMAGE_RETENTION_CRON: '61 * * * *', GONE_NODES_SWEEP_MS: 'often' });
      await expect(refusal).rejects.toThrow(/- IMAGE_RETENTION_CRON: must be a cron expression such as 0 3 \* \* \*.*out of range.*\(got "61 \* \* \* \*"\)/);
      await expect(refusal).rejects.toThrow(/- GONE_NODES_SWEEP_MS: .*\(got "often"\)/);
      await expect(createTestApp({ IMAGE_RETENTION_CRON: 'daily' })).rejects.toThrow(/- IMAGE_RETENTION_CRON: must be a cron expression.*\(got "daily"\)/);
    });
  });

  describe('records of nodes that are gone (REDIS_URL)', () => {
    const HEARTBEAT_TTL_MS = 2000;
    let redis: TestRedis;
    let a: Node;
    let b: Node;
    const deadNode = `dead-host-${process.pid}-0badc0de`;
    const status = async (id: Types.ObjectId) => (await a.testApp.connection.collection('experiments').findOne({ _id: id }))?.status;

    beforeAll(async () => {
      redis = await startRedis();
      const env = {
        MONGODB_URI: isolatedDatabaseUri(),
        REDIS_URL: redis.url,
        NODE_HEARTBEAT_TTL_MS: String(HEARTBEAT_TTL_MS),
        GONE_NODES_SWEEP_MS: '200',
      };
      a = await startNode(env);
      b = await startNode(env);
    });

    afterAll(async () => {
      await b?.close();
      await a?.close();
      await redis?.close();
    });

    const sweptSince = (since: number) =>
      [...a.runs, ...b.runs].filter((run) => run.task === GONE_NODES_TASK && run.outcome === 'ran' && run.startedAt.getTime() >= since);

    it("marks a gone node's running and queued records interrupted, never a live node's", async () => {
      const dead = [experiment({ nodeId: deadNode, status: 'running' }), experiment({ nodeId: deadNode, status: 'queued' })];
      const live = [experiment({ nodeId: b.id, status: 'running' }), experiment({ nodeId: a.id, status: 'queued' })];
      await a.testApp.connection.collection('experiments').insertMany([...dead, ...live]);

      // Redis, started for this file, must first have been up for NODE_HEARTBEAT_TTL_MS.
      expect(await eventually(async () => (await status(dead[0]._id)) === 'interrupted' && (await status(dead[1]._id)) === 'interrupted', 200)).toBe(true);
      const markedAt = Date.now();
      expect(await eventually(() => sweptSince(markedAt).length >= 2, 100)).toBe(true);
      expect(await status(live[0]._id)).toBe('running');
      expect(await status(live[1]._id)).toBe('queued');
      const marked = await a.testApp.connection.collection('experiments').findOne({ _id: dead[0]._id });
      expect(marked?.endedAt).toBeInstanceOf(Date);
      // Both nodes schedule the sweep; the lease lets one at a time run it.
      expect(a.registry.getIntervals()).toContain(GONE_NODES_TASK);
      expect(b.registry.getIntervals()).toContain(GONE_NODES_TASK);
      // One run marked each record: the counts add up to the records marked.
      const counted = [...a.runs, ...b.runs].filter((run) => run.task === GONE_NODES_TASK).reduce((sum, run) => sum + (run.count ?? 0), 0);
      expect(counted).toBe(2);
    });

    it('after a Redis restart, which loses every heartbeat, waits a heartbeat period before believing a node gone', async () => {
      await redis.stop();
      await redis.start();
      const restartedAt = Date.now();
      const dead = experiment({ nodeId: deadNode, status: 'running' });
      const live = experiment({ nodeId: b.id, status: 'running' });
      await a.testApp.connection.collection('experiments').insertMany([dead, live]);

      expect(await eventually(async () => (await status(dead._id)) === 'interrupted', 200)).toBe(true);
      const marked = await a.testApp.connection.collection('experiments').findOne({ _id: dead._id });
      const markedAt = (marked?.endedAt as Date).getTime();
      // Sweeps ran meanwhile and left it, while Redis had been up less than NODE_HEARTBEAT_TTL_MS.
      expect(sweptSince(restartedAt).filter((run) => run.count === 0 && run.endedAt.getTime() < markedAt).length).toBeGreaterThan(0);
      expect(markedAt - restartedAt).toBeGreaterThanOrEqual(HEARTBEAT_TTL_MS - 500);
      expect(await status(live._id)).toBe('running');
    });

    it('stops the sweep at shutdown', async () => {
      expect(b.registry.getIntervals()).toContain(GONE_NODES_TASK);
      await b.close();
      const runs = b.runs.length;
      // The sweep's period is 200 ms.
      await sleep(700);
      expect(b.runs.length).toBe(runs);
      expect(b.registry.getIntervals()).toEqual([]);
    });
  });
});
