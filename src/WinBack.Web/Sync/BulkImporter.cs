using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Shopify;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// Streams a bulk operation's JSONL into PostgreSQL: each line is parsed as it downloads and written with binary COPY
/// into a temporary staging table, then merged into the real table in one statement (an older copy of a row never
/// overwrites a newer one), so a failed import leaves nothing half-written and a repeated import changes nothing.
/// A full import also removes rows Shopify no longer has.
/// </summary>
public sealed class BulkImporter(WinBackDbContext db, BulkResultReader reader, ILogger<BulkImporter> logger)
{
    private const int ProgressEvery = 10_000;

    public async Task<long> ImportCustomersAsync(long shopId, Uri url, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await Execute(connection, """
            CREATE TEMP TABLE IF NOT EXISTS staging_customers (
                id bigint, first_name text, last_name text, email text, email_marketing_state text, created_at timestamptz, updated_at timestamptz);
            TRUNCATE staging_customers;
            """, cancellationToken);

        long count = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY staging_customers (id, first_name, last_name, email, email_marketing_state, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            await foreach (var line in reader.ReadLinesAsync(url, cancellationToken))
            {
                if (BulkResultReader.ParentId(line) is not null) continue;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
                await WriteTextAsync(copy, String(line, "firstName"), cancellationToken);
                await WriteTextAsync(copy, String(line, "lastName"), cancellationToken);
                var email = line.TryGetProperty("defaultEmailAddress", out var address) && address.ValueKind == JsonValueKind.Object ? address : default;
                await WriteTextAsync(copy, email.ValueKind == JsonValueKind.Object ? String(email, "emailAddress") : null, cancellationToken);
                await WriteTextAsync(copy, email.ValueKind == JsonValueKind.Object ? String(email, "marketingState") : null, cancellationToken);
                await copy.WriteAsync(Time(line, "createdAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
                if (++count % ProgressEvery == 0) await progress(count);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await Execute(connection, """
                INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
                SELECT @shop, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, 0, 0 FROM staging_customers
                ON CONFLICT (shop_id, id) DO UPDATE SET
                    first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                    email_marketing_state = excluded.email_marketing_state, created_at = excluded.created_at, updated_at = excluded.updated_at
                WHERE customers.updated_at <= excluded.updated_at;
                UPDATE orders SET customer_id = NULL
                WHERE shop_id = @shop AND customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staging_customers s WHERE s.id = orders.customer_id);
                DELETE FROM customers c WHERE c.shop_id = @shop AND NOT EXISTS (SELECT 1 FROM staging_customers s WHERE s.id = c.id);
                """, cancellationToken, shopId);
            await transaction.CommitAsync(cancellationToken);
        }
        await AnalyzeIfLargeAsync(connection, "customers", count, cancellationToken);
        await progress(count);
        logger.LogInformation("Imported {Count} customers for shop {ShopId}", count, shopId);
        return count;
    }

    public async Task<long> ImportOrdersAsync(long shopId, string shopCurrency, Uri url, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await Execute(connection, """
            CREATE TEMP TABLE IF NOT EXISTS staging_orders (
                id bigint, customer_id bigint, name text, processed_at timestamptz, updated_at timestamptz, cancelled_at timestamptz,
                test boolean, current_total numeric, currency_code text);
            TRUNCATE staging_orders;
            """, cancellationToken);

        long count = 0, skipped = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY staging_orders (id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            await foreach (var line in reader.ReadLinesAsync(url, cancellationToken))
            {
                if (BulkResultReader.ParentId(line) is not null) continue;
                var money = line.GetProperty("currentTotalPriceSet").GetProperty("shopMoney");
                var currency = money.GetProperty("currencyCode").GetString();
                if (currency != shopCurrency)
                {
                    // Totals are only ever in the shop currency: a row in another one would corrupt every sum.
                    skipped++;
                    continue;
                }
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
                if (line.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object)
                    await copy.WriteAsync(ShopifyGid.ToLong(customer.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
                await WriteTextAsync(copy, String(line, "name"), cancellationToken);
                await copy.WriteAsync(Time(line, "processedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
                if (Time(line, "cancelledAt") is { } cancelledAt) await copy.WriteAsync(cancelledAt, NpgsqlDbType.TimestampTz, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(line.GetProperty("test").GetBoolean(), NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(decimal.Parse(money.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(currency!, NpgsqlDbType.Text, cancellationToken);
                if (++count % ProgressEvery == 0) await progress(count);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        if (skipped > 0) logger.LogWarning("Skipped {Skipped} orders of shop {ShopId} not in the shop currency {Currency}", skipped, shopId, shopCurrency);

        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await Execute(connection, """
                INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
                SELECT @shop, s.id, c.id, s.name, s.processed_at, s.updated_at, s.cancelled_at, s.test, s.current_total, s.currency_code
                FROM staging_orders s LEFT JOIN customers c ON c.shop_id = @shop AND c.id = s.customer_id
                ON CONFLICT (shop_id, id) DO UPDATE SET
                    customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                    cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
                WHERE orders.updated_at <= excluded.updated_at;
                DELETE FROM orders o WHERE o.shop_id = @shop AND NOT EXISTS (SELECT 1 FROM staging_orders s WHERE s.id = o.id);
                """, cancellationToken, shopId);
            await transaction.CommitAsync(cancellationToken);
        }
        await AnalyzeIfLargeAsync(connection, "orders", count, cancellationToken);
        await progress(count);
        logger.LogInformation("Imported {Count} orders for shop {ShopId}", count, shopId);
        return count;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }

    /// <summary>A large import leaves the planner's statistics behind until autovacuum catches up; the rollups that
    /// follow would be planned as if the table were empty.</summary>
    private static Task AnalyzeIfLargeAsync(NpgsqlConnection connection, string table, long imported, CancellationToken cancellationToken) =>
        imported < 1_000 ? Task.CompletedTask : Execute(connection, $"ANALYZE {table}", cancellationToken);

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, long? shopId = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (shopId is { } shop) command.Parameters.AddWithValue("shop", shop);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
