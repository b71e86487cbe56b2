import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { BlobCache } from './blob-cache';
import { BlobStore } from './blob-store';

/** The drawing states' blobs: each scheme's JSON text and each sketch, content-addressed per participant. */
@Injectable()
export class SketchStore extends BlobStore {
  constructor(@InjectConnection() connection: Connection, cache: BlobCache) {
    super(connection, 'sketches', cache);
  }
}
