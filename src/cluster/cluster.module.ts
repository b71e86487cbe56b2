import { Global, Module } from '@nestjs/common';
import { ClusterNode } from './cluster-node.service';

/** This process as a node: its id, the shared Redis (when REDIS_URL is set) and who else is alive. */
@Global()
@Module({
  providers: [ClusterNode],
  exports: [ClusterNode],
})
export class ClusterModule {}
