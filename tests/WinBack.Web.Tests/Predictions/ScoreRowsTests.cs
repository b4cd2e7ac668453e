using System.Buffers;
using Npgsql;
using WinBack.Web.Predictions;

namespace WinBack.Web.Tests.Predictions;

/// <summary>The refit's rows, encoded by WinBack in PostgreSQL's binary COPY format, are stored as the scores they were.</summary>
public sealed class ScoreRowsTests
{
    [Fact]
    public async Task Scores_copied_in_binary_are_stored_exactly_as_computed_nulls_old_dates_and_every_kind_of_amount_included()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync("score_rows");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The scores' column types, as the schema test holds them.
        await new NpgsqlCommand("""
            CREATE TABLE scores (shop_id bigint NOT NULL, customer_id bigint NOT NULL, scored_last_order_at timestamptz NOT NULL, probability_alive double precision,
                usual_interval_days double precision, overdue_on date, expected_next_order_on date, predicted_value numeric(19,4), rfm_score smallint NOT NULL,
                rfm_segment smallint NOT NULL, rfm_segment_at_refit smallint)
            """, connection).ExecuteNonQueryAsync();
        var at = new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(1_234_560);
        decimal?[] amounts = [0m, 0.01m, 0.5m, 1m, 12.3m, 99.99m, 100m, 10_000m, 123_456.78m, 999_999_999_999.99m, 12.3456m, 0.0001m, -42.17m, 1.10m, 7.000m, null];
        var scores = amounts.Select((amount, i) => new CustomerScores(
            CustomerId: 1_000_000_000_000L + i,
            LastOrderAt: i % 2 == 0 ? at.AddDays(-i) : new DateTimeOffset(1997, 3, 15, 10, 20, 30, TimeSpan.Zero).AddTicks(4_567_890 + i),
            ProbabilityAlive: i == 3 ? null : 1.0 / (i + 3),
            UsualIntervalDays: i % 3 == 0 ? null : 17.25 * i,
            OverdueOn: i % 4 == 0 ? null : new DateOnly(1998, 12, 31).AddDays(400 * i),
            ExpectedNextOrderOn: i % 5 == 0 ? null : new DateOnly(2027, 1, 1).AddDays(-i),
            PredictedValue: amount,
            RfmScore: (short)(111 + i),
            RfmSegment: (WinBack.Analytics.RfmSegment)(i % Enum.GetValues<WinBack.Analytics.RfmSegment>().Length))).ToList();

        var rows = new ArrayBufferWriter<byte>();
        foreach (var s in scores) ScoreRows.Append(rows, shopId: 7, s);
        await using (var copy = await connection.BeginRawBinaryCopyAsync($"COPY scores ({ScoreRows.Columns}) FROM STDIN (FORMAT BINARY)"))
        {
            await copy.WriteAsync(ScoreRows.Header.ToArray());
            await copy.WriteAsync(rows.WrittenMemory);
            await copy.WriteAsync(ScoreRows.Trailer.ToArray());
        }

        var stored = new List<CustomerScores>();
        await using (var read = await new NpgsqlCommand($"SELECT {ScoreRows.Columns} FROM scores ORDER BY customer_id", connection).ExecuteReaderAsync())
            while (await read.ReadAsync())
            {
                read.GetInt64(0).Should().Be(7);
                read.GetInt16(10).Should().Be(read.GetInt16(9), "the refit's group is the group it gave");
                stored.Add(new CustomerScores(read.GetInt64(1), read.GetFieldValue<DateTimeOffset>(2), Nullable<double>(read, 3), Nullable<double>(read, 4),
                    Nullable<DateOnly>(read, 5), Nullable<DateOnly>(read, 6), Nullable<decimal>(read, 7), read.GetInt16(8), (WinBack.Analytics.RfmSegment)read.GetInt16(9)));
            }

        // PostgreSQL keeps a timestamp to the microsecond: the scores' last orders come back to the microsecond, rounded down.
        var expected = scores.Select(s => s with { LastOrderAt = s.LastOrderAt.AddTicks(-(s.LastOrderAt.UtcTicks % TimeSpan.TicksPerMicrosecond)) });
        stored.Should().Equal(expected);
    }

    private static T? Nullable<T>(NpgsqlDataReader read, int column) where T : struct => read.IsDBNull(column) ? null : read.GetFieldValue<T>(column);
}
