import { type Kysely, sql } from "kysely";

/**
 * Model names keep the case they were given (`Stories260K`) and are matched without regard to case, so `models.name`
 * and `prices.model` become unique by `lower(...)`. Names that only differed in case before: the oldest model keeps
 * its name and the others get a `-2`, `-3`, … suffix; of such prices the most recently updated one stays.
 * Portable DDL: expression indexes run unchanged on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const models = await sql<{ name: string }>`select name from models order by created_at, name`.execute(db);
  const taken = new Set(models.rows.map((row) => row.name.toLowerCase()));
  const seen = new Set<string>();
  for (const { name } of models.rows) {
    if (!seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      continue;
    }
    let suffix = 2;
    while (taken.has(`${name}-${suffix}`.toLowerCase())) suffix += 1;
    const renamed = `${name}-${suffix}`;
    taken.add(renamed.toLowerCase());
    await sql`update models set name = ${renamed} where name = ${name}`.execute(db);
  }
  const prices = await sql<{ model: string }>`select model from prices order by updated_at desc, model`.execute(db);
  const priced = new Set<string>();
  for (const { model } of prices.rows) {
    if (priced.has(model.toLowerCase())) await sql`delete from prices where model = ${model}`.execute(db);
    else priced.add(model.toLowerCase());
  }
  await db.schema.createIndex("models_name_lower").on("models").unique().expression(sql`lower(name)`).execute();
  await db.schema.createIndex("prices_model_lower").on("prices").unique().expression(sql`lower(model)`).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("prices_model_lower").execute();
  await db.schema.dropIndex("models_name_lower").execute();
}
