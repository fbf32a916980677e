// A bounded pool for the compatibility check: runs `work(item)` over items with at most `limit`
// in flight, so the check never starts more npm processes or requests than it promised.

/** Resolves once every item is done; a throwing `work` rejects the whole run (the harness failed). */
export async function eachLimited(items, limit, work) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  });
  await Promise.all(lanes);
}
