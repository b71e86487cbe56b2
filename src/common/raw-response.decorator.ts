import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE = 'inspilot:raw-response';

/** Marks a route whose body is not JSON (plain text, a file) so it is not wrapped in the envelope. */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);
