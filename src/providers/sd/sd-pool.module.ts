import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ClusterNode } from '../../cluster/cluster-node.service';
import { ClusterSdPool } from './cluster/sd-cluster.pool';
import { SdClusterProber } from './cluster/sd-cluster.prober';
import { SdSharedHealth } from './cluster/sd-shared-health';
import { SdSlotLeases } from './cluster/sd-slot-leases';
import { LocalSdPool } from './local-sd-pool';
import { SdController } from './sd.controller';
import { sdDefaultsProvider } from './sd-defaults.provider';
import { SdInstanceProber } from './sd-instance.prober';
import { sdInstancesProvider } from './sd-instances.provider';
import { SdJobScheduler } from './sd-job.scheduler';
import { SdPoolGauges } from './sd-pool.gauges';
import { SdPoolService } from './sd-pool.service';
import { SdWebUiClient } from './sd-webui.client';

/**
 * The Stable Diffusion pool: in this process, or, when REDIS_URL is set, shared by every node
 * through Redis. Both are built (the one not chosen stays idle); the engine sees SdPoolService.
 */
@Module({
  imports: [HttpModule],
  controllers: [SdController],
  providers: [
    sdDefaultsProvider,
    sdInstancesProvider,
    SdWebUiClient,
    SdInstanceProber,
    SdJobScheduler,
    LocalSdPool,
    SdSlotLeases,
    SdSharedHealth,
    SdClusterProber,
    ClusterSdPool,
    {
      provide: SdPoolService,
      inject: [ClusterNode, LocalSdPool, ClusterSdPool],
      useFactory: (node: ClusterNode, local: LocalSdPool, cluster: ClusterSdPool): SdPoolService => (node.clustered ? cluster : local),
    },
    SdPoolGauges,
  ],
  exports: [SdPoolService],
})
export class SdPoolModule {}
