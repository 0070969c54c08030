/**
 * Deleting from the small tables that fill and empty at every request (the locks held, the
 * leases parked) without making V8 rehash them.
 *
 * V8 shrinks a `Map` or `Set` whose deletes leave it under a quarter full by copying it into a
 * new hash table: a call into the runtime, and — once the table has lived long enough to be
 * promoted, as a manager's tables have — an allocation in the old generation. A table that
 * empties at every request pays that every time, and with a big heap (a million sessions in
 * MemoryStore) the old generation serves those allocations from pages the kernel must fault in
 * and clear: a request there cost a third more. A new empty table is instead a young-generation
 * allocation, the cheapest there is. Internal: never re-exported from index.ts.
 */

/**
 * Deletes `key` from `table` and returns the table to keep using: a new empty one when `key` was
 * its only entry (see above). Safe inside a loop over `table`: the old table then has no entry
 * left to visit, so the loop ends as it would have.
 */
export function deleteFrom<K, V>(table: Map<K, V>, key: K): Map<K, V>;
export function deleteFrom<K>(table: Set<K>, key: K): Set<K>;
export function deleteFrom<K, V>(table: Map<K, V> | Set<K>, key: K): Map<K, V> | Set<K> {
  if (table.size === 1 && table.has(key)) return table instanceof Map ? new Map<K, V>() : new Set<K>();
  table.delete(key);
  return table;
}
