import { Module } from '@nestjs/common';

/** The record of every generation, for researchers. */
@Module({})
export class ExperimentsModule {}
