using Npgsql;

namespace WinBack.Web.Tests.Data;

/// <summary>
/// The database's schema as sorted lines of text, read from PostgreSQL's catalog: tables, columns (type, nullability,
/// default, identity), indexes (with their filters), constraints, triggers and functions. Two databases with equal
/// descriptions have the same schema, whatever order their migrations created things in.
/// </summary>
public static class SchemaDescription
{
    private const string Query = """
        SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END
               || CASE a.attgenerated WHEN 's' THEN ' generated stored' ELSE '' END
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '__ef_migrations_history'
        UNION ALL
        SELECT 'index ' || pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> '__ef_migrations_history'
        UNION ALL
        SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.connamespace = 'public'::regnamespace AND c.conrelid::regclass::text <> '__ef_migrations_history'
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'function ' || regexp_replace(pg_get_functiondef(p.oid), '\s+', ' ', 'g')
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        """;

    public static async Task<IReadOnlyList<string>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Query, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        // An index made while a column was varchar keeps the cast in its text after the column became text: same index.
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0).Replace("(''::character varying)::text", "''::text", StringComparison.Ordinal));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
