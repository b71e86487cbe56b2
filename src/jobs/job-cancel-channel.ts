import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ClusterNode } from '../cluster/cluster-node.service';
import { whenReady } from '../cluster/redis-connection';

export const JOB_CANCEL_CHANNEL = 'inspilot:jobs:cancel';

interface CancelMessage {
  jobId: string;
  nodeId: string;
  reason: string;
}

type CancelHandler = (jobId: string, reason: string) => void;

/**
 * Cancel requests between nodes: a node asked to cancel a job another node runs publishes it
 * here, and the node running it cancels it. Without REDIS_URL there is no other node, and
 * nothing is sent or received.
 */
@Injectable()
export class JobCancelChannel implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobCancelChannel.name);
  private subscriber?: Redis;
  private handler: CancelHandler = () => undefined;

  constructor(private readonly node: ClusterNode) {}

  /** What this node does when asked to cancel one of its jobs. */
  onCancel(handler: CancelHandler): void {
    this.handler = handler;
  }

  async onModuleInit(): Promise<void> {
    if (!this.node.redis) return;
    await this.node.ready();
    // A subscribed connection can do nothing else.
    const subscriber = this.node.redis.duplicate();
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, text: string) => this.received(text));
    this.subscriber = subscriber;
    await whenReady(subscriber, this.node.config.timeoutMs);
    await subscriber.subscribe(JOB_CANCEL_CHANNEL);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  /** Asks node `nodeId` to cancel job `jobId`. */
  async send(jobId: string, nodeId: string, reason: string): Promise<void> {
    const message: CancelMessage = { jobId, nodeId, reason };
    await this.node.redis!.publish(JOB_CANCEL_CHANNEL, JSON.stringify(message));
  }

  private received(text: string): void {
    try {
      const { jobId, nodeId, reason } = JSON.parse(text) as CancelMessage;
      if (nodeId === this.node.id) this.handler(jobId, reason);
    } catch (error) {
      this.logger.warn(`A cancel request could not be read: ${(error as Error).message}`);
    }
  }
}
