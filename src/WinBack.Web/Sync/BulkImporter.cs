using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Shopify;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// Streams a bulk operation's JSONL into PostgreSQL: each line is parsed as it downloads and written with binary COPY.
/// A shop's first load goes straight into the real table inside one transaction (PostgreSQL's fastest path); a later
/// full sync goes into a staging table and is merged in one statement, where an older copy of a row never overwrites a
/// newer one and rows Shopify no longer has are removed. Either way a failed import leaves nothing half-written.
/// </summary>
public sealed class BulkImporter(WinBackDbContext db, BulkResultReader reader, ILogger<BulkImporter> logger)
{
    private const int ProgressEvery = 10_000;

    private const string CustomerColumns = "shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent";
    private const string OrderColumns = "shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code";
    private const string LineItemColumns = "shop_id, order_id, id, product_id, title, quantity";

    public async Task<long> ImportCustomersAsync(long shopId, Uri url, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        var count = await ImportAsync(shopId, "customers", CustomerColumns, url, progress, include: null, async (line, copy) =>
        {
            await copy.WriteAsync(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
            await WriteTextAsync(copy, String(line, "firstName"), cancellationToken);
            await WriteTextAsync(copy, String(line, "lastName"), cancellationToken);
            var email = line.TryGetProperty("defaultEmailAddress", out var address) && address.ValueKind == JsonValueKind.Object ? address : default;
            await WriteTextAsync(copy, email.ValueKind == JsonValueKind.Object ? String(email, "emailAddress") : null, cancellationToken);
            await WriteTextAsync(copy, email.ValueKind == JsonValueKind.Object ? String(email, "marketingState") : null, cancellationToken);
            await copy.WriteAsync(Time(line, "createdAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(0m, NpgsqlDbType.Numeric, cancellationToken);
        }, children: null, merge: $"""
            INSERT INTO customers ({CustomerColumns}) SELECT {CustomerColumns} FROM staging_customers
            ON CONFLICT (shop_id, id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                email_marketing_state = excluded.email_marketing_state, created_at = excluded.created_at, updated_at = excluded.updated_at
            WHERE customers.updated_at <= excluded.updated_at;
            UPDATE orders SET customer_id = NULL
            WHERE shop_id = @shop AND customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staging_customers s WHERE s.id = orders.customer_id);
            DELETE FROM customers c WHERE c.shop_id = @shop AND NOT EXISTS (SELECT 1 FROM staging_customers s WHERE s.id = c.id);
            """, afterFirstLoad: null, cancellationToken);
        logger.LogInformation("Imported {Count} customers for shop {ShopId}", count, shopId);
        return count;
    }

    public async Task<long> ImportOrdersAsync(long shopId, string shopCurrency, Uri url, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        // Totals are only ever in the shop currency: a row in another one would corrupt every sum (and its line items go too).
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        bool InShopCurrency(JsonElement line)
        {
            var ok = line.GetProperty("currentTotalPriceSet").GetProperty("shopMoney").GetProperty("currencyCode").GetString() == shopCurrency;
            if (!ok) skipped.Add(line.GetProperty("id").GetString()!);
            return ok;
        }
        var lineItems = new ChildImport("order_line_items", LineItemColumns,
            Include: line => !skipped.Contains(BulkResultReader.ParentId(line)!),
            WriteRow: async (line, copy) =>
            {
                await copy.WriteAsync(ShopifyGid.ToLong(BulkResultReader.ParentId(line)!), NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
                if (line.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object)
                    await copy.WriteAsync(ShopifyGid.ToLong(product.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
                await WriteTextAsync(copy, String(line, "title") ?? "", cancellationToken);
                await copy.WriteAsync(line.GetProperty("quantity").GetInt32(), NpgsqlDbType.Integer, cancellationToken);
            },
            Merge: $"""
                DELETE FROM order_line_items li USING staging_orders s WHERE li.shop_id = @shop AND li.order_id = s.id;
                INSERT INTO order_line_items ({LineItemColumns})
                SELECT {LineItemColumns} FROM staging_order_line_items sl
                WHERE EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = sl.shop_id AND o.id = sl.order_id)
                ON CONFLICT DO NOTHING;
                """);
        var count = await ImportAsync(shopId, "orders", OrderColumns, url, progress, InShopCurrency, async (line, copy) =>
        {
            var money = line.GetProperty("currentTotalPriceSet").GetProperty("shopMoney");
            await copy.WriteAsync(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
            if (line.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object)
                await copy.WriteAsync(ShopifyGid.ToLong(customer.GetProperty("id").GetString()!), NpgsqlDbType.Bigint, cancellationToken);
            else
                await copy.WriteNullAsync(cancellationToken);
            await WriteTextAsync(copy, String(line, "name") ?? "", cancellationToken);
            await copy.WriteAsync(Time(line, "processedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz, cancellationToken);
            if (Time(line, "cancelledAt") is { } cancelledAt) await copy.WriteAsync(cancelledAt, NpgsqlDbType.TimestampTz, cancellationToken);
            else await copy.WriteNullAsync(cancellationToken);
            await copy.WriteAsync(line.GetProperty("test").GetBoolean(), NpgsqlDbType.Boolean, cancellationToken);
            await copy.WriteAsync(decimal.Parse(money.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric, cancellationToken);
            await copy.WriteAsync(shopCurrency, NpgsqlDbType.Char, cancellationToken);
        }, lineItems, merge: $"""
            INSERT INTO orders ({OrderColumns})
            SELECT s.shop_id, s.id, c.id, s.name, s.processed_at, s.updated_at, s.cancelled_at, s.test, s.current_total, s.currency_code
            FROM staging_orders s LEFT JOIN customers c ON c.shop_id = s.shop_id AND c.id = s.customer_id
            ON CONFLICT (shop_id, id) DO UPDATE SET
                customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
            WHERE orders.updated_at <= excluded.updated_at;
            DELETE FROM orders o WHERE o.shop_id = @shop AND NOT EXISTS (SELECT 1 FROM staging_orders s WHERE s.id = o.id);
            """,
            // An order may name a customer the customers export did not have (deleted meanwhile): it then belongs to no one.
            afterFirstLoad: """
            UPDATE orders o SET customer_id = NULL
            WHERE o.shop_id = @shop AND o.customer_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.shop_id = o.shop_id AND c.id = o.customer_id);
            """, cancellationToken);
        if (skipped.Count > 0) logger.LogWarning("Skipped {Skipped} orders of shop {ShopId} not in the shop currency {Currency}", skipped.Count, shopId, shopCurrency);
        logger.LogInformation("Imported {Count} orders for shop {ShopId}", count, shopId);
        return count;
    }

    /// <summary>Rows of a nested connection (lines with "__parentId"), read in a second pass over the file after their parents.</summary>
    private sealed record ChildImport(string Table, string Columns, Func<JsonElement, bool> Include, Func<JsonElement, NpgsqlBinaryImporter, Task> WriteRow, string Merge);

    private async Task<long> ImportAsync(long shopId, string table, string columns, Uri url, Func<long, Task> progress,
        Func<JsonElement, bool>? include, Func<JsonElement, NpgsqlBinaryImporter, Task> writeRow, ChildImport? children, string merge,
        string? afterFirstLoad, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var firstLoad = !await ExistsAsync(connection, $"SELECT EXISTS (SELECT 1 FROM {table} WHERE shop_id = @shop)", shopId, cancellationToken);
        var count = await CopyAsync(connection, shopId, firstLoad ? table : await StagingAsync(table), columns, url, BulkLines.TopLevel,
            line => include?.Invoke(line) != false, writeRow, progress, cancellationToken);
        var finish = firstLoad ? afterFirstLoad : merge;
        if (finish is not null) await ExecuteAsync(connection, finish, shopId, cancellationToken);

        if (children is not null)
        {
            // The file is read again rather than held: parents are all in before any child row refers to them.
            await CopyAsync(connection, shopId, firstLoad ? children.Table : await StagingAsync(children.Table), children.Columns, url, BulkLines.Nested,
                children.Include, children.WriteRow, _ => Task.CompletedTask, cancellationToken);
            if (!firstLoad) await ExecuteAsync(connection, children.Merge, shopId, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);

        // A large import leaves the planner's statistics behind until autovacuum catches up; the rollups that follow
        // would be planned as if the table were empty.
        if (count >= 1_000) await ExecuteAsync(connection, $"ANALYZE {table}", shopId, cancellationToken);
        await progress(count);
        return count;

        async Task<string> StagingAsync(string real)
        {
            await ExecuteAsync(connection, $"CREATE TEMP TABLE staging_{real} (LIKE {real}) ON COMMIT DROP", shopId, cancellationToken);
            return $"staging_{real}";
        }
    }

    private async Task<long> CopyAsync(NpgsqlConnection connection, long shopId, string target, string columns, Uri url, BulkLines which, Func<JsonElement, bool> include,
        Func<JsonElement, NpgsqlBinaryImporter, Task> writeRow, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        await foreach (var line in reader.ReadLinesAsync(url, which, cancellationToken))
        {
            if (!include(line)) continue;
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(shopId, NpgsqlDbType.Bigint, cancellationToken);
            await writeRow(line, copy);
            if (++count % ProgressEvery == 0) await progress(count);
        }
        await copy.CompleteAsync(cancellationToken);
        return count;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, long shopId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("shop", shopId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long shopId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("shop", shopId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
