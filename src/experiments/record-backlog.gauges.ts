import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { ExperimentsService } from './experiments.service';

/** Whether experiment records keep up with the generations, read at each scrape. */
@Injectable()
export class RecordBacklogGauges {
  constructor(registry: Registry, experiments: ExperimentsService) {
    new Gauge({
      name: 'inspilot_record_writes_pending',
      help: 'Experiment-record writes of this process waiting for a database slot or under way.',
      registers: [registry],
      collect() {
        this.set(experiments.backlog().writes);
      },
    });
    new Gauge({
      name: 'inspilot_records_unwritten',
      help: 'Generations of this process that have answered and whose record is not yet fully written.',
      registers: [registry],
      collect() {
        this.set(experiments.backlog().unwrittenRecords);
      },
    });
  }
}
