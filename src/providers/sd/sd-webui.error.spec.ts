import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { toWebUiError } from './sd-webui.error';

function answered(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: '', data, headers: {}, config };
  return new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_RESPONSE, config, undefined, response);
}

describe('toWebUiError', () => {
  it("reads the WebUI's own 500 body, skipping its empty fields", () => {
    const error = toWebUiError(answered(500, { error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory.' }), 1000);
    expect(error).toMatchObject({ message: '500 CUDA out of memory.', instanceFault: true, timedOut: false });
  });

  it("names the fields of FastAPI's validation errors and treats them as a refused request", () => {
    const body = { detail: [{ loc: ['body', 'width'], msg: 'value is not a valid integer' }] };
    expect(toWebUiError(answered(422, body), 1000)).toMatchObject({ message: '422 body.width: value is not a valid integer', instanceFault: false });
  });

  it('counts 408, 429 and 5xx as the instance failing, other statuses as the request refused', () => {
    for (const status of [408, 429, 502, 503]) expect(toWebUiError(answered(status, { detail: 'busy' }), 1000).instanceFault).toBe(true);
    for (const status of [400, 404, 413]) expect(toWebUiError(answered(status, { error: { message: 'bad' } }), 1000)).toMatchObject({ message: `${status} bad`, instanceFault: false });
  });

  it('tells a timeout (a stall) from a connection failure and from our own abort', () => {
    expect(toWebUiError(new AxiosError('timeout of 1000ms exceeded', AxiosError.ECONNABORTED), 1000)).toMatchObject({
      message: 'timed out after 1000 ms',
      instanceFault: true,
      timedOut: true,
    });
    expect(toWebUiError(new AxiosError('connect ECONNREFUSED 127.0.0.1:7860', 'ECONNREFUSED'), 1000)).toMatchObject({ message: 'ECONNREFUSED', instanceFault: true, timedOut: false });
    expect(toWebUiError(new AxiosError('canceled', AxiosError.ERR_CANCELED), 1000)).toMatchObject({ instanceFault: false });
  });
});
