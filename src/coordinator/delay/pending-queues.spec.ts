import { FifoQueue, MinHeap } from './pending-queues';

function drain(queue: FifoQueue | MinHeap): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (queue.size > 0) {
    const due = queue.peekDue();
    out.push([due, queue.pop()]);
  }
  return out;
}

describe('FifoQueue (a level: arrival order is due order)', () => {
  it('hands entries back in the order they came, across growth and wrap-around', () => {
    const queue = new FifoQueue();
    const expected: Array<[number, number]> = [];
    let next = 0;
    // Interleave pushes and pops so the ring wraps before it grows.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 900; i++, next++) {
        queue.push(1000 + next, next);
        expected.push([1000 + next, next]);
      }
      for (let i = 0; i < 400; i++) {
        const [due, offset] = expected.shift()!;
        expect(queue.peekDue()).toBe(due);
        expect(queue.minOffset()).toBe(offset);
        expect(queue.pop()).toBe(offset);
      }
    }
    expect(drain(queue)).toEqual(expected);
    expect(queue.peekDue()).toBeNaN();
    expect(queue.minOffset()).toBeNaN();
  });
});

describe('MinHeap (deliver-at: any order in, due order out)', () => {
  it('pops by due time, equal times in offset order, over random input', () => {
    const heap = new MinHeap();
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const entries: Array<[number, number]> = [];
    for (let offset = 0; offset < 5000; offset++) {
      const due = Math.floor(random() * 500);
      entries.push([due, offset]);
      heap.push(due, offset);
    }
    expect(heap.size).toBe(5000);
    expect(heap.minOffset()).toBe(0);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(drain(heap)).toEqual(entries);
  });

  it('keeps its order when pushes and pops interleave (a live timer)', () => {
    const heap = new MinHeap();
    heap.push(30, 1);
    heap.push(10, 2);
    expect(heap.pop()).toBe(2);
    heap.push(20, 3);
    heap.push(5, 4);
    heap.push(20, 0);
    expect(drain(heap)).toEqual([
      [5, 4],
      [20, 0],
      [20, 3],
      [30, 1],
    ]);
  });
});
