using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using static WinBack.Web.Sync.JsonFields;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Sync;

/// <summary>
/// Streams a bulk operation's JSONL into PostgreSQL: each line is parsed as it downloads and written with binary COPY.
/// Orders: a shop's first load goes straight into the real tables inside one transaction (PostgreSQL's fastest path; if a
/// webhook wrote one of the exported orders meanwhile, it is done again as a merge); a later full sync goes into staging
/// tables and is merged, where an older copy of a row never overwrites a newer one and rows Shopify no longer has are
/// removed. Customers are staged first and merged after the orders, with their rollups,
/// so each customer row is written once. Either way a failed import leaves nothing half-written.
/// </summary>
public sealed class BulkImporter(WinBackDbContext db, BulkResultReader reader, CustomerRollups rollups, ILogger<BulkImporter> logger)
{
    private const int ProgressEvery = 10_000;
    private const int LargeImport = 1_000;

    private const string CustomerColumns = "shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at";
    private const string StagedCustomerColumns = "s.shop_id, s.id, s.first_name, s.last_name, s.email, s.email_marketing_state, s.created_at, s.updated_at";
    private const string StagedCustomers = "staged_customers";
    /// <summary>How far Shopify's clock (an order's updated_at) may be behind ours (when the export started).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private const string OrderColumns = "shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code";
    private const string LineItemColumns = "shop_id, order_id, id, product_id, title, quantity";

    /// <summary>
    /// Customers are written once, with their rollups: they are COPYed into a session table here (while Shopify may still
    /// be exporting the orders), and <see cref="MergeStagedCustomersAsync"/> writes them after the orders are in. Writing
    /// them first and their rollups after rewrote every customer row into every report index a second time.
    /// </summary>
    public async Task<long> StageCustomersAsync(long shopId, Uri? url, Func<long, Task> progress, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        // A session table: it lives on the run's connection (held for the whole sync) until the merge drops it.
        await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {StagedCustomers}; CREATE TEMP TABLE {StagedCustomers} AS SELECT {CustomerColumns} FROM customers WITH NO DATA", shopId, cancellationToken);
        if (url is null) return 0;
        var count = await CopyAsync(connection, shopId, StagedCustomers, CustomerColumns, url, BulkLines.TopLevel, _ => true, (line, copy) =>
        {
            copy.Write(ShopifyGid.ToLong(line.GetProperty("id").GetString()!), NpgsqlDbType.Bigint);
            WriteText(copy, String(line, "firstName"));
            WriteText(copy, String(line, "lastName"));
            var email = line.TryGetProperty("defaultEmailAddress", out var address) && address.ValueKind == JsonValueKind.Object ? address : default;
            WriteText(copy, email.ValueKind == JsonValueKind.Object ? String(email, "emailAddress") : null);
            WriteText(copy, email.ValueKind == JsonValueKind.Object ? String(email, "marketingState") : null);
            copy.Write(Time(line, "createdAt")!.Value, NpgsqlDbType.TimestampTz);
            copy.Write(Time(line, "updatedAt")!.Value, NpgsqlDbType.TimestampTz);
        }, progress, cancellationToken);
        await progress(count);
        return count;
    }

    /// <summary>
    /// Writes the staged customers with the rollups of the orders already imported, in one transaction: new ones are
    /// inserted, known ones updated unless ours is older (a webhook was faster: its names stay, the rollups are still
    /// recomputed), and customers Shopify no longer has are removed, their orders becoming guest orders; a customer a
    /// webhook wrote after the export started is not in the export but not gone either, and stays. Afterwards every
    /// customer of the shop has the rollups of the orders in the table.
    /// </summary>
    public async Task MergeStagedCustomersAsync(long shopId, long staged, DateTimeOffset exportStartedAt, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // It rewrites rollups and deletes customers: a refit's swap, which catches up with both, is waited for or held off.
            await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
            await ExecuteAsync(connection, $"""
                INSERT INTO customers ({CustomerColumns}, orders_count, first_order_at, last_order_at, total_spent, rollups_changed_xid)
                SELECT {StagedCustomerColumns}, coalesce(r.orders_count, 0), r.first_order_at, r.last_order_at, coalesce(r.total_spent, 0), pg_current_xact_id()
                FROM {StagedCustomers} s LEFT JOIN ({CustomerRollups.QualifyingTotalsOfShop}) r ON r.customer_id = s.id
                WHERE NOT is_redacted_customer(@shop, s.id)
                ON CONFLICT (shop_id, id) DO UPDATE SET
                    first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                    email_marketing_state = excluded.email_marketing_state, created_at = excluded.created_at, updated_at = excluded.updated_at,
                    orders_count = excluded.orders_count, first_order_at = excluded.first_order_at, last_order_at = excluded.last_order_at,
                    total_spent = excluded.total_spent,
                    rollups_changed_xid = CASE
                        WHEN (customers.orders_count, customers.first_order_at, customers.last_order_at, customers.total_spent)
                             IS DISTINCT FROM (excluded.orders_count, excluded.first_order_at, excluded.last_order_at, excluded.total_spent)
                        THEN pg_current_xact_id() ELSE customers.rollups_changed_xid END
                WHERE customers.updated_at <= excluded.updated_at;
                DELETE FROM customers c WHERE c.shop_id = @shop AND c.updated_at < @export_started
                  AND NOT EXISTS (SELECT 1 FROM {StagedCustomers} s WHERE s.id = c.id);
                {DetachOrdersOfUnknownCustomers}
                """, shopId, cancellationToken, exportStartedAt);
            var newerHere = await db.Database.SqlQueryRaw<long>($"""
                SELECT c.id AS "Value" FROM customers c JOIN {StagedCustomers} s ON s.id = c.id
                WHERE c.shop_id = @shop AND c.updated_at > s.updated_at
                """, new NpgsqlParameter("shop", shopId)).ToListAsync(cancellationToken);
            // The merge wrote totals from the orders as it saw them when it began: a webhook whose order committed while it
            // ran (the merge then waited for that customer's row) had its totals overwritten. The customers of orders
            // newer than the export are recomputed by this later statement, which sees those orders.
            var orderedMeanwhile = await db.Database.SqlQueryRaw<long>(
                "SELECT DISTINCT customer_id AS \"Value\" FROM orders WHERE shop_id = @shop AND updated_at >= @since AND customer_id IS NOT NULL",
                new NpgsqlParameter("shop", shopId), new NpgsqlParameter("since", exportStartedAt - ClockSkew)).ToListAsync(cancellationToken);
            await rollups.RecomputeAsync(shopId, newerHere.Union(orderedMeanwhile).ToList(), cancellationToken);
            await ExecuteAsync(connection, $"DROP TABLE {StagedCustomers}", shopId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        // As after a large orders import: the planner must not go on planning as if the shop had no customers.
        if (staged >= LargeImport) await ExecuteAsync(connection, "ANALYZE customers", shopId, cancellationToken);
        logger.LogInformation("Merged {Count} customers of shop {ShopId}", staged, shopId);
    }

    /// <summary>
    /// Orders naming a customer the shop does not have (one the customers export did not have, deleted meanwhile) belong
    /// to no one. The customers' merge ends with this; a run that imported only the orders calls it on its own.
    /// </summary>
    public async Task DetachOrdersOfUnknownCustomersAsync(long shopId, CancellationToken cancellationToken) =>
        await ExecuteAsync(await OpenAsync(cancellationToken), DetachOrdersOfUnknownCustomers, shopId, cancellationToken);

    private const string DetachOrdersOfUnknownCustomers = """
        UPDATE orders o SET customer_id = NULL
        WHERE o.shop_id = @shop AND o.customer_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.shop_id = o.shop_id AND c.id = o.customer_id);
        """;

    /// <param name="exportStartedAt">When Shopify started the export: an order missing from it but written (by a webhook)
    /// after that is new, not deleted, and stays with its line items.</param>
    public async Task<long> ImportOrdersAsync(long shopId, string shopCurrency, Uri url, DateTimeOffset exportStartedAt, Func<long, Task> progress, CancellationToken cancellationToken)
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
            // Only the orders whose exported version was kept take the exported lines: a newer one a webhook wrote keeps its own.
            Merge: $"""
                DELETE FROM order_line_items li WHERE li.shop_id = @shop
                  AND (EXISTS (SELECT 1 FROM staging_orders s JOIN orders o ON o.shop_id = @shop AND o.id = s.id AND o.updated_at = s.updated_at
                               WHERE s.id = li.order_id)
                       OR NOT EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = li.shop_id AND o.id = li.order_id));
                INSERT INTO order_line_items ({LineItemColumns})
                SELECT {LineItemColumns} FROM staging_order_line_items sl
                WHERE EXISTS (SELECT 1 FROM staging_orders s JOIN orders o ON o.shop_id = @shop AND o.id = s.id AND o.updated_at = s.updated_at
                              WHERE s.id = sl.order_id);
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
        }, lineItems, $"""
            INSERT INTO orders ({OrderColumns})
            SELECT {OrderColumns} FROM staging_orders
            ON CONFLICT (shop_id, id) DO UPDATE SET
                customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
            WHERE orders.updated_at <= excluded.updated_at;
            DELETE FROM orders o WHERE o.shop_id = @shop AND o.updated_at < @export_started
              AND NOT EXISTS (SELECT 1 FROM staging_orders s WHERE s.id = o.id);
            """, exportStartedAt, cancellationToken);
        if (skipped.Count > 0) logger.LogWarning("Skipped {Skipped} orders of shop {ShopId} not in the shop currency {Currency}", skipped.Count, shopId, shopCurrency);
        logger.LogInformation("Imported {Count} orders for shop {ShopId}", count, shopId);
        return count;
    }

    /// <summary>Rows of a nested connection (lines with "__parentId"), read in a second pass over the file after their parents.</summary>
    private sealed record ChildImport(string Table, string Columns, Func<JsonElement, bool> Include, Action<JsonElement, NpgsqlBinaryImporter> WriteRow, string Merge);

    private async Task<long> ImportAsync(long shopId, string table, string columns, Uri url, Func<long, Task> progress,
        Func<JsonElement, bool> include, Action<JsonElement, NpgsqlBinaryImporter> writeRow, ChildImport children, string merge,
        DateTimeOffset exportStartedAt, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        // The merchant's progress bar never goes back: a load done again reports only past where the first one got.
        long reported = 0;
        Task Report(long done) => done > reported ? progress(reported = done) : Task.CompletedTask;
        var count = await AttemptAsync(straightIfFirst: true) ?? await AttemptAsync(straightIfFirst: false)
            ?? throw new UnreachableException("A merge never gives way to a row that is already there.");

        // A large import leaves the planner's statistics behind until autovacuum catches up; the rollups that follow
        // would be planned as if the table were empty.
        if (count >= LargeImport) await ExecuteAsync(connection, $"ANALYZE {table}", shopId, cancellationToken);
        await Report(count);
        return count;

        // Null when a first load met a row that a webhook wrote after the load began (a busy shop's orders change while its
        // export is read): COPY cannot pass over it (or, the webhook waiting on a row the load wrote, the two deadlock), so
        // the whole load is rolled back and done again as a merge, where the newer version of each row wins. PostgreSQL
        // says so only at the end of the COPY: a large shop's file is read once more.
        async Task<long?> AttemptAsync(bool straightIfFirst)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var straight = straightIfFirst
                && !await ExistsAsync(connection, $"SELECT EXISTS (SELECT 1 FROM {table} WHERE shop_id = @shop)", shopId, cancellationToken);
            try
            {
                var copied = await CopyAsync(connection, shopId, straight ? table : await StagingAsync(table), columns, url, BulkLines.TopLevel,
                    include, writeRow, Report, cancellationToken);
                if (!straight) await ExecuteAsync(connection, merge, shopId, cancellationToken, exportStartedAt);

                // The file is read again rather than held: parents are all in before any child row refers to them.
                await CopyAsync(connection, shopId, straight ? children.Table : await StagingAsync(children.Table), children.Columns, url, BulkLines.Nested,
                    children.Include, children.WriteRow, _ => Task.CompletedTask, cancellationToken);
                if (!straight) await ExecuteAsync(connection, children.Merge, shopId, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return copied;
            }
            catch (PostgresException e) when (straight && !cancellationToken.IsCancellationRequested
                                              && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected)
            {
                logger.LogInformation("The first load of {Table} of shop {ShopId} met a row written meanwhile ({SqlState} on {Constraint}); loading again as a merge",
                    table, shopId, e.SqlState, e.ConstraintName);
                return null;
            }
        }

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

    /// <summary>
    /// The context's connection, opened if need be; the sync holds it for its whole run (its advisory lock). Its statements
    /// (and the context's) read and write the whole shop: they get the time a large shop's take.
    /// </summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        db.Database.SetCommandTimeout(DatabaseExtensions.WholeShopStatementTimeout);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, long shopId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, shopId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long shopId, CancellationToken cancellationToken,
        DateTimeOffset? exportStartedAt = null)
    {
        await using var command = Command(connection, sql, shopId);
        if (exportStartedAt is { } startedAt) command.Parameters.AddWithValue("export_started", startedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A statement about the shop (<c>@shop</c>), with the time a whole shop's statement takes.</summary>
    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, long shopId)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = (int)DatabaseExtensions.WholeShopStatementTimeout.TotalSeconds };
        command.Parameters.AddWithValue("shop", shopId);
        return command;
    }

    private static void WriteText(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }
}
