import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/**
 * Counts the generations refused before anything ran or was stored (unknown app or type,
 * invalid inputs): they leave no experiment record, so this count on /health and a log line
 * each are what shows them.
 */
@Injectable()
export class GenerateRefusals {
  private readonly logger = new Logger('Generate');
  private refused = 0;

  constructor(private readonly indicators: HealthIndicatorService) {}

  refuse(appid: number, type: number, reason: string): void {
    this.refused += 1;
    this.logger.warn(`Refused app ${appid} type ${type}: ${reason}`);
  }

  check() {
    return this.indicators.check('generate').up({ refused: this.refused });
  }
}
