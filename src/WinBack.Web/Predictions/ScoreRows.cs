using System.Buffers;
using System.Buffers.Binary;

namespace WinBack.Web.Predictions;

/// <summary>
/// The scores' rows in PostgreSQL's binary COPY format, encoded on the cores that score them. A refit copies a million
/// rows of eleven fields; Npgsql's importer spends about 200 ns on each field on the one thread that writes, 2 s of a
/// million customers' copy, where this encoding runs beside the scoring and the writer only sends its bytes.
/// </summary>
/// <remarks>
/// The format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): a header, then each row as its
/// field count and each field as its length (-1 for NULL) and its value in the type's binary form (network byte order),
/// then -1 as the trailer. The values' forms are those of PostgreSQL's <c>*_send</c> functions: int8, int2, float8,
/// date (days since 2000-01-01), timestamptz (microseconds since 2000-01-01 UTC) and numeric.
/// </remarks>
internal static class ScoreRows
{
    /// <summary>The columns each row holds, in order: the COPY's column list.</summary>
    public const string Columns = "shop_id, customer_id, scored_last_order_at, probability_alive, usual_interval_days, overdue_on, expected_next_order_on, " +
                                  "predicted_value, rfm_score, rfm_segment, rfm_segment_at_refit";

    private const short FieldsPerRow = 11;

    /// <summary>The signature, no flags, no header extension.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>A field count of -1 ends the data.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly uint[] PowersOfTen = [1, 10, 100, 1000];
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Appends one customer's row: the refit's scores as <see cref="Columns"/> lists them, the group given also kept as the refit's.</summary>
    public static void Append(IBufferWriter<byte> to, long shopId, in CustomerScores s)
    {
        Int16(to, FieldsPerRow, withLength: false);
        Int64(to, shopId);
        Int64(to, s.CustomerId);
        Int64(to, Microseconds(s.LastOrderAt));
        Float8(to, s.ProbabilityAlive);
        Float8(to, s.UsualIntervalDays);
        Date(to, s.OverdueOn);
        Date(to, s.ExpectedNextOrderOn);
        Numeric(to, s.PredictedValue);
        Int16(to, s.RfmScore);
        Int16(to, (short)s.RfmSegment);
        Int16(to, (short)s.RfmSegment);
    }

    /// <summary>Microseconds since PostgreSQL's epoch, rounded down (PostgreSQL keeps a timestamp no finer).</summary>
    private static long Microseconds(DateTimeOffset at)
    {
        var (micros, rest) = Math.DivRem(at.UtcTicks - PostgresEpochTicks, TimeSpan.TicksPerMicrosecond);
        return rest < 0 ? micros - 1 : micros;
    }

    private static void Int16(IBufferWriter<byte> to, short value, bool withLength = true)
    {
        var span = to.GetSpan(6);
        var at = withLength ? Length(span, sizeof(short)) : 0;
        BinaryPrimitives.WriteInt16BigEndian(span[at..], value);
        to.Advance(at + sizeof(short));
    }

    private static void Int64(IBufferWriter<byte> to, long value)
    {
        var span = to.GetSpan(12);
        BinaryPrimitives.WriteInt64BigEndian(span[Length(span, sizeof(long))..], value);
        to.Advance(12);
    }

    private static void Float8(IBufferWriter<byte> to, double? value)
    {
        if (value is not { } v)
        {
            Null(to);
            return;
        }
        var span = to.GetSpan(12);
        BinaryPrimitives.WriteDoubleBigEndian(span[Length(span, sizeof(double))..], v);
        to.Advance(12);
    }

    private static void Date(IBufferWriter<byte> to, DateOnly? value)
    {
        if (value is not { } day)
        {
            Null(to);
            return;
        }
        var span = to.GetSpan(8);
        BinaryPrimitives.WriteInt32BigEndian(span[Length(span, sizeof(int))..], day.DayNumber - PostgresEpochDay);
        to.Advance(8);
    }

    /// <summary>
    /// numeric's binary form: the number of base-10,000 digits, the weight of the first (its power of 10,000), the sign, the
    /// display scale (decimal places), then the digits. The decimal's unscaled integer, padded to whole groups of four
    /// decimal places, is cut into digits from the last; PostgreSQL drops leading and trailing zero digits itself and rounds
    /// to the column's scale.
    /// </summary>
    private static void Numeric(IBufferWriter<byte> to, decimal? value)
    {
        if (value is not { } number)
        {
            Null(to);
            return;
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(number, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var padding = (4 - scale % 4) % 4;
        var unscaled = ((UInt128)(uint)bits[2] << 64 | (UInt128)(uint)bits[1] << 32 | (uint)bits[0]) * PowersOfTen[padding];
        var negative = bits[3] < 0 && unscaled != 0;
        var fractionDigits = (scale + padding) / 4;
        // A decimal's unscaled integer is under 2^96 (29 decimal digits), padded under 10^32: at most 8 base-10,000 digits.
        Span<short> digits = stackalloc short[8];
        var count = 0;
        while (unscaled != 0 || count < fractionDigits)
        {
            (unscaled, var digit) = UInt128.DivRem(unscaled, 10_000);
            digits[count++] = (short)digit;
        }
        var span = to.GetSpan(12 + 2 * count);
        BinaryPrimitives.WriteInt32BigEndian(span, 8 + 2 * count);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)count);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], (short)(count - fractionDigits - 1));
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], negative ? (ushort)0x4000 : (ushort)0x0000);
        BinaryPrimitives.WriteInt16BigEndian(span[10..], (short)scale);
        for (var i = 0; i < count; i++) BinaryPrimitives.WriteInt16BigEndian(span[(12 + 2 * i)..], digits[count - 1 - i]);
        to.Advance(12 + 2 * count);
    }

    private static void Null(IBufferWriter<byte> to)
    {
        BinaryPrimitives.WriteInt32BigEndian(to.GetSpan(4), -1);
        to.Advance(4);
    }

    private static int Length(Span<byte> span, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        return sizeof(int);
    }
}
