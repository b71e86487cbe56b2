import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { BlobStore } from '../storage/blob-store';

/** The images of experiments (generated ones and the participants' sketches), owned by their experiment. */
@Injectable()
export class ExperimentImageStore extends BlobStore {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, 'experiment_images');
  }
}
