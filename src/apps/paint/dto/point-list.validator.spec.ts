import { pointListProblem } from './point-list.validator';

describe('pointListProblem', () => {
  it('accepts points with numeric x and y, extra fields included, and an empty list', () => {
    expect(pointListProblem([{ x: 1, y: 2.5 }, { x: -0, y: 1e21, pressure: 0.5 }], 'paths')).toBeUndefined();
    expect(pointListProblem([], 'paths')).toBeUndefined();
  });

  it.each([
    [{ x: 1 }, 'paths must be an array of points { x, y }'],
    [[{ x: 1, y: 2 }, null], 'paths.1 must be a point { x, y }'],
    [[[1, 2]], 'paths.0 must be a point { x, y }'],
    [[{ x: '1', y: 2 }], 'paths.0.x must be a number (got string)'],
    [[{ x: 1, y: null }], 'paths.0.y must be a number (got null)'],
    [[{ x: 1 }], 'paths.0.y must be a number (got undefined)'],
  ])('refuses %j: %s', (value, problem) => {
    expect(pointListProblem(value, 'paths')).toBe(problem);
  });
});
