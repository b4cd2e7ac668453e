using Npgsql;

namespace WinBack.Web.Tests;

/// <summary>Counts read straight from a database beside the app: what a test checks the app left there.</summary>
internal static class Sql
{
    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
