/**
 * Runs `fn` over the items with at most `width` calls in flight, taking the items in order.
 * Work is handed out as lanes free up, so a slow item holds one lane and not a whole batch.
 * The first failure rejects the whole; lanes already running finish their current item and
 * take no more.
 */
export async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.floor(width)), items.length) }, lane));
}
