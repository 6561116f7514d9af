/**
 * A read that the callers of one moment share: the first caller schedules it for the event
 * loop's next turn (setImmediate), and every caller that asks before it starts gets the same
 * result. Each caller's read starts after that caller asked, so it sees everything committed
 * before then, another process's edit included: nothing is kept between requests, there are only
 * fewer statements when many come at once (the public form submissions: issue 15, point 12).
 * The result is shared: callers must not change it.
 */
export class SharedRead<K, T> {
  private readonly waiting = new Map<K, Promise<T>>();

  constructor(private readonly read: (key: K) => Promise<T>) {}

  get(key: K): Promise<T> {
    let p = this.waiting.get(key);
    if (!p) {
      p = new Promise<T>((resolve, reject) => {
        setImmediate(() => {
          // From here on a new caller waits for a read of its own: this one may predate its question.
          this.waiting.delete(key);
          this.read(key).then(resolve, reject);
        });
      });
      this.waiting.set(key, p);
    }
    return p;
  }
}
