import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { BlobStore } from './blob-store';

/** Large strings of the users' drawing state (sketch data URLs, SVG), kept out of the user document. */
@Injectable()
export class SketchStore extends BlobStore {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, 'sketches');
  }
}
