import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ExperimentsModule } from '../experiments/experiments.module';
import { GoneNodesSchedule } from './gone-nodes.schedule';
import { ImageRetentionSchedule } from './image-retention.schedule';
import { MaintenanceLease, MaintenanceLeaseSchema } from './maintenance-lease.schema';
import { MaintenanceLeasesRepository } from './maintenance-leases.repository';
import { TaskLock } from './task-lock.service';
import { TaskRunner } from './task-runner.service';

/**
 * Periodic maintenance: tasks scheduled from configuration (ScheduleModule's registry), each
 * run on one node at a time under a lease in the shared database.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: MaintenanceLease.name, schema: MaintenanceLeaseSchema }]), ExperimentsModule],
  providers: [MaintenanceLeasesRepository, TaskLock, TaskRunner, ImageRetentionSchedule, GoneNodesSchedule],
  exports: [TaskRunner, TaskLock],
})
export class MaintenanceModule {}
