using System.Globalization;
using System.Text.Json;
using static WinBack.Web.Sync.JsonFields;
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
        var count = await ImportAsync(shopId, "customers", CustomerColumns, url, progress, include: null, (line, copy) =>
        {
            copy.Write(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
            WriteText(copy, String(line, "firstName"));
            WriteText(copy, String(line, "lastName"));
            var email = line.TryGetProperty("defaultEmailAddress", out var address) && address.ValueKind == JsonValueKind.Object ? address : default;
            WriteText(copy, email.ValueKind == JsonValueKind.Object ? String(email, "emailAddress") : null);
            WriteText(copy, email.ValueKind == JsonValueKind.Object ? String(email, "marketingState") : null);
            copy.Write(Time(line, "createdAt")!.Value, NpgsqlDbType.TimestampTz);
            copy.Write(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz);
            copy.Write(0, NpgsqlDbType.Integer);
            copy.Write(0m, NpgsqlDbType.Numeric);
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
            WriteRow: (line, copy) =>
            {
                copy.Write(ShopifyGid.ToLong(BulkResultReader.ParentId(line)!), NpgsqlDbType.Bigint);
                copy.Write(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
                if (line.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object)
                    copy.Write(ShopifyGid.ToLong(product.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
                else
                    copy.WriteNull();
                WriteText(copy, String(line, "title") ?? "");
                copy.Write(line.GetProperty("quantity").GetInt32(), NpgsqlDbType.Integer);
            },
            Merge: $"""
                DELETE FROM order_line_items li WHERE li.shop_id = @shop;
                INSERT INTO order_line_items ({LineItemColumns})
                SELECT {LineItemColumns} FROM staging_order_line_items sl
                WHERE EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = sl.shop_id AND o.id = sl.order_id);
                """);
        var count = await ImportAsync(shopId, "orders", OrderColumns, url, progress, InShopCurrency, (line, copy) =>
        {
            var money = line.GetProperty("currentTotalPriceSet").GetProperty("shopMoney");
            copy.Write(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
            if (line.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object)
                copy.Write(ShopifyGid.ToLong(customer.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
            else
                copy.WriteNull();
            WriteText(copy, String(line, "name") ?? "");
            copy.Write(Time(line, "processedAt")!.Value, NpgsqlDbType.TimestampTz);
            copy.Write(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz);
            if (Time(line, "cancelledAt") is { } cancelledAt) copy.Write(cancelledAt, NpgsqlDbType.TimestampTz);
            else copy.WriteNull();
            copy.Write(line.GetProperty("test").GetBoolean(), NpgsqlDbType.Boolean);
            copy.Write(decimal.Parse(money.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric);
            copy.Write(shopCurrency, NpgsqlDbType.Char);
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
    private sealed record ChildImport(string Table, string Columns, Func<JsonElement, bool> Include, Action<JsonElement, NpgsqlBinaryImporter> WriteRow, string Merge);

    private async Task<long> ImportAsync(long shopId, string table, string columns, Uri url, Func<long, Task> progress,
        Func<JsonElement, bool>? include, Action<JsonElement, NpgsqlBinaryImporter> writeRow, ChildImport? children, string merge,
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
        Action<JsonElement, NpgsqlBinaryImporter> writeRow, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        await foreach (var line in reader.ReadLinesAsync(url, which, cancellationToken))
        {
            if (!include(line)) continue;
            // Synchronous writes: they only touch Npgsql's buffer until it fills, and awaiting each field costs more than the I/O.
            copy.StartRow();
            copy.Write(shopId, NpgsqlDbType.Bigint);
            writeRow(line, copy);
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

    private static void WriteText(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }
}
