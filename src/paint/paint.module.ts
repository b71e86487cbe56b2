import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { PaintApp } from './paint.app';
import { PaintController } from './paint.controller';

@Module({
  imports: [UsersModule],
  controllers: [PaintController],
  providers: [PaintApp],
})
export class PaintModule {}
