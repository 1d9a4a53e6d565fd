import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createStoredBlobRepository, storedBlobPartBytes } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

for (const factory of testDatabaseFactories) {
  describe(`stored blobs (${factory.dialect})`, () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await factory.open();
    }, 60_000);
    afterEach(async () => database.close());

    it("round-trips contents of any size byte for byte in 1 MiB parts, and removes them", async () => {
      const blobs = createStoredBlobRepository(database.database);
      const contents = {
        empty: new Uint8Array(0),
        exact: randomBytes(storedBlobPartBytes),
        large: randomBytes(storedBlobPartBytes * 2 + 12_345),
      };
      for (const [id, bytes] of Object.entries(contents)) await blobs.put(id, "knowledge.upload", bytes, 1000);
      const parts = await database.database.db.selectFrom("stored_blob_parts").select(["blob_id", "part_index"]).orderBy("blob_id").orderBy("part_index").execute();
      expect(parts.map((part) => `${part.blob_id}:${part.part_index}`)).toEqual(["exact:0", "large:0", "large:1", "large:2"]);
      for (const [id, bytes] of Object.entries(contents)) expect(Buffer.compare((await blobs.read(id))!, Buffer.from(bytes))).toBe(0);
      expect(await blobs.read("missing")).toBeUndefined();
      expect([...(await blobs.existing(["empty", "large", "missing"]))].sort()).toEqual(["empty", "large"]);

      await blobs.remove(["large", "missing"]);
      expect(await blobs.read("large")).toBeUndefined();
      expect(await database.database.db.selectFrom("stored_blob_parts").select("blob_id").where("blob_id", "=", "large").execute()).toEqual([]);
      expect(Buffer.compare((await blobs.read("exact"))!, Buffer.from(contents.exact))).toBe(0);
      // A duplicate id is refused and leaves the stored content as it was.
      await expect(blobs.put("exact", "knowledge.upload", new Uint8Array(3), 2000)).rejects.toThrow();
      expect(Buffer.compare((await blobs.read("exact"))!, Buffer.from(contents.exact))).toBe(0);
    });
  });
}
